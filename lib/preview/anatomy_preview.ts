/**
 * The preview figure of one anatomy sample: axial, coronal and sagittal slices with a coloured
 * label overlay and a legend naming each structure shown. Displayed in the radiological
 * convention: axial rows anterior → posterior, patient's right on the left; coronal and
 * sagittal with superior at the top.
 */
import { encodePng } from '../io/png.js';
import { RgbCanvas, type Rgb } from './canvas.js';

export const STRUCTURE_COLORS: readonly Rgb[] = [
  [66, 135, 245], [30, 200, 255], [230, 40, 60], [160, 82, 45], [150, 60, 200], [255, 200, 40],
  [40, 200, 90], [120, 230, 120], [255, 130, 30], [255, 90, 160], [240, 240, 110], [90, 220, 200], [200, 160, 255],
];

export interface PreviewInput {
  image: ArrayLike<number>;
  /** Label map [Z, Y, X] (0 background, k + 1 structure k) … */
  labels?: Uint8Array;
  /** … or one-hot masks [S, Z, Y, X] (only the shown voxels are looked up). */
  masks?: Uint8Array;
  /** [Z, Y, X]. */
  dims: readonly [number, number, number];
  spacing?: readonly [number, number, number];
  structureNames: readonly string[];
  presence?: ArrayLike<number>;
  title: string;
  /**
   * Slices to show: an axis ('axial' | 'coronal' | 'sagittal') and a position as a fraction of
   * that axis. Default: axial through the thorax (0.72) and the abdomen (0.38), coronal 0.5,
   * sagittal 0.5.
   */
  slices?: ReadonlyArray<{ plane: 'axial' | 'coronal' | 'sagittal'; at: number }>;
}

interface Panel {
  name: string;
  rows: number;
  cols: number;
  rowMm: number;
  colMm: number;
  /** Voxel index of panel pixel (r, c) in source grid units. */
  voxel: (r: number, c: number) => number;
}

function colorOf(label: number): Rgb {
  return STRUCTURE_COLORS[(label - 1) % STRUCTURE_COLORS.length];
}

/** Robust display window: the 1st and 99.5th percentiles of a strided sample of the image. */
function displayWindow(image: ArrayLike<number>): [number, number] {
  const step = Math.max(1, Math.floor(image.length / 200_000));
  const values: number[] = [];
  for (let i = 0; i < image.length; i += step) values.push(image[i]);
  values.sort((a, b) => a - b);
  const lo = values[Math.floor(0.01 * (values.length - 1))];
  const hi = values[Math.floor(0.995 * (values.length - 1))];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export function renderAnatomyPreview(input: PreviewInput): Buffer {
  const [Z, Y, X] = input.dims;
  const [sz, sy, sx] = input.spacing ?? [1, 1, 1];
  const slices = input.slices ?? [
    { plane: 'axial', at: 0.72 },
    { plane: 'axial', at: 0.38 },
    { plane: 'coronal', at: 0.5 },
    { plane: 'sagittal', at: 0.5 },
  ];
  const idx = (z: number, y: number, x: number) => (z * Y + y) * X + x;
  const pick = (f: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor(f * n)));
  const panels: Panel[] = slices.map(({ plane, at }): Panel => {
    if (plane === 'axial') {
      const z = pick(at, Z);
      return { name: `AXIAL Z=${z}`, rows: Y, cols: X, rowMm: sy, colMm: sx, voxel: (r, c) => idx(z, r, c) };
    }
    if (plane === 'coronal') {
      const y = pick(at, Y);
      return { name: `CORONAL Y=${y}`, rows: Z, cols: X, rowMm: sz, colMm: sx, voxel: (r, c) => idx(Z - 1 - r, y, c) };
    }
    const x = pick(at, X);
    return { name: `SAGITTAL X=${x}`, rows: Z, cols: Y, rowMm: sz, colMm: sy, voxel: (r, c) => idx(Z - 1 - r, c, x) };
  });
  const n = Z * Y * X;
  const S = input.structureNames.length;
  const labelAt = (v: number): number => {
    if (input.labels) return input.labels[v];
    if (input.masks) for (let s = 0; s < S; s++) if (input.masks[s * n + v]) return s + 1;
    return 0;
  };
  const panelHeight = 256;
  const sizes = panels.map((p) => {
    const pxPerMm = panelHeight / (p.rows * p.rowMm);
    return [Math.max(16, Math.round(p.cols * p.colMm * pxPerMm)), panelHeight] as const;
  });
  const margin = 8;
  const titleH = 24;
  const shown = input.structureNames
    .map((name, k) => ({ name, label: k + 1, present: input.presence ? input.presence[k] === 1 : true }));
  const legendRows = Math.ceil(shown.length / 3);
  const width = Math.max(sizes.reduce((w, s) => w + s[0] + margin, margin), 3 * 170 + margin);
  const height = titleH + panelHeight + 20 + legendRows * 14 + margin * 2;
  const canvas = new RgbCanvas(width, height, [16, 16, 16]);
  canvas.text(margin, 8, input.title, [255, 255, 255], 2);

  const [lo, hi] = displayWindow(input.image);
  let left = margin;
  panels.forEach((p, n) => {
    const [w, h] = sizes[n];
    const top = titleH + 4;
    for (let py = 0; py < h; py++) {
      const r = Math.min(p.rows - 1, Math.floor(((py + 0.5) * p.rows) / h));
      for (let px = 0; px < w; px++) {
        const c = Math.min(p.cols - 1, Math.floor(((px + 0.5) * p.cols) / w));
        const v = p.voxel(r, c);
        const g = Math.max(0, Math.min(255, Math.round((255 * (input.image[v] - lo)) / (hi - lo))));
        const label = labelAt(v);
        if (label > 0) {
          const col = colorOf(label);
          canvas.set(left + px, top + py, [0.55 * g + 0.45 * col[0], 0.55 * g + 0.45 * col[1], 0.55 * g + 0.45 * col[2]].map(Math.round) as unknown as Rgb);
        } else {
          canvas.set(left + px, top + py, [g, g, g]);
        }
      }
    }
    canvas.text(left + 4, top + 4, p.name, [255, 255, 0]);
    left += w + margin;
  });

  const legendTop = titleH + panelHeight + 16;
  shown.forEach((s, k) => {
    const x = margin + (k % 3) * 170;
    const y = legendTop + Math.floor(k / 3) * 14;
    canvas.rect(x, y, 10, 10, s.present ? colorOf(s.label) : [60, 60, 60]);
    canvas.text(x + 14, y + 2, s.present ? s.name : `${s.name} (absent)`, s.present ? [230, 230, 230] : [120, 120, 120]);
  });
  return encodePng(canvas.pixels, width, height, 3);
}
