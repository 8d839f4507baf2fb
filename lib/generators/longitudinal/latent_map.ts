/**
 * The parametric image model: latent z (LATENT_DIM standard normals) → the visible factors of an
 * OCT-like B-scan → a renderer row (oct_render.ts). Each latent dimension drives exactly one
 * factor, monotonically, so a traversal of dimension k changes only what LATENT_FACTORS[k] says:
 *
 *   z0 thickness   total retinal thickness   = 0.34·H·exp(0.15·z0)            px
 *   z1 curvature   edge sag of the retina    = 0.08·H·z1                       px (> 0 edges deeper: ∩ on screen; < 0 edges higher: the ∪ of a posterior pole)
 *   z2 drusen      drusen count              = min(8, floor(9·Φ(z2)))          0 … 8 (4 at z2 = 0)
 *   z3 drusen size height, width multiplier  = exp(0.35·z3)                    (×0.045·H, ×0.025·W, per druse ×U(0.7, 1.3))
 *   z4 pit         foveal pit depth          = 0.9·logistic(1.2·z4 + 0.4)     share of inner retina removed at the fovea
 *   z5 texture     speckle log-SD            = 0.3·exp(0.3·z5)
 *   z6 intensity   gain                      = exp(0.25·z6)
 *   z7 tilt        depth change centre→right = 0.06·H·z7                       px
 *
 * Nuisance (not latent, drawn per subject from the image stream, so two subjects with the same z
 * still differ in detail): Bruch depth 0.68·H + N(0, (0.02·H)²), pit centre W/2 + N(0, (0.03·W)²),
 * pit width 0.08·W·U(0.8, 1.2), drusen centres U(0.1·W, 0.9·W) and per-druse size multipliers.
 * The nuisance draws are the same whatever z is, so a latent traversal of one subject shows only
 * the latent's effect.
 */
import { Rng } from '../../core/philox.js';
import { OCT_MAX_DRUSEN, OCT_ROW, OCT_STRIDE } from './oct_render.js';
import { LONGITUDINAL_STREAMS } from './streams.js';

export const LATENT_DIM = 8;
/** Light falls by e^−2 over the image height below the ILM. */
export const ATTENUATION_DEPTHS = 2;

/** Name, factor and formula of each latent dimension, in order (recorded in metadata.json). */
export const LATENT_FACTORS = Object.freeze([
  { dim: 0, name: 'thickness', factor: 'total retinal thickness (px)', formula: '0.34*H*exp(0.15*z0)' },
  { dim: 1, name: 'curvature', factor: 'extra depth of the retina at the scan edges (px; >0 edges deeper, <0 edges higher)', formula: '0.08*H*z1' },
  { dim: 2, name: 'drusen_count', factor: 'number of drusen', formula: 'min(8, floor(9*Phi(z2)))' },
  { dim: 3, name: 'drusen_size', factor: 'drusen height and width multiplier', formula: 'exp(0.35*z3); height 0.045*H*m*U(0.7,1.3), width 0.025*W*m*U(0.7,1.3)' },
  { dim: 4, name: 'pit_depth', factor: 'foveal pit depth (share of inner retina removed)', formula: '0.9*logistic(1.2*z4+0.4)' },
  { dim: 5, name: 'speckle', factor: 'speckle texture log-SD', formula: '0.3*exp(0.3*z5)' },
  { dim: 6, name: 'gain', factor: 'overall intensity', formula: 'exp(0.25*z6)' },
  { dim: 7, name: 'tilt', factor: 'depth change from the centre to the right edge (px)', formula: '0.06*H*z7' },
] as const);

/** Column names of the per-subject factor table (truth), in order. */
export const FACTOR_COLUMNS = Object.freeze([
  'thickness_px', 'curvature_px', 'drusen_count', 'drusen_size', 'pit_depth', 'speckle', 'gain', 'tilt_px',
  'bruch_px', 'pit_centre_px', 'pit_width_px',
] as const);

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Drusen count of latent value z2 (a step function: 0 for z2 < −1.6, 8 for z2 > 1.2). */
export function drusenCount(z2: number): number {
  return Math.min(OCT_MAX_DRUSEN, Math.floor((OCT_MAX_DRUSEN + 1) * normalCdf(z2)));
}

/**
 * Fills `row` (OCT_STRIDE numbers) for subject `subject` with latent `z` (LATENT_DIM values) and
 * writes the factor table entry into `factors` (FACTOR_COLUMNS.length numbers).
 */
export function octRow(seed: number, subject: number, z: ArrayLike<number>, H: number, W: number, row: Float64Array, factors?: Float64Array): void {
  const rng = new Rng(seed, subject, LONGITUDINAL_STREAMS.image);
  // Nuisance, always drawn in this order and number.
  const bruch = 0.68 * H + 0.02 * H * rng.normal();
  const pitCentre = W / 2 + 0.03 * W * rng.normal();
  const pitWidth = 0.08 * W * rng.range(0.8, 1.2);
  const drusen: number[][] = [];
  for (let k = 0; k < OCT_MAX_DRUSEN; k++) drusen.push([rng.range(0.1 * W, 0.9 * W), rng.range(0.7, 1.3), rng.range(0.7, 1.3)]);

  const thickness = 0.34 * H * Math.exp(0.15 * z[0]);
  const curvature = 0.08 * H * z[1];
  const count = drusenCount(z[2]);
  const size = Math.exp(0.35 * z[3]);
  const pitDepth = 0.9 * logistic(1.2 * z[4] + 0.4);
  const speckle = 0.3 * Math.exp(0.3 * z[5]);
  const gain = Math.exp(0.25 * z[6]);
  const tilt = 0.06 * H * z[7];

  row.fill(0);
  row[OCT_ROW.index] = subject;
  row[OCT_ROW.bruch] = bruch;
  row[OCT_ROW.curvature] = curvature;
  row[OCT_ROW.tilt] = tilt;
  row[OCT_ROW.thickness] = thickness;
  row[OCT_ROW.pitDepth] = pitDepth;
  row[OCT_ROW.pitCentre] = pitCentre;
  row[OCT_ROW.pitWidth] = pitWidth;
  row[OCT_ROW.gain] = gain;
  row[OCT_ROW.attenuation] = ATTENUATION_DEPTHS / H;
  row[OCT_ROW.speckle] = speckle;
  row[OCT_ROW.drusenCount] = count;
  drusen.forEach(([m, wm, hm], k) => {
    const o = OCT_ROW.drusen + 3 * k;
    row[o] = m;
    row[o + 1] = 0.025 * W * size * wm;
    row[o + 2] = 0.045 * H * size * hm;
  });
  if (factors) factors.set([thickness, curvature, count, size, pitDepth, speckle, gain, tilt, bruch, pitCentre, pitWidth]);
}

/** Renderer rows and factor table of n subjects: z is [n, LATENT_DIM]. */
export function octRows(seed: number, subjects: readonly number[], z: Float64Array, H: number, W: number): { rows: Float64Array; factors: Float64Array } {
  const n = subjects.length;
  const rows = new Float64Array(n * OCT_STRIDE);
  const factors = new Float64Array(n * FACTOR_COLUMNS.length);
  for (let j = 0; j < n; j++) {
    octRow(
      seed, subjects[j], z.subarray(j * LATENT_DIM, (j + 1) * LATENT_DIM), H, W,
      rows.subarray(j * OCT_STRIDE, (j + 1) * OCT_STRIDE), factors.subarray(j * FACTOR_COLUMNS.length, (j + 1) * FACTOR_COLUMNS.length),
    );
  }
  return { rows, factors };
}
