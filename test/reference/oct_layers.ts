/**
 * Plain float64 reference for the OCT renderer (native/field/oct_layers.h): the header's formulas
 * written out per pixel with the noise and blur references, one sample at a time.
 */
import { OCT_ROW, type OctRenderOptions } from '../../lib/generators/longitudinal/oct_render.js';
import { referenceGaussianBlur, referenceKernel } from '../../lib/reference/gaussian_blur.js';
import { referenceNormals } from '../../lib/reference/noise.js';

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Boundary depths b_0 … b_8 of column x (b_0 the ILM, b_8 Bruch's membrane). */
export function referenceBoundaries(o: OctRenderOptions, row: ArrayLike<number>, x: number): number[] {
  const W = o.width;
  const u = W > 1 ? (x - (W - 1) / 2) / ((W - 1) / 2) : 0;
  const bruch = row[OCT_ROW.bruch] + row[OCT_ROW.curvature] * u * u + row[OCT_ROW.tilt] * u;
  let lift = 0;
  for (let k = 0; k < row[OCT_ROW.drusenCount]; k++) {
    const [m, w, h] = [0, 1, 2].map((i) => row[OCT_ROW.drusen + 3 * k + i]);
    lift += h * Math.exp(-((x - m) ** 2) / (2 * w * w));
  }
  const pit = row[OCT_ROW.pitDepth] * Math.exp(-((x - row[OCT_ROW.pitCentre]) ** 2) / (2 * row[OCT_ROW.pitWidth] ** 2));
  const b = new Array<number>(9);
  b[8] = bruch;
  b[7] = bruch - lift;
  for (let l = 6; l >= 0; l--) b[l] = b[l + 1] - row[OCT_ROW.thickness] * o.fraction[l] * (1 - o.pitWeight[l] * pit);
  return b;
}

/** The image of one parameter row, [H, W], float64. */
export function referenceOctImage(o: OctRenderOptions, row: ArrayLike<number>): Float64Array {
  const { height: H, width: W } = o;
  const index = row[OCT_ROW.index];
  const s = row[OCT_ROW.speckle];
  let S: Float64Array = new Float64Array(H * W);
  if (s > 0) {
    const white = referenceNormals({ seed: o.seed, sample: index, stream: o.speckleStream }, H * W);
    S = referenceGaussianBlur(white, [H, W], [o.grainAxial, o.grainLateral]);
    let sum2 = 1;
    for (const g of [o.grainAxial, o.grainLateral]) if (g > 0) sum2 *= referenceKernel(g).reduce((a, w) => a + w * w, 0);
    S = S.map((v) => v / Math.sqrt(sum2));
  }
  const noise = referenceNormals({ seed: o.seed, sample: index, stream: o.noiseStream }, H * W);
  const out = new Float64Array(H * W);
  for (let x = 0; x < W; x++) {
    const b = referenceBoundaries(o, row, x);
    for (let y = 0; y < H; y++) {
      let R = o.reflectivity[0];
      for (let k = 0; k < 9; k++) R += (o.reflectivity[k + 1] - o.reflectivity[k]) * logistic((y - b[k]) / o.edge);
      const A = Math.exp(-row[OCT_ROW.attenuation] * Math.max(0, y - b[0]));
      const v = y * W + x;
      out[v] = row[OCT_ROW.gain] * R * A * Math.exp(s * S[v] - (s * s) / 2) + o.noiseSigma * noise[v];
    }
  }
  return out;
}
