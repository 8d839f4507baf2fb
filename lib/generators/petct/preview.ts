/**
 * The preview PNG of one PET/CT patient: CT (soft-tissue window W400/L40), PET (hot colour map,
 * SUV 0–10) and CT with the tumour mask (primary red, nodes/metastases yellow) side by side; an
 * axial row through the primary tumour and, for volumes, a coronal row: the CT slice through the
 * primary, the PET maximum-intensity projection and the mask projected along y over that CT
 * slice, so every lesion shows. Radiological display: patient's right on the image's left,
 * anterior (axial) or superior (coronal) at the top.
 */
import { encodePng } from '../../io/png.js';
import { RgbCanvas, type Rgb } from '../../preview/canvas.js';
import type { PetCtPatientParams } from './params.js';

export interface PetCtPreviewInput {
  params: PetCtPatientParams;
  /** [Z, Y, X] of the images. */
  dims: readonly [number, number, number];
  spacing: readonly [number, number, number];
  ct: ArrayLike<number>;
  pet: ArrayLike<number>;
  labels: Uint8Array;
  /** Voxel index (z, y, x) of the primary tumour's centre. */
  focus: readonly [number, number, number];
}

const CT_WINDOW = { center: 40, width: 400 };
const SUV_DISPLAY_MAX = 10;
const MASK_COLORS: ReadonlyArray<Rgb | undefined> = [undefined, [255, 40, 40], [255, 220, 0]];
const STAGES = ['I', 'II', 'III', 'IV'];

/** The "hot" colour map (black → red → yellow → white) on HOT_STEPS levels of SUV 0 … max. */
const HOT_STEPS = 1024;
const HOT_LUT = (() => {
  const lut = new Uint8Array(3 * HOT_STEPS);
  const c = (x: number) => Math.round(255 * Math.min(Math.max(x, 0), 1));
  for (let k = 0; k < HOT_STEPS; k++) {
    const t = k / (HOT_STEPS - 1);
    lut.set([c(3 * t), c(3 * t - 1), c(3 * t - 2)], 3 * k);
  }
  return lut;
})();

function ctGray(hu: number): number {
  const lo = CT_WINDOW.center - CT_WINDOW.width / 2;
  return Math.round(255 * Math.min(Math.max((hu - lo) / CT_WINDOW.width, 0), 1));
}

interface View {
  names: [string, string, string];
  rows: number;
  cols: number;
  rowMm: number;
  colMm: number;
  ct: (r: number, c: number) => number;
  pet: (r: number, c: number) => number;
  label: (r: number, c: number) => number;
}

export function renderPetCtPreview(input: PetCtPreviewInput): Buffer {
  const [Z, Y, X] = input.dims;
  const [sz, sy, sx] = input.spacing;
  const [fz, fy] = input.focus.map((v, a) => Math.min(Math.max(Math.round(v), 0), input.dims[a] - 1));
  const idx = (z: number, y: number, x: number) => (z * Y + y) * X + x;
  const views: View[] = [
    {
      names: [`CT W400 L40  AXIAL Z=${fz}`, `PET SUV 0-${SUV_DISPLAY_MAX}`, 'TUMOUR MASK'],
      rows: Y,
      cols: X,
      rowMm: sy,
      colMm: sx,
      ct: (r, c) => input.ct[idx(fz, r, c)],
      pet: (r, c) => input.pet[idx(fz, r, c)],
      label: (r, c) => input.labels[idx(fz, r, c)],
    },
  ];
  if (Z > 1) {
    // Projections along y (anterior → posterior): the highest SUV and the highest label.
    const mip = new Float32Array(Z * X);
    const labelMip = new Uint8Array(Z * X);
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++) {
          const i = idx(z, y, x);
          if (input.pet[i] > mip[z * X + x]) mip[z * X + x] = input.pet[i];
          if (input.labels[i] > labelMip[z * X + x]) labelMip[z * X + x] = input.labels[i];
        }
      }
    }
    views.push({
      names: [`CT CORONAL Y=${fy}`, 'PET MIP', 'MASK PROJECTION'],
      rows: Z,
      cols: X,
      rowMm: sz,
      colMm: sx,
      ct: (r, c) => input.ct[idx(Z - 1 - r, fy, c)],
      pet: (r, c) => mip[(Z - 1 - r) * X + c],
      label: (r, c) => labelMip[(Z - 1 - r) * X + c],
    });
  }

  const panelHeight = 256;
  const margin = 8;
  const titleH = 40;
  const headerH = 14;
  const sizes = views.map((v) => [Math.max(32, Math.round((v.cols * v.colMm * panelHeight) / (v.rows * v.rowMm))), panelHeight] as const);
  const panelWidth = Math.max(...sizes.map((s) => s[0]));
  const width = margin + 3 * (panelWidth + margin);
  const height = titleH + views.length * (headerH + panelHeight + margin) + margin;
  const canvas = new RgbCanvas(width, height, [16, 16, 16]);

  const p = input.params;
  const c = p.latent.clinical;
  const im = p.latent.imaging;
  canvas.text(margin, 6, `${p.id}  STAGE ${STAGES[c.stage - 1]}  AGE ${c.age} ${c.sex}`, [255, 255, 255], 2);
  canvas.text(
    margin,
    26,
    `LESIONS ${im.lesionCount}  MTV ${im.mtvMl.toFixed(1)} ML  SUVMAX ${im.suvMax.toFixed(1)}  ` +
      `TIME ${p.outcome.time.toFixed(1)} MO ${p.outcome.event ? 'EVENT' : 'CENSORED'}`,
    [200, 200, 200],
  );

  let top = titleH;
  views.forEach((v, k) => {
    const [w, h] = sizes[k];
    const rowOf = Int32Array.from({ length: h }, (_, py) => Math.min(v.rows - 1, Math.floor(((py + 0.5) * v.rows) / h)));
    const colOf = Int32Array.from({ length: w }, (_, px) => Math.min(v.cols - 1, Math.floor(((px + 0.5) * v.cols) / w)));
    const px3 = canvas.pixels;
    for (let col = 0; col < 3; col++) {
      const left = margin + col * (panelWidth + margin) + Math.floor((panelWidth - w) / 2);
      canvas.text(margin + col * (panelWidth + margin), top + 2, v.names[col], [255, 255, 0]);
      for (let py = 0; py < h; py++) {
        const r = rowOf[py];
        let o = 3 * ((top + headerH + py) * width + left);
        for (let px = 0; px < w; px++, o += 3) {
          const cc = colOf[px];
          if (col === 1) {
            const k = 3 * Math.min(HOT_STEPS - 1, Math.max(0, Math.round((v.pet(r, cc) / SUV_DISPLAY_MAX) * (HOT_STEPS - 1))));
            px3[o] = HOT_LUT[k];
            px3[o + 1] = HOT_LUT[k + 1];
            px3[o + 2] = HOT_LUT[k + 2];
            continue;
          }
          const g = ctGray(v.ct(r, cc));
          const m = col === 2 ? MASK_COLORS[v.label(r, cc)] : undefined;
          px3[o] = m ? Math.round(0.4 * g + 0.6 * m[0]) : g;
          px3[o + 1] = m ? Math.round(0.4 * g + 0.6 * m[1]) : g;
          px3[o + 2] = m ? Math.round(0.4 * g + 0.6 * m[2]) : g;
        }
      }
    }
    top += headerH + panelHeight + margin;
  });
  return encodePng(canvas.pixels, width, height, 3);
}
