/** Line plots on an RgbCanvas: lines, dashed lines, dots, and a framed panel with data→pixel mapping. */
import { RgbCanvas, type Rgb } from './canvas.js';

/** A straight line from (x0, y0) to (x1, y1), `dash` px on / off (0: solid). */
export function drawLine(c: RgbCanvas, x0: number, y0: number, x1: number, y1: number, color: Rgb, dash = 0): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) {
    if (dash > 0 && Math.floor(s / dash) % 2 === 1) continue;
    const t = s / steps;
    c.set(Math.round(x0 + t * (x1 - x0)), Math.round(y0 + t * (y1 - y0)), color);
  }
}

/** A filled square dot of half-size r centred at (x, y). */
export function drawDot(c: RgbCanvas, x: number, y: number, r: number, color: Rgb): void {
  c.rect(Math.round(x) - r, Math.round(y) - r, 2 * r + 1, 2 * r + 1, color);
}

/** A rectangle of the canvas showing data x in [x0, x1] and y in [y0, y1] (y up). */
export class PlotPanel {
  constructor(
    readonly canvas: RgbCanvas,
    readonly left: number,
    readonly top: number,
    readonly width: number,
    readonly height: number,
    readonly x0: number,
    readonly x1: number,
    readonly y0: number,
    readonly y1: number,
  ) {}

  px(x: number): number {
    return this.left + ((x - this.x0) / (this.x1 - this.x0 || 1)) * (this.width - 1);
  }

  py(y: number): number {
    return this.top + (1 - (y - this.y0) / (this.y1 - this.y0 || 1)) * (this.height - 1);
  }

  /** Frame, tick labels at the corners of each axis, and axis names. */
  frame(color: Rgb, label: Rgb, xName: string, yName: string, digits = 0): void {
    const c = this.canvas;
    drawLine(c, this.left, this.top + this.height - 1, this.left + this.width - 1, this.top + this.height - 1, color);
    drawLine(c, this.left, this.top, this.left, this.top + this.height - 1, color);
    c.text(this.left - RgbCanvas.textWidth(this.y1.toFixed(digits)) - 3, this.top, this.y1.toFixed(digits), label);
    c.text(this.left - RgbCanvas.textWidth(this.y0.toFixed(digits)) - 3, this.top + this.height - 7, this.y0.toFixed(digits), label);
    c.text(this.left, this.top + this.height + 3, this.x0.toFixed(1), label);
    const right = this.x1.toFixed(1);
    c.text(this.left + this.width - RgbCanvas.textWidth(right), this.top + this.height + 3, right, label);
    c.text(this.left + (this.width - RgbCanvas.textWidth(xName)) / 2, this.top + this.height + 3, xName, label);
    c.text(this.left + 4, this.top, yName, label);
  }

  /** The curve y = f(x) sampled at one point per pixel column. */
  curve(f: (x: number) => number, color: Rgb, dash = 0): void {
    let prev: [number, number] | undefined;
    for (let i = 0; i < this.width; i++) {
      const x = this.x0 + ((this.x1 - this.x0) * i) / (this.width - 1);
      const y = Math.min(this.y1, Math.max(this.y0, f(x)));
      const p: [number, number] = [this.px(x), this.py(y)];
      if (prev && (dash === 0 || Math.floor(i / dash) % 2 === 0)) drawLine(this.canvas, prev[0], prev[1], p[0], p[1], color);
      prev = p;
    }
  }
}
