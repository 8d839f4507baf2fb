/**
 * Plain float64 reference for the clinical renderer (native/field/clinical2d.h): the header's
 * formulas written out with the noise and blur references, one sample at a time.
 */
import { ROW } from '../../lib/generators/clinical2d/render_rows.js';
import type { RenderOptions } from '../../lib/generators/clinical2d/render_rows.js';
import { referenceGaussianBlur, referenceKernel } from '../../lib/reference/gaussian_blur.js';
import { referenceNormals } from '../../lib/reference/noise.js';

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** The unit-variance parenchyma field T of sample `index`, [H, W]. */
export function referenceParenchyma(o: RenderOptions, index: number): Float64Array {
  const { height: H, width: W } = o;
  const f = Math.max(1, Math.floor(o.textureSigma / 3));
  const least = f === 1 ? 1 : 2;
  const hc = Math.max(least, Math.ceil((H - 1) / f) + 1);
  const wc = Math.max(least, Math.ceil((W - 1) / f) + 1);
  const sc = o.textureSigma / f;
  const m = Math.ceil(3 * sc);
  const ph = hc + 2 * m;
  const pw = wc + 2 * m;
  const white = referenceNormals({ seed: o.seed, sample: index, stream: o.textureStream }, ph * pw);
  const blurred = referenceGaussianBlur(white, [ph, pw], [sc, sc]);
  const w = referenceKernel(sc);
  let sum2 = 0;
  let lag1 = 0;
  for (let k = 0; k < w.length; k++) {
    sum2 += w[k] * w[k];
    if (k + 1 < w.length) lag1 += w[k] * w[k + 1];
  }
  const rho = lag1 / sum2;
  const coarse = (cy: number, cx: number) => blurred[(cy + m) * pw + cx + m] / sum2;
  // Weights of pixel p on its axis: [node, weight] pairs, normalised to unit variance.
  const axis = (p: number, nodes: number): Array<[number, number]> => {
    const i = Math.min(Math.floor(p / f), nodes - 1);
    const t = (p - i * f) / f;
    const sd = Math.sqrt((1 - t) ** 2 + t ** 2 + 2 * t * (1 - t) * rho);
    return i + 1 < nodes ? [[i, (1 - t) / sd], [i + 1, t / sd]] : [[i, 1]];
  };
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 0;
      for (const [cy, wy] of axis(y, hc)) for (const [cx, wx] of axis(x, wc)) v += wy * wx * coarse(cy, cx);
      out[y * W + x] = v;
    }
  }
  return out;
}

/** The image of one parameter row (ROW layout), [H, W], float64. */
export function referenceClinicalImage(o: RenderOptions, row: ArrayLike<number>): Float64Array {
  const { height: H, width: W } = o;
  const index = row[ROW.index];
  const T = referenceParenchyma(o, index);
  const image = new Float64Array(H * W);
  for (let k = 0; k < H * W; k++) {
    image[k] = row[ROW.fat] + row[ROW.dense] * logistic((T[k] - row[ROW.threshold]) / o.textureEdge) + row[ROW.fine] * T[k];
  }
  const c = row[ROW.contrast];
  if (c !== 0) {
    const psi = row[ROW.orientation];
    const e = row[ROW.elongation];
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const dx = x - row[ROW.cx];
        const dy = y - row[ROW.cy];
        const u = (Math.cos(psi) * dx + Math.sin(psi) * dy) / Math.sqrt(e);
        const v = (Math.cos(psi) * dy - Math.sin(psi) * dx) * Math.sqrt(e);
        const rho = Math.hypot(u, v);
        const theta = Math.atan2(v, u);
        let outline = 1;
        [3, 4, 5].forEach((h, k) => {
          outline += row[ROW.lobes + 2 * k] * Math.cos(h * theta) + row[ROW.lobes + 2 * k + 1] * Math.sin(h * theta);
        });
        image[y * W + x] += c * logistic((row[ROW.radius] * outline - rho) / o.lesionEdge);
      }
    }
  }
  const psf = row[ROW.psfSigma];
  const blurred = psf > 0 ? referenceGaussianBlur(image, [H, W], [psf, psf]) : image;
  const noise = referenceNormals({ seed: o.seed, sample: index, stream: o.noiseStream }, H * W);
  return blurred.map((v, k) => v + o.noiseSigma * noise[k]);
}
