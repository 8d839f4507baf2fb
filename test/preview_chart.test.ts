/** lib/preview/chart.ts: Axes.curve and dashed polylines, drawn on a canvas and read back pixel by pixel. */
import { describe, expect, it } from 'vitest';

import { RgbCanvas, type Rgb } from '../lib/preview/canvas.js';
import { Axes } from '../lib/preview/chart.js';

const RED: Rgb = [255, 0, 0];

function redColumns(c: RgbCanvas, row: number): boolean[] {
  return Array.from({ length: c.width }, (_, x) => {
    const i = (row * c.width + x) * 3;
    return c.pixels[i] === 255 && c.pixels[i + 1] === 0 && c.pixels[i + 2] === 0;
  });
}

function axes(c: RgbCanvas): Axes {
  return new Axes(c, 10, 5, 40, 21, { xRange: [0, 1], yRange: [0, 2], grid: null });
}

describe('Axes.curve', () => {
  it('draws y = f(x) one point per column, solid or dashed, clamped to the y range', () => {
    const solid = new RgbCanvas(60, 40, [0, 0, 0]);
    const a = axes(solid);
    a.curve(() => 1, RED);
    const row = Math.round(a.py(1));
    expect(redColumns(solid, row).filter(Boolean).length).toBe(40);

    const dashed = new RgbCanvas(60, 40, [0, 0, 0]);
    const b = axes(dashed);
    b.curve(() => 1, RED, 1, 4);
    const on = redColumns(dashed, row);
    const drawn = on.filter(Boolean).length;
    expect(drawn).toBeGreaterThan(15);
    expect(drawn).toBeLessThan(28);
    // Runs of drawn columns alternate with gaps along the curve.
    let gaps = 0;
    for (let x = 11; x < 50; x++) if (on[x - 1] && !on[x]) gaps++;
    expect(gaps).toBeGreaterThanOrEqual(4);

    const clamped = new RgbCanvas(60, 40, [0, 0, 0]);
    const d = axes(clamped);
    d.curve(() => 5, RED);
    expect(redColumns(clamped, Math.round(d.py(2))).filter(Boolean).length).toBe(40);
  });
});
