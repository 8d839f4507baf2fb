import { describe, expect, it } from 'vitest';

import { ClinicalSynth, type ClinicalBatch } from '../lib/generators/clinical2d/index.js';

const S = 64;

/** Azimuthal mean of image j around its lesion centre, in 1-px rings r = 0, 1, …, maxR. */
function radialProfile(b: ClinicalBatch, j: number, maxR: number): Float64Array {
  const sum = new Float64Array(maxR + 1);
  const count = new Float64Array(maxR + 1);
  const cx = b.truth.lesionX[j];
  const cy = b.truth.lesionY[j];
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const r = Math.round(Math.hypot(x - cx, y - cy));
      if (r > maxR) continue;
      sum[r] += b.images[j * S * S + y * S + x];
      count[r]++;
    }
  }
  return sum.map((s, r) => (count[r] ? s / count[r] : NaN));
}

/** Steepest fall of the radial profile (per px), relative to the lesion's contrast. */
function edgeSharpness(b: ClinicalBatch, j: number): number {
  const p = radialProfile(b, j, 24);
  let best = 0;
  for (let r = 1; r + 1 < p.length; r++) {
    if (!Number.isNaN(p[r - 1]) && !Number.isNaN(p[r + 1])) best = Math.max(best, (p[r - 1] - p[r + 1]) / 2);
  }
  return best / b.truth.contrast[j];
}

function meanSe(v: number[]): { mean: number; se: number } {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
  return { mean: m, se: Math.sqrt(variance / v.length) };
}

/** Slope of y on x with its standard error. */
function slope(x: number[], y: number[]): { b: number; se: number } {
  const mx = x.reduce((a, v) => a + v, 0) / x.length;
  const my = y.reduce((a, v) => a + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  x.forEach((v, i) => {
    sxy += (v - mx) * (y[i] - my);
    sxx += (v - mx) ** 2;
  });
  const b = sxy / sxx;
  let rss = 0;
  x.forEach((v, i) => (rss += (y[i] - my - b * (v - mx)) ** 2));
  return { b, se: Math.sqrt(rss / (x.length - 2) / sxx) };
}

describe('clinical images', () => {
  // Every sample has a lesion (a0 = 10); the lesion stays inside a 64×64 image.
  for (const [label, extra] of [
    ['without texture', { gland_gain: 0, tex_fine: 0, tex_den: 0 }],
    ['with the default texture', {}],
  ] as const) {
    it(`scanner blur lowers lesion edge sharpness: A > B > C (${label})`, async () => {
      const synth = new ClinicalSynth({ H: S, W: S, a0: 10, ...extra });
      const b = await synth.sampleRange(0, 360);
      const by: number[][] = [[], [], []];
      for (let j = 0; j < b.n; j++) if (b.truth.z[j] && b.truth.contrast[j] > 0.05) by[b.truth.scanner[j]].push(edgeSharpness(b, j));
      const [A, B, C] = by.map(meanSe);
      expect(by.every((v) => v.length > 80)).toBe(true);
      expect(A.mean - B.mean).toBeGreaterThan(3 * Math.hypot(A.se, B.se));
      expect(B.mean - C.mean).toBeGreaterThan(3 * Math.hypot(B.se, C.se));
    });
  }

  it('shows lesions whose measured contrast falls with density', async () => {
    const synth = new ClinicalSynth({ H: S, W: S, a0: 10, device_blur: { A: 1 } });
    const b = await synth.sampleRange(0, 300);
    const density: number[] = [];
    const measured: number[] = [];
    const truth: number[] = [];
    for (let j = 0; j < b.n; j++) {
      const p = radialProfile(b, j, 40);
      const reach = (b.truth.size[j] / 2) * Math.sqrt(b.truth.elongation[j]) * 1.4;
      const avg = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const inner = [...p.slice(0, Math.max(2, Math.floor(b.truth.size[j] / 4)))].filter((v) => !Number.isNaN(v));
      const outer = [...p.slice(Math.ceil(reach) + 2, Math.ceil(reach) + 7)].filter((v) => !Number.isNaN(v));
      if (!b.truth.z[j] || inner.length === 0 || outer.length === 0) continue;
      density.push(b.truth.density[j]);
      measured.push(avg(inner) - avg(outer));
      truth.push(b.truth.contrast[j]);
    }
    const s = slope(density, measured);
    // The model's slope is −con_den = −0.6 (a 1-px PSF takes a few percent off the peak);
    // texture and surroundings add noise, not bias.
    expect(s.b + 3 * s.se).toBeLessThan(0);
    expect(Math.abs(s.b + 0.6)).toBeLessThan(0.05 + 3 * s.se);
    const t = slope(truth, measured);
    expect(t.b - 3 * t.se).toBeGreaterThan(0.5);
  });

  it('makes the background brighter and more textured with density', async () => {
    const synth = new ClinicalSynth({ H: S, W: S, a0: -50 });
    const b = await synth.sampleRange(0, 300);
    const density: number[] = [];
    const level: number[] = [];
    const spread: number[] = [];
    for (let j = 0; j < b.n; j++) {
      const img = b.images.subarray(j * S * S, (j + 1) * S * S);
      const m = img.reduce((a, v) => a + v, 0) / img.length;
      density.push(b.truth.density[j]);
      level.push(m);
      spread.push(Math.sqrt(img.reduce((a, v) => a + (v - m) ** 2, 0) / img.length));
    }
    // Mean level ≈ bg_base·(1 + gland_gain·d): slope bg_base·gland_gain = 0.4.
    const s = slope(density, level);
    expect(Math.abs(s.b - 0.4)).toBeLessThan(0.05 + 3 * s.se);
    expect(b.truth.z.every((z) => z === 0)).toBe(true);
    // Texture amplitude bg_base·(tex_fine + tex_den·d) grows with density.
    const dense = spread.filter((_, j) => density[j] > 0.7);
    const fatty = spread.filter((_, j) => density[j] < 0.3);
    expect(meanSe(dense).mean).toBeGreaterThan(meanSe(fatty).mean);
  });
});
