/**
 * Colour maps for figures, as 256-entry RGB lookup tables, and a labelled vertical colour bar.
 * gray; hot (black → red → yellow → white, the usual PET display); viridis (perceptually
 * uniform, for uncertainty maps; 9 anchor colours of matplotlib's table, interpolated linearly).
 */
import { RgbCanvas, type Rgb } from './canvas.js';

export type ColorMap = Uint8Array;

const clamp01 = (x: number) => Math.min(Math.max(x, 0), 1);

function lut(f: (t: number) => [number, number, number]): ColorMap {
  const out = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) out.set(f(k / 255).map((v) => Math.round(255 * clamp01(v))), 3 * k);
  return out;
}

export const GRAY: ColorMap = lut((t) => [t, t, t]);
export const HOT: ColorMap = lut((t) => [3 * t, 3 * t - 1, 3 * t - 2]);

const VIRIDIS_ANCHORS: ReadonlyArray<[number, number, number]> = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];
export const VIRIDIS: ColorMap = lut((t) => {
  const x = t * (VIRIDIS_ANCHORS.length - 1);
  const i = Math.min(VIRIDIS_ANCHORS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS_ANCHORS[i];
  const b = VIRIDIS_ANCHORS[i + 1];
  return [0, 1, 2].map((c) => (a[c] + f * (b[c] - a[c])) / 255) as [number, number, number];
});

/** The colour of value v on [lo, hi] (clamped). */
export function colorAt(map: ColorMap, v: number, lo: number, hi: number): Rgb {
  const k = 3 * Math.round(255 * clamp01((v - lo) / (hi - lo || 1)));
  return [map[k], map[k + 1], map[k + 2]];
}

/**
 * A vertical colour bar at (x, y) of w × h pixels, `lo` at the bottom, tick labels right of it
 * at `ticks` (values), the label above it.
 */
export function drawColorBar(
  canvas: RgbCanvas,
  x: number,
  y: number,
  w: number,
  h: number,
  map: ColorMap,
  lo: number,
  hi: number,
  options: { label?: string; ticks?: readonly number[]; format?: (v: number) => string; textColor?: Rgb } = {},
): void {
  const text = options.textColor ?? [230, 230, 230];
  for (let r = 0; r < h; r++) canvas.rect(x, y + r, w, 1, colorAt(map, hi - ((r + 0.5) / h) * (hi - lo), lo, hi));
  // Frame.
  canvas.rect(x - 1, y - 1, w + 2, 1, text);
  canvas.rect(x - 1, y + h, w + 2, 1, text);
  canvas.rect(x - 1, y - 1, 1, h + 2, text);
  canvas.rect(x + w, y - 1, 1, h + 2, text);
  const format = options.format ?? ((v: number) => String(Number(v.toPrecision(3))));
  for (const v of options.ticks ?? [lo, (lo + hi) / 2, hi]) {
    const ty = Math.round(y + h - 1 - ((v - lo) / (hi - lo)) * (h - 1));
    canvas.rect(x + w, ty, 4, 1, text);
    canvas.text(x + w + 6, ty - 3, format(v), text);
  }
  if (options.label) canvas.text(x, y - 12, options.label, text);
}
