/**
 * The study's evaluation protocol (seed 004): segmentation overlap per patient and pooled,
 * Harrell's C-index of the predicted risk beside two oracles on the same patients — the C-index
 * of the true linear predictor (what is knowable from images and clinical data together) and of
 * its image-derived part alone (tumour volume, SUVmax, lesion count: the ceiling of an image-only
 * model; age, sex and stage are not in the images) — calibration (ECE,
 * reliability bins), mean uncertainty and the uncertainty–error correlation; every headline
 * number beside the seed's target.
 *
 * Definitions (all over the validation patients' slices, at the model's resolution):
 * - a pixel is predicted tumour when the MC-mean probability p̄ >= `threshold` (0.5);
 * - Dice, IoU, pixel accuracy, sensitivity, specificity: pooled = of the confusion counts summed
 *   over every slice; per patient = of that patient's slices' summed counts; the mean over
 *   patients is reported too (NaN-skipping);
 * - C-index: patient risk = mean over the patient's tumour slices and MC passes (see
 *   mc_dropout.ts patientRisks); NaN when no pair of held-out patients is comparable (no event);
 *   the clinical-only oracle (η minus its image part) is recorded too;
 * - ECE: Guo et al.'s top-label ECE over all pixels, 15 equal-width bins (the headline); the
 *   reliability bins and a positive-class ECE (predicted tumour probability against observed
 *   tumour frequency — the diagram a reader reads) are kept as well;
 * - mean uncertainty: mean predictive entropy (bits) over all pixels; also the mean MC variance
 *   and the mean width of the patients' 95% risk intervals;
 * - uncertainty–error correlation (headline): Pearson's r over pixels between the predictive
 *   entropy and the absolute error |p̄ − y|. Both are functions of p̄, so part of this agreement
 *   holds by construction; two checks that do not share that are reported beside it: the MC
 *   variance (disagreement between passes) against |p̄ − y|, and per slice the mean entropy
 *   against 1 − Dice (slices where truth or prediction has tumour), Pearson and Spearman.
 *   The headline pools every pixel of every slice, > 99% of them easy background with entropy
 *   and error both ≈ 0, so it mostly measures how the few hard pixels line up. Two definitions
 *   closer to the seed's intent ("is the model unsure where it is wrong?") are reported beside
 *   it, not instead of it: the same pixel correlation restricted to the tumour neighbourhood
 *   (pixels within NEIGHBOURHOOD_RADIUS px, Chebyshev, of a true or predicted tumour pixel),
 *   and per patient the mean entropy over that neighbourhood against 1 − the patient's Dice.
 */
import { invalidParameter } from '../../errors.js';
import { concordanceIndex } from '../../metric/c_index.js';
import { expectedCalibrationError } from '../../metric/calibration.js';
import { uncertaintyErrorCorrelation, type CorrelationResult } from '../../metric/correlation.js';
import { scoresFromCounts, segmentationMetrics, type ConfusionCounts } from '../../metric/segmentation.js';
import { segmentationErrorMap } from '../../metric/segmentation_error.js';
import { sliceSums } from '../../metric/slice_sums.js';
import { dilateSlices } from '../../ops/binary_dilation.js';
import { maskedGather } from '../../ops/masked_gather.js';
import { checkArray, checkInteger, checkNumber } from '../../validate.js';
import type { RiskSummary } from './mc_dropout.js';

export interface EvaluatedPatient {
  id: string;
  time: number;
  event: 0 | 1;
  /** True linear predictor (NaN when unknown). */
  linearPredictor: number;
  /** Its image-derived part (NaN when unknown). */
  imageLinearPredictor?: number;
  /** MC-mean risk and its interval. */
  risk: number;
  riskLower: number;
  riskUpper: number;
}

export interface StudyEvaluationInput {
  /** [H, W] of every map. */
  size: readonly [number, number];
  /** [S] the patient (index into `patients`) of each slice. */
  slicePatient: Int32Array;
  /** [S, H, W] MC-mean tumour probability. */
  probability: Float32Array;
  /** [S, H, W] predictive entropy (bits). */
  entropy: Float32Array;
  /** [S, H, W] MC variance (optional). */
  variance?: Float32Array;
  /** [S, H, W] true mask (nonzero / >= 0.5 = tumour). */
  truth: Float32Array | Uint8Array;
  patients: EvaluatedPatient[];
  /** Number of MC passes behind the maps (recorded). */
  mcPasses: number;
  threshold?: number;
  bins?: number;
}

export interface SegmentationSummary {
  dice: number;
  iou: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
}

export interface TargetCheck {
  metric: string;
  value: number;
  /** '>' or '<' the target. */
  direction: '>' | '<';
  target: number;
  met: boolean;
  /** The oracle's value where one exists. */
  oracle?: number;
  /** The image-only oracle's value (C-index). */
  imageOracle?: number;
}

export interface StudyMetrics {
  patients: number;
  slices: number;
  events: number;
  mcPasses: number;
  threshold: number;
  segmentation: {
    pooled: SegmentationSummary;
    meanOverPatients: SegmentationSummary;
    perPatient: Array<{ id: string; slices: number } & SegmentationSummary & ConfusionCounts>;
  };
  survival: {
    cIndex: number;
    comparablePairs: number;
    /** C-index of the true linear predictor β·x. */
    oracleCIndex: number;
    /** C-index of its image-derived part (log_mtv, suvmax, lesions terms). */
    imageOracleCIndex: number;
    /** C-index of its clinical part (age, male, stage terms). */
    clinicalOracleCIndex: number;
    /**
     * C-index of the mean log true tumour area (pixels) over each patient's tumour slices (0, one
     * pixel's worth, for a patient without any): what the evaluated 2-D slices show of the tumour burden, from the exact
     * masks — the slice-level counterpart of the image-only oracle, which knows the 3-D volume
     * of every lesion.
     */
    sliceAreaCIndex: number;
  };
  uncertainty: {
    meanEntropyBits: number;
    meanVariance: number;
    meanRiskIntervalWidth: number;
    pixelCorrelation: CorrelationResult;
    /** MC variance (disagreement between passes, the epistemic part) against |p̄ − y|; null without variance. */
    pixelVarianceCorrelation: CorrelationResult | null;
    sliceCorrelation: CorrelationResult | null;
    /** Entropy against |p̄ − y| over the tumour-neighbourhood pixels only. */
    neighbourhoodCorrelation: CorrelationResult | null;
    /** Per patient: mean entropy over its tumour neighbourhood against 1 − its Dice. */
    patientCorrelation: CorrelationResult | null;
  };
  calibration: {
    ece: number;
    mce: number;
    positiveClassEce: number;
    bins: { lower: number[]; upper: number[]; count: number[]; meanConfidence: number[]; accuracy: number[] };
    topLabelBins: { lower: number[]; upper: number[]; count: number[]; meanConfidence: number[]; accuracy: number[] };
  };
  targets: TargetCheck[];
}

/**
 * Harrell's C-index, or NaN (0 comparable pairs) when no pair is comparable — a small held-out
 * set without events — so the rest of the evaluation is still reported.
 */
async function concordanceOrNaN(risk: Float64Array, time: Float64Array, event: Uint8Array): Promise<{ cIndex: number; comparable: number }> {
  let comparable = false;
  for (let i = 0; i < time.length && !comparable; i++) {
    if (!event[i]) continue;
    for (let j = 0; j < time.length && !comparable; j++) comparable = time[j] > time[i] || (time[j] === time[i] && !event[j]);
  }
  return comparable ? concordanceIndex(risk, time, event) : { cIndex: NaN, comparable: 0 };
}

/** The evaluation's patient rows from the cohort's patients and their MC risk summary (same order). */
export function evaluatedPatients(
  patients: ReadonlyArray<{ id: string; time: number; event: 0 | 1; linearPredictor: number; imageLinearPredictor?: number }>,
  risk: RiskSummary,
): EvaluatedPatient[] {
  if (risk.mean.length !== patients.length) throw invalidParameter('risk', `a summary of ${patients.length} patients`, risk.mean);
  return patients.map((p, k) => ({
    id: p.id,
    time: p.time,
    event: p.event,
    linearPredictor: p.linearPredictor,
    imageLinearPredictor: p.imageLinearPredictor ?? NaN,
    risk: risk.mean[k],
    riskLower: risk.lower[k],
    riskUpper: risk.upper[k],
  }));
}

/** The seed's targets. */
export const SEED_TARGETS = {
  dice: 0.7,
  iou: 0.65,
  sensitivity: 0.75,
  specificity: 0.95,
  cIndex: 0.7,
  ece: 0.1,
  uncertaintyErrorCorrelation: 0.7,
} as const;

/** Chebyshev radius (pixels) of the tumour neighbourhood of the restricted uncertainty correlations. */
export const NEIGHBOURHOOD_RADIUS = 5;

/** C-index of `score`, or NaN when any score is unknown. */
/** Per patient, the mean over its slices holding tumour of ln(true tumour pixels) (tp + fn); 0 without any. */
function meanLogTumourArea(counts: { tp: ArrayLike<number>; fn: ArrayLike<number> }, slicePatient: Int32Array, patients: number): Float64Array {
  const sum = new Float64Array(patients);
  const n = new Float64Array(patients);
  slicePatient.forEach((k, s) => {
    const area = counts.tp[s] + counts.fn[s];
    if (area > 0) {
      sum[k] += Math.log(area);
      n[k]++;
    }
  });
  return sum.map((v, k) => (n[k] > 0 ? v / n[k] : 0));
}

async function scoreCIndex(score: Float64Array, time: Float64Array, event: Uint8Array): Promise<number> {
  return score.every(Number.isFinite) ? (await concordanceOrNaN(score, time, event)).cIndex : NaN;
}

function summary(c: ConfusionCounts): SegmentationSummary {
  const s = scoresFromCounts(c);
  const total = c.tp + c.fp + c.fn + c.tn;
  return { ...s, accuracy: total === 0 ? NaN : (c.tp + c.tn) / total };
}

function nanMean(values: number[]): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}

const plain = (b: { lower: Float64Array; upper: Float64Array; count: Float64Array; meanConfidence: Float64Array; accuracy: Float64Array }) => ({
  lower: Array.from(b.lower),
  upper: Array.from(b.upper),
  count: Array.from(b.count),
  meanConfidence: Array.from(b.meanConfidence),
  accuracy: Array.from(b.accuracy),
});

/**
 * Computes the protocol's metrics.
 *
 * @throws MedsynthError INVALID_ARGUMENT for inconsistent lengths, slices of unknown patients,
 *   a patient without slices, or probabilities outside [0, 1]
 */
export async function evaluateStudy(input: StudyEvaluationInput): Promise<StudyMetrics> {
  const [H, W] = input.size;
  checkInteger('size[0]', H, 1);
  checkInteger('size[1]', W, 1);
  const plane = H * W;
  const S = checkArray('slicePatient', input.slicePatient, Int32Array).length;
  if (S < 1) throw invalidParameter('slicePatient', 'at least one slice', input.slicePatient);
  checkArray('probability', input.probability, Float32Array, S * plane);
  checkArray('entropy', input.entropy, Float32Array, S * plane);
  if (input.variance !== undefined) checkArray('variance', input.variance, Float32Array, S * plane);
  if (!(input.truth instanceof Float32Array) && !(input.truth instanceof Uint8Array)) throw invalidParameter('truth', 'a Float32Array or Uint8Array', input.truth);
  checkArray('truth', input.truth, input.truth.constructor as typeof Uint8Array, S * plane);
  const P = input.patients.length;
  const threshold = checkNumber('threshold', input.threshold ?? 0.5, { above: 0, max: 1 });
  const bins = checkInteger('bins', input.bins ?? 15, 2, 1000);
  const slicesOf = new Int32Array(P);
  for (const k of input.slicePatient) {
    if (!(k >= 0 && k < P)) throw invalidParameter('slicePatient', `patient indices below ${P}`, k);
    slicesOf[k]++;
  }
  const empty = input.patients.findIndex((_, k) => slicesOf[k] === 0);
  if (empty >= 0) throw invalidParameter('patients', 'patients that each have slices', input.patients[empty].id);

  // Segmentation: per-slice confusion counts (native), summed per patient and overall.
  const seg = await segmentationMetrics(input.probability, input.truth, { batch: S, size: plane }, { threshold });
  const perPatientCounts = input.patients.map((): ConfusionCounts => ({ tp: 0, fp: 0, fn: 0, tn: 0 }));
  const total: ConfusionCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let s = 0; s < S; s++) {
    const c = perPatientCounts[input.slicePatient[s]];
    for (const key of ['tp', 'fp', 'fn', 'tn'] as const) {
      c[key] += seg.counts[key][s];
      total[key] += seg.counts[key][s];
    }
  }
  const perPatient = input.patients.map((p, k) => ({ id: p.id, slices: slicesOf[k], ...summary(perPatientCounts[k]), ...perPatientCounts[k] }));
  const pooled = summary(total);
  const meanOverPatients: SegmentationSummary = {
    dice: nanMean(perPatient.map((p) => p.dice)),
    iou: nanMean(perPatient.map((p) => p.iou)),
    accuracy: nanMean(perPatient.map((p) => p.accuracy)),
    sensitivity: nanMean(perPatient.map((p) => p.sensitivity)),
    specificity: nanMean(perPatient.map((p) => p.specificity)),
  };

  // Survival: the model's risks and the oracle on the same patients.
  const time = Float64Array.from(input.patients, (p) => p.time);
  const event = Uint8Array.from(input.patients, (p) => p.event);
  const events = event.reduce((a, b) => a + b, 0);
  const risk = Float64Array.from(input.patients, (p) => checkNumber(`risk of ${p.id}`, p.risk));
  const c = await concordanceOrNaN(risk, time, event);
  const lp = Float64Array.from(input.patients, (p) => p.linearPredictor);
  const imageLp = Float64Array.from(input.patients, (p) => p.imageLinearPredictor ?? NaN);
  const oracleCIndex = await scoreCIndex(lp, time, event);
  const imageOracleCIndex = await scoreCIndex(imageLp, time, event);
  const clinicalOracleCIndex = await scoreCIndex(lp.map((v, k) => v - imageLp[k]), time, event);
  const sliceAreaCIndex = await scoreCIndex(meanLogTumourArea(seg.counts, input.slicePatient, P), time, event);

  // Per pixel (native): the truth as 0/1, |p̄ − y|, and the seed of the tumour neighbourhood.
  const map = await segmentationErrorMap(input.probability, input.truth, { threshold });

  // Calibration over all pixels.
  const topLabel = await expectedCalibrationError(input.probability, map.label, { bins, mode: 'confidence' });
  const positive = await expectedCalibrationError(input.probability, map.label, { bins, mode: 'positive' });

  // Uncertainty: means, and its correlation with the error.
  const pixelCorrelation = await uncertaintyErrorCorrelation(input.entropy, map.error);
  const pixelVarianceCorrelation = input.variance ? await uncertaintyErrorCorrelation(input.variance, map.error) : null;
  // The tumour neighbourhood: near a true or a predicted tumour pixel (dilated in place).
  const near = await dilateSlices(map.either, [S, H, W], NEIGHBOURHOOD_RADIUS, map.either);
  const entropySums = await sliceSums(input.entropy, { slices: S, plane }, near);
  const varianceSums = input.variance ? await sliceSums(input.variance, { slices: S, plane }) : null;
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  const sliceU: number[] = [];
  const sliceE: number[] = [];
  const patientEntropy = new Float64Array(P);
  const patientNear = new Float64Array(P);
  for (let s = 0; s < S; s++) {
    const k = input.slicePatient[s];
    patientEntropy[k] += entropySums.maskedSum![s];
    patientNear[k] += entropySums.maskedCount![s];
    if (seg.counts.tp[s] + seg.counts.fp[s] + seg.counts.fn[s] === 0) continue;
    sliceU.push(entropySums.sum[s] / plane);
    sliceE.push(1 - seg.perSample.dice[s]);
  }
  const sliceCorrelation = sliceU.length >= 3 ? await uncertaintyErrorCorrelation(Float64Array.from(sliceU), Float64Array.from(sliceE)) : null;
  const nearCount = sum(patientNear);
  const neighbourhoodCorrelation =
    nearCount >= 3 ? await uncertaintyErrorCorrelation(await maskedGather(input.entropy, near, nearCount), await maskedGather(map.error, near, nearCount)) : null;
  const patientU: number[] = [];
  const patientE: number[] = [];
  perPatient.forEach((p, k) => {
    if (patientNear[k] === 0 || Number.isNaN(p.dice)) return;
    patientU.push(patientEntropy[k] / patientNear[k]);
    patientE.push(1 - p.dice);
  });
  const patientCorrelation = patientU.length >= 3 ? await uncertaintyErrorCorrelation(Float64Array.from(patientU), Float64Array.from(patientE)) : null;
  const meanRiskIntervalWidth = input.patients.reduce((a, p) => a + (p.riskUpper - p.riskLower), 0) / P;

  const metrics: Omit<StudyMetrics, 'targets'> = {
    patients: P,
    slices: S,
    events,
    mcPasses: input.mcPasses,
    threshold,
    segmentation: { pooled, meanOverPatients, perPatient },
    survival: { cIndex: c.cIndex, comparablePairs: c.comparable, oracleCIndex, imageOracleCIndex, clinicalOracleCIndex, sliceAreaCIndex },
    uncertainty: {
      meanEntropyBits: sum(entropySums.sum) / (S * plane),
      meanVariance: varianceSums ? sum(varianceSums.sum) / (S * plane) : NaN,
      meanRiskIntervalWidth,
      pixelCorrelation,
      pixelVarianceCorrelation,
      sliceCorrelation,
      neighbourhoodCorrelation,
      patientCorrelation,
    },
    calibration: {
      ece: topLabel.ece,
      mce: topLabel.mce,
      positiveClassEce: positive.ece,
      bins: plain(positive.bins),
      topLabelBins: plain(topLabel.bins),
    },
  };
  return { ...metrics, targets: targetChecks(metrics) };
}

/** The seed's seven targets beside the values (and the oracle for the C-index). */
export function targetChecks(m: Omit<StudyMetrics, 'targets'>): TargetCheck[] {
  const t = SEED_TARGETS;
  const row = (metric: string, value: number, direction: '>' | '<', target: number, oracle?: number, imageOracle?: number): TargetCheck => ({
    metric,
    value,
    direction,
    target,
    met: direction === '>' ? value > target : value < target,
    ...(oracle === undefined ? {} : { oracle }),
    ...(imageOracle === undefined ? {} : { imageOracle }),
  });
  return [
    row('Dice (pooled)', m.segmentation.pooled.dice, '>', t.dice),
    row('IoU (pooled)', m.segmentation.pooled.iou, '>', t.iou),
    row('Sensitivity (pooled)', m.segmentation.pooled.sensitivity, '>', t.sensitivity),
    row('Specificity (pooled)', m.segmentation.pooled.specificity, '>', t.specificity),
    row('C-index', m.survival.cIndex, '>', t.cIndex, m.survival.oracleCIndex, m.survival.imageOracleCIndex),
    row('ECE (top-label, pixels)', m.calibration.ece, '<', t.ece),
    row('Uncertainty-error correlation (pixels, Pearson)', m.uncertainty.pixelCorrelation.pearson, '>', t.uncertaintyErrorCorrelation),
  ];
}
