/**
 * Line charts on an RgbCanvas: anti-aliasing-free lines and markers, and axes with ticks, tick
 * labels and axis titles (the y title drawn vertically), for training curves, reliability
 * diagrams and the longitudinal preview's curves.
 */
import { RgbCanvas, type Rgb } from './canvas.js';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font5x7.js';

/** A line from (x0, y0) to (x1, y1), `width` pixels thick (DDA, square pen). */
export function drawLine(c: RgbCanvas, x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const h = Math.floor((width - 1) / 2);
  for (let k = 0; k <= steps; k++) {
    const x = Math.round(x0 + ((x1 - x0) * k) / steps);
    const y = Math.round(y0 + ((y1 - y0) * k) / steps);
    c.rect(x - h, y - h, width, width, color);
  }
}

/** A dashed line (dash and gap in pixels along the longer axis). */
export function drawDashedLine(c: RgbCanvas, x0: number, y0: number, x1: number, y1: number, color: Rgb, dash = 6, gap = 4): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let k = 0; k <= steps; k++) {
    if (k % (dash + gap) >= dash) continue;
    c.set(Math.round(x0 + ((x1 - x0) * k) / steps), Math.round(y0 + ((y1 - y0) * k) / steps), color);
  }
}

/** Text rotated 90° counter-clockwise (reading bottom to top), its baseline's start at (x, y). */
export function drawTextUp(c: RgbCanvas, x: number, y: number, s: string, color: Rgb, scale = 1): void {
  let along = 0;
  for (const ch of s) {
    const rows = glyph(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let b = 0; b < GLYPH_WIDTH; b++) {
        if (rows[r] & (1 << (GLYPH_WIDTH - 1 - b))) c.rect(x + r * scale, y - (along + b + 1) * scale, scale, scale, color);
      }
    }
    along += GLYPH_WIDTH + 1;
  }
}

/** Round tick values covering [lo, hi], about `count` of them (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export interface AxesOptions {
  xRange: readonly [number, number];
  yRange: readonly [number, number];
  xLabel?: string;
  yLabel?: string;
  title?: string;
  xTicks?: readonly number[];
  yTicks?: readonly number[];
  format?: (v: number) => string;
  color?: Rgb;
  grid?: Rgb | null;
}

/** A plotting area: maps data coordinates to pixels and draws its frame, ticks and labels. */
export class Axes {
  readonly xTicks: readonly number[];
  readonly yTicks: readonly number[];

  constructor(
    readonly canvas: RgbCanvas,
    /** The plot rectangle (inside the frame) in pixels. */
    readonly left: number,
    readonly top: number,
    readonly width: number,
    readonly height: number,
    readonly o: AxesOptions,
  ) {
    this.xTicks = o.xTicks ?? niceTicks(o.xRange[0], o.xRange[1]);
    this.yTicks = o.yTicks ?? niceTicks(o.yRange[0], o.yRange[1]);
  }

  px(x: number): number {
    const [a, b] = this.o.xRange;
    return this.left + ((x - a) / (b - a)) * (this.width - 1);
  }

  py(y: number): number {
    const [a, b] = this.o.yRange;
    return this.top + this.height - 1 - ((y - a) / (b - a)) * (this.height - 1);
  }

  /** Grid, frame, ticks, tick labels, axis titles and title. */
  draw(): void {
    const c = this.canvas;
    const color = this.o.color ?? [230, 230, 230];
    const fmt = this.o.format ?? ((v: number) => String(Number(v.toPrecision(4))));
    const grid = this.o.grid === undefined ? ([60, 60, 60] as Rgb) : this.o.grid;
    if (grid) {
      for (const t of this.xTicks) c.rect(Math.round(this.px(t)), this.top, 1, this.height, grid);
      for (const t of this.yTicks) c.rect(this.left, Math.round(this.py(t)), this.width, 1, grid);
    }
    c.rect(this.left - 1, this.top - 1, this.width + 2, 1, color);
    c.rect(this.left - 1, this.top + this.height, this.width + 2, 1, color);
    c.rect(this.left - 1, this.top - 1, 1, this.height + 2, color);
    c.rect(this.left + this.width, this.top - 1, 1, this.height + 2, color);
    let widest = 0;
    for (const t of this.xTicks) {
      const x = Math.round(this.px(t));
      c.rect(x, this.top + this.height, 1, 4, color);
      const s = fmt(t);
      c.text(x - Math.floor(RgbCanvas.textWidth(s) / 2), this.top + this.height + 7, s, color);
    }
    for (const t of this.yTicks) {
      const y = Math.round(this.py(t));
      c.rect(this.left - 5, y, 4, 1, color);
      const s = fmt(t);
      widest = Math.max(widest, RgbCanvas.textWidth(s));
      c.text(this.left - 8 - RgbCanvas.textWidth(s), y - 3, s, color);
    }
    if (this.o.xLabel) {
      const w = RgbCanvas.textWidth(this.o.xLabel);
      c.text(this.left + Math.floor((this.width - w) / 2), this.top + this.height + 20, this.o.xLabel, color);
    }
    if (this.o.yLabel) {
      const w = RgbCanvas.textWidth(this.o.yLabel);
      drawTextUp(c, this.left - 20 - widest, this.top + Math.floor((this.height + w) / 2), this.o.yLabel, color);
    }
    if (this.o.title) c.text(this.left, this.top - 14, this.o.title, color);
  }

  /**
   * A polyline through the finite points (gaps at NaN). With `dash` > 0 the segments alternate,
   * `dash` drawn and `dash` skipped — a dashed curve when the points are about a pixel apart.
   */
  polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, color: Rgb, width = 2, dash = 0): void {
    let prev: [number, number] | null = null;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
        prev = null;
        continue;
      }
      const p: [number, number] = [this.px(xs[i]), this.py(ys[i])];
      if (dash > 0 && Math.floor(i / dash) % 2 === 1) {
        prev = p;
        continue;
      }
      if (prev) drawLine(this.canvas, prev[0], prev[1], p[0], p[1], color, width);
      else drawLine(this.canvas, p[0], p[1], p[0], p[1], color, width);
      prev = p;
    }
  }

  /** The curve y = f(x) over the x range, one point per pixel column, clamped to the y range. */
  curve(f: (x: number) => number, color: Rgb, width = 1, dash = 0): void {
    const [a, b] = this.o.xRange;
    const [lo, hi] = this.o.yRange;
    const xs = Float64Array.from({ length: this.width }, (_, i) => a + ((b - a) * i) / Math.max(1, this.width - 1));
    this.polyline(xs, xs.map((x) => Math.min(hi, Math.max(lo, f(x)))), color, width, dash);
  }

  /** Square markers of `size` pixels at the finite points. */
  markers(xs: ArrayLike<number>, ys: ArrayLike<number>, color: Rgb, size = 5): void {
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
      // Offset as drawLine's pen, so a marker sits centred on a line through the same point.
      const o = Math.floor((size - 1) / 2);
      this.canvas.rect(Math.round(this.px(xs[i])) - o, Math.round(this.py(ys[i])) - o, size, size, color);
    }
  }
}

/** A legend: one coloured swatch and label per row, from (x, y). */
export function drawLegend(c: RgbCanvas, x: number, y: number, entries: ReadonlyArray<{ label: string; color: Rgb }>, text: Rgb = [230, 230, 230]): void {
  entries.forEach((e, k) => {
    c.rect(x, y + k * 12 + 2, 12, 3, e.color);
    c.text(x + 16, y + k * 12, e.label, text);
  });
}
