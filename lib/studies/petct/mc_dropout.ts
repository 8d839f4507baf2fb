/**
 * Monte Carlo dropout summaries (Gal & Ghahramani 2016) as pure functions over the T passes of a
 * model run with dropout active: per pixel the mean probability map, the variance across
 * passes, the predictive entropy of the mean and the mutual information (BALD: the part of the
 * entropy due to disagreement between passes); per patient the mean risk and a 95% interval.
 *
 * Conventions: variance is the population variance over passes (1/T, numpy's np.var);
 * entropies are in bits, so a binary entropy lies in [0, 1]; sums are float64 in pass order.
 * The per-pixel summary runs natively; the per-patient risk summaries are small and stay here.
 */
import { binding } from '../../binding.js';
import { callNative } from '../../native.js';
import { invalidParameter } from '../../errors.js';
import { checkArray, checkInteger, checkNumber } from '../../validate.js';

export interface PixelUncertainty {
  /** p̄ = (1/T) Σ_t p_t. */
  mean: Float32Array;
  /** (1/T) Σ_t (p_t − p̄)². */
  variance: Float32Array;
  /** Predictive entropy H(p̄) = −p̄ log₂ p̄ − (1 − p̄) log₂(1 − p̄). */
  entropy: Float32Array;
  /** Mutual information H(p̄) − (1/T) Σ_t H(p_t) (≥ 0 up to rounding; clamped at 0). */
  mutualInformation: Float32Array;
}

/** Binary entropy in bits; 0 at p = 0 and p = 1. */
export function binaryEntropy(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

/** T passes packed as one [T, n] array (pass t at data[t·n, (t + 1)·n)). */
export interface PackedPasses {
  data: Float32Array;
  passes: number;
}

/**
 * Summarises T passes of probability maps (values in [0, 1]) per pixel, natively
 * (native/metric/mc_summary.h). Pass either the maps (each a Float32Array of the same length)
 * or one packed [T, n] array. Run it per batch: T full-cohort maps would not fit in memory.
 *
 * @throws MedsynthError INVALID_ARGUMENT for no pass, different lengths or a value outside [0, 1]
 */
export async function summarisePixelPasses(passes: readonly Float32Array[] | PackedPasses): Promise<PixelUncertainty> {
  let data: Float32Array;
  let T: number;
  if (Array.isArray(passes)) {
    if (passes.length === 0) throw invalidParameter('passes', 'at least one probability map', passes);
    const n = passes[0]?.length;
    passes.forEach((p, t) => checkArray(`passes[${t}]`, p, Float32Array, n));
    T = passes.length;
    data = new Float32Array(T * n);
    passes.forEach((p, t) => data.set(p, t * n));
  } else {
    T = checkInteger('passes.passes', (passes as PackedPasses)?.passes, 1, 1 << 20);
    data = checkArray('passes.data', (passes as PackedPasses).data, Float32Array);
    if (data.length % T !== 0) throw invalidParameter('passes.data', `a length divisible by ${T} passes`, data);
  }
  const n = data.length / T;
  if (n < 1) throw invalidParameter('passes', 'maps of at least one pixel', passes);
  const out: PixelUncertainty = {
    mean: new Float32Array(n),
    variance: new Float32Array(n),
    entropy: new Float32Array(n),
    mutualInformation: new Float32Array(n),
  };
  await callNative(binding().mcPixelSummary(data, out.mean, out.variance, out.entropy, out.mutualInformation, { passes: T, size: n }));
  return out;
}

/** Quantile q of sorted values, linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface RiskSummary {
  /** Per patient: mean risk over passes. */
  mean: Float64Array;
  /** Per patient: SD over passes (1/T). */
  sd: Float64Array;
  /** Per patient: the (1 − level)/2 and (1 + level)/2 quantiles over passes. */
  lower: Float64Array;
  upper: Float64Array;
  level: number;
}

/**
 * Summarises T passes of per-patient risks (`passes[t][k]` = patient k's risk in pass t).
 *
 * @param level interval coverage (default 0.95)
 * @throws MedsynthError INVALID_ARGUMENT for no pass, different lengths or non-finite risks
 */
export function summariseRiskPasses(passes: ReadonlyArray<ArrayLike<number>>, level = 0.95): RiskSummary {
  if (!Array.isArray(passes) || passes.length === 0) throw invalidParameter('passes', 'at least one pass of risks', passes);
  checkNumber('level', level, { above: 0, max: 1 });
  const P = passes[0].length;
  passes.forEach((p, t) => {
    if (p.length !== P) throw invalidParameter(`passes[${t}]`, `${P} risks`, p);
  });
  const T = passes.length;
  const out: RiskSummary = { mean: new Float64Array(P), sd: new Float64Array(P), lower: new Float64Array(P), upper: new Float64Array(P), level };
  const column = new Float64Array(T);
  for (let k = 0; k < P; k++) {
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const r = passes[t][k];
      if (!Number.isFinite(r)) throw invalidParameter(`passes[${t}][${k}]`, 'a finite risk', r);
      column[t] = r;
      sum += r;
    }
    const m = sum / T;
    let ss = 0;
    for (let t = 0; t < T; t++) ss += (column[t] - m) ** 2;
    column.sort();
    out.mean[k] = m;
    out.sd[k] = Math.sqrt(ss / T);
    out.lower[k] = quantileSorted(column, (1 - level) / 2);
    out.upper[k] = quantileSorted(column, (1 + level) / 2);
  }
  return out;
}

/**
 * Patient risks of one pass from per-slice risks: the mean over each patient's tumour slices
 * (`hasTumour[s]` = 1), or over all its slices when none holds tumour or `hasTumour` is not
 * given. `slicePatient[s]` is slice s's patient index in [0, patients).
 *
 * Why tumour slices, and the mean: the image part of the true risk is the patient's tumour
 * burden (total volume, SUVmax, lesion count). A tumour-free slice shows none of it — its risk is
 * noise around the model's baseline (or, with clinical covariates, the same clinical term again)
 * — so averaging it in only dilutes. Over tumour slices sampled evenly through the tumour, the
 * mean risk follows the mean cross-section, which grows with the tumour volume, and is on the
 * scale the Cox term trains each slice's risk on; a sum would grow with the number of slices
 * sampled, which the slice options cap, not the tumour.
 */
export function patientRisks(sliceRisk: ArrayLike<number>, slicePatient: Int32Array, patients: number, hasTumour?: Uint8Array): Float64Array {
  if (slicePatient.length !== sliceRisk.length) throw invalidParameter('slicePatient', `${sliceRisk.length} entries`, slicePatient);
  if (hasTumour !== undefined && hasTumour.length !== sliceRisk.length) throw invalidParameter('hasTumour', `${sliceRisk.length} entries`, hasTumour);
  const sum = new Float64Array(patients);
  const count = new Float64Array(patients);
  const tumourSum = new Float64Array(patients);
  const tumourCount = new Float64Array(patients);
  for (let s = 0; s < sliceRisk.length; s++) {
    const k = slicePatient[s];
    if (!(k >= 0 && k < patients)) throw invalidParameter(`slicePatient[${s}]`, `a patient index below ${patients}`, k);
    sum[k] += sliceRisk[s];
    count[k]++;
    if (hasTumour?.[s]) {
      tumourSum[k] += sliceRisk[s];
      tumourCount[k]++;
    }
  }
  for (let k = 0; k < patients; k++) {
    if (count[k] === 0) throw invalidParameter('slicePatient', `at least one slice of patient ${k}`, slicePatient);
    sum[k] = tumourCount[k] > 0 ? tumourSum[k] / tumourCount[k] : sum[k] / count[k];
  }
  return sum;
}
