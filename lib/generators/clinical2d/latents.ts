/**
 * Per-sample latents of the clinical model. Sample i reads only the Philox streams
 * (seed, i, CLINICAL_STREAMS.*) (through draws.ts), each with a fixed order of draws, so it is
 * the same in any batch:
 *
 *   latent stream:  age ~ TruncNormal(age_mean, age_sd; age_min, age_max), density ~ Beta,
 *                   risk ~ Categorical(risk_probs), scanner ~ Categorical(scanner_probs),
 *                   z = [u_z < σ(a0 + a_age·age + a_den·density + a_risk·risk)],
 *                   y = z ? [u_y ≥ eta_fn] : [u_y < eta_fp]            (the seed's label flips)
 *   lesion stream:  ε_s, ε_c (lesion), ε_s', ε_c' (lesion-free candidate), then the lesion's
 *                   position, elongation, orientation and lobulation; drawn for every sample,
 *                   used where they apply, so z never shifts another draw.
 */
import { CLINICAL_STRIDE, ROW } from './render_rows.js';
import { beta, inverseNormalCdf, sigmoid, truncatedNormal } from './distributions.js';
import { Rng } from '../../core/philox.js';
import { scannerNames, type ClinicalConfig } from './config.js';

/** Philox stream words of the clinical generator (the native renderer uses texture and noise). */
export const CLINICAL_STREAMS = Object.freeze({ latent: 0x4c01, lesion: 0x4c02, radiomics: 0x4c03, texture: 0x4c04, noise: 0x4c05 });

/** Smallest lesion or candidate size (px): the linear size model is clamped here. */
export const MIN_SIZE = 2;
const LOBE_HARMONICS = [3, 4, 5] as const;

/** The hidden ground truth of a set of samples (keep it away from a model's inputs). */
export interface ClinicalTruth {
  /** Global sample index of each row. */
  index: Float64Array;
  /** True disease state. */
  z: Uint8Array;
  /** P(z = 1 | age, density, risk): the probability z was drawn with. */
  pz: Float64Array;
  /** Age in years. */
  age: Float64Array;
  /** Breast density: fibroglandular fraction in (0, 1). */
  density: Float64Array;
  /** Risk factor (family-history score 0, 1, 2, …). */
  risk: Uint8Array;
  /** Scanner index into scannerNames. */
  scanner: Uint8Array;
  scannerNames: string[];
  /** Lesion size (equivalent-circle diameter, px) and contrast; NaN where z = 0. */
  size: Float64Array;
  contrast: Float64Array;
  /** Size and contrast of the region the radiomics describe: the lesion, or for z = 0 a dense-tissue candidate. */
  regionSize: Float64Array;
  regionContrast: Float64Array;
  /** Lesion centre in px (pixel (y, x) is centred at (x, y)), elongation ≥ 1 and orientation (rad); NaN where z = 0. */
  lesionX: Float64Array;
  lesionY: Float64Array;
  elongation: Float64Array;
  orientation: Float64Array;
}

export interface ClinicalLatents {
  truth: ClinicalTruth;
  /** Observed labels. */
  y: Uint8Array;
  /** Renderer rows (n, CLINICAL_STRIDE), see render_rows.ts. */
  rows: Float64Array;
}

function weights(table: Readonly<Record<string, number>>, names: readonly string[]): number[] {
  return names.map((k) => table[k]);
}

/** Draws the latents of samples `indices` (each an integer in [0, 2^32)). */
export function drawLatents(config: Readonly<ClinicalConfig>, indices: ArrayLike<number>): ClinicalLatents {
  const n = indices.length;
  const names = scannerNames(config);
  const scannerWeights = weights(config.scanner_probs, names);
  const blur = weights(config.device_blur, names);
  const nan = () => new Float64Array(n).fill(NaN);
  const truth: ClinicalTruth = {
    index: new Float64Array(n),
    z: new Uint8Array(n),
    pz: new Float64Array(n),
    age: new Float64Array(n),
    density: new Float64Array(n),
    risk: new Uint8Array(n),
    scanner: new Uint8Array(n),
    scannerNames: names,
    size: nan(),
    contrast: nan(),
    regionSize: new Float64Array(n),
    regionContrast: new Float64Array(n),
    lesionX: nan(),
    lesionY: nan(),
    elongation: nan(),
    orientation: nan(),
  };
  const y = new Uint8Array(n);
  const rows = new Float64Array(n * CLINICAL_STRIDE);
  const c = config;
  const rng = new Rng(c.seed, 0, 0, 'uniform32');
  const lobes = new Float64Array(6);

  for (let j = 0; j < n; j++) {
    const i = indices[j];
    truth.index[j] = i;
    rng.reset(i, CLINICAL_STREAMS.latent);
    const age = truncatedNormal(rng, c.age_mean, c.age_sd, c.age_min, c.age_max);
    const density = Math.min(Math.max(beta(rng, c.density_alpha, c.density_beta), 1e-6), 1 - 1e-6);
    const risk = rng.categorical(c.risk_probs);
    const scanner = rng.categorical(scannerWeights);
    const pz = sigmoid(c.a0 + c.a_age * age + c.a_den * density + c.a_risk * risk);
    const z = rng.uniform() < pz ? 1 : 0;
    const uy = rng.uniform();
    y[j] = z ? (uy >= c.eta_fn ? 1 : 0) : uy < c.eta_fp ? 1 : 0;
    truth.age[j] = age;
    truth.density[j] = density;
    truth.risk[j] = risk;
    truth.scanner[j] = scanner;
    truth.pz[j] = pz;
    truth.z[j] = z;

    const lr = rng.reset(i, CLINICAL_STREAMS.lesion);
    const size = Math.max(MIN_SIZE, c.size_base + c.size_age * age + c.size_den * density + lr.normal(0, c.size_sd));
    const contrast = Math.max(0, c.con_base - c.con_den * density + lr.normal(0, c.con_sd));
    const candSize = Math.max(MIN_SIZE, c.cand_size_base + c.cand_size_den * density + lr.normal(0, c.size_sd));
    const candContrast = Math.max(0, c.cand_con_base + c.cand_con_den * density + lr.normal(0, c.con_sd));
    const elongation = 1 + (c.elongation_max - 1) * lr.uniform();
    const orientation = Math.PI * lr.uniform();
    const ux = lr.uniform();
    const uyPos = lr.uniform();
    LOBE_HARMONICS.forEach((k, h) => {
      const amplitude = (c.lobulation / k) * lr.uniform();
      const phase = 2 * Math.PI * lr.uniform();
      lobes[2 * h] = amplitude * Math.cos(phase);
      lobes[2 * h + 1] = amplitude * Math.sin(phase);
    });
    truth.regionSize[j] = z ? size : candSize;
    truth.regionContrast[j] = z ? contrast : candContrast;

    const row = j * CLINICAL_STRIDE;
    rows[row + ROW.index] = i;
    rows[row + ROW.psfSigma] = blur[scanner];
    rows[row + ROW.elongation] = 1;
    // Dense tissue covers the field above Φ⁻¹(1 − density): a fraction ≈ density of the image.
    rows[row + ROW.threshold] = inverseNormalCdf(1 - density);
    rows[row + ROW.fat] = c.bg_base;
    rows[row + ROW.dense] = c.bg_base * c.gland_gain;
    rows[row + ROW.fine] = c.bg_base * (c.tex_fine + c.tex_den * density);
    if (!z) continue;
    // The centre keeps the whole outline (its farthest reach ≈ size/2·√e·(1 + lobes)) inside when it fits.
    const reach = (size / 2) * Math.sqrt(elongation) * (1 + c.lobulation * (1 / 3 + 1 / 4 + 1 / 5)) + 2;
    const cx = placeCentre(ux, reach, c.W);
    const cy = placeCentre(uyPos, reach, c.H);
    truth.size[j] = size;
    truth.contrast[j] = contrast;
    truth.lesionX[j] = cx;
    truth.lesionY[j] = cy;
    truth.elongation[j] = elongation;
    truth.orientation[j] = orientation;
    rows[row + ROW.contrast] = contrast;
    rows[row + ROW.cx] = cx;
    rows[row + ROW.cy] = cy;
    rows[row + ROW.radius] = size / 2;
    rows[row + ROW.elongation] = elongation;
    rows[row + ROW.orientation] = orientation;
    for (let k = 0; k < 6; k++) rows[row + ROW.lobes + k] = lobes[k];
  }
  return { truth, y, rows };
}

/** A coordinate uniform in [reach, extent − 1 − reach], or the middle when the lesion is too big to fit. */
function placeCentre(u: number, reach: number, extent: number): number {
  const lo = reach;
  const hi = extent - 1 - reach;
  return hi > lo ? lo + (hi - lo) * u : (extent - 1) / 2;
}
