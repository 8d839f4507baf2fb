/**
 * The preview PNG of a nodule set: one row per kind, up to `perKind` nodules each, every nodule
 * as a 6 mm axial maximum-intensity slab through its centre (how nodules are read: thin spicules
 * that leave the centre slice still show; lung window W1500/L−600, i.e. −1350 … 150 HU) with the
 * centre slice's mask outline in colour (red malignant, green benign; the solid core of
 * part-solid nodules yellow) and its diameter under it.
 */
import { encodePng } from '../../io/png.js';
import { RgbCanvas, type Rgb } from '../../preview/canvas.js';
import { NODULE_KINDS } from './kinds.js';

export interface PreviewNodule {
  kind: string;
  diameterMm: number;
  malignant: boolean;
  dims: readonly [number, number, number];
  spacing: readonly [number, number, number];
  image: Float32Array;
  mask: Uint8Array;
}

const WINDOW = { lo: -1350, hi: 150 };
const SLAB_MM = 6;
const COLORS: Record<string, Rgb> = { malignant: [255, 60, 60], benign: [60, 220, 60], core: [255, 220, 0] };
const gray = (hu: number) => Math.round(255 * Math.min(Math.max((hu - WINDOW.lo) / (WINDOW.hi - WINDOW.lo), 0), 1));

export function renderNodulePreview(nodules: readonly PreviewNodule[], perKind = 6, scale = 2): Buffer {
  const kinds = NODULE_KINDS.filter((k) => nodules.some((n) => n.kind === k));
  const [, Y, X] = nodules[0]?.dims ?? [1, 64, 64];
  const cell = { w: X * scale, h: Y * scale + 12 };
  const left = 96, top = 16;
  const canvas = new RgbCanvas(left + perKind * (cell.w + 4), top + Math.max(kinds.length, 1) * (cell.h + 6), [24, 24, 24]);
  canvas.text(4, 4, `axial ${SLAB_MM} mm MIP slabs, W1500/L-600; outline red = malignant, green = benign`, [230, 230, 230]);
  kinds.forEach((kind, row) => {
    const y0 = top + row * (cell.h + 6);
    canvas.text(4, y0 + cell.h / 2 - 4, kind, [230, 230, 230]);
    nodules.filter((n) => n.kind === kind).slice(0, perKind).forEach((n, col) => {
      const x0 = left + col * (cell.w + 4);
      const z = Math.floor(n.dims[0] / 2);
      const half = Math.max(0, Math.round(SLAB_MM / 2 / n.spacing[0]));
      const z0 = Math.max(0, z - half), z1 = Math.min(n.dims[0] - 1, z + half);
      const at = (y: number, x: number) => (z * Y + y) * X + x;
      const slab = (y: number, x: number) => {
        let v = -Infinity;
        for (let k = z0; k <= z1; k++) v = Math.max(v, n.image[(k * Y + y) * X + x]);
        return v;
      };
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++) {
          const m = n.mask[at(y, x)];
          const edge = m > 0 && (y === 0 || x === 0 || y === Y - 1 || x === X - 1 || n.mask[at(y - 1, x)] !== m || n.mask[at(y + 1, x)] !== m || n.mask[at(y, x - 1)] !== m || n.mask[at(y, x + 1)] !== m);
          const g = gray(slab(y, x));
          const c: Rgb = edge ? (m === 2 ? COLORS.core : n.malignant ? COLORS.malignant : COLORS.benign) : [g, g, g];
          canvas.rect(x0 + x * scale, y0 + y * scale, scale, scale, c);
        }
      }
      canvas.text(x0 + 2, y0 + Y * scale + 3, `${n.diameterMm.toFixed(1)}mm`, n.malignant ? COLORS.malignant : [200, 200, 200]);
    });
  });
  return encodePng(canvas.pixels, canvas.width, canvas.height, 3);
}
