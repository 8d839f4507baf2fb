/**
 * The uncertainty part of evaluateStudy as TypeScript computed it before its per-pixel passes
 * went native (labels, |p̄ − y|, entropy/variance sums, slice means, the tumour neighbourhood and
 * what is gathered under it), kept verbatim as the oracle of the native version. The
 * correlations themselves come from the same native correlation kernel.
 */
import { uncertaintyErrorCorrelation, type CorrelationResult } from '../../lib/metric/correlation.js';
import { segmentationMetrics } from '../../lib/metric/segmentation.js';
import type { StudyEvaluationInput } from '../../lib/studies/petct/evaluate.js';
import { referenceDilateSlices } from './binary_dilation.js';

export type ReferenceUncertaintyInput = Pick<StudyEvaluationInput, 'size' | 'slicePatient' | 'probability' | 'entropy' | 'variance' | 'truth'> & {
  /** Number of patients. */
  patients: number;
  threshold: number;
  /** Chebyshev radius of the tumour neighbourhood. */
  radius: number;
};

export interface ReferenceUncertainty {
  label: Uint8Array;
  meanEntropyBits: number;
  meanVariance: number;
  pixelCorrelation: CorrelationResult;
  pixelVarianceCorrelation: CorrelationResult | null;
  sliceCorrelation: CorrelationResult | null;
  neighbourhoodCorrelation: CorrelationResult | null;
  patientCorrelation: CorrelationResult | null;
}

export async function referenceStudyUncertainty(input: ReferenceUncertaintyInput): Promise<ReferenceUncertainty> {
  const [H, W] = input.size;
  const plane = H * W;
  const S = input.slicePatient.length;
  const P = input.patients;
  const threshold = input.threshold;
  const seg = await segmentationMetrics(input.probability, input.truth, { batch: S, size: plane }, { threshold });
  const counts = Array.from({ length: P }, () => ({ tp: 0, fp: 0, fn: 0 }));
  for (let s = 0; s < S; s++) {
    const c = counts[input.slicePatient[s]];
    c.tp += seg.counts.tp[s];
    c.fp += seg.counts.fp[s];
    c.fn += seg.counts.fn[s];
  }
  const patientDice = counts.map((c) => (c.tp + c.fp + c.fn === 0 ? 1 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn)));

  const label = new Uint8Array(S * plane);
  const truth = input.truth;
  for (let i = 0; i < label.length; i++) label[i] = truth[i] >= 0.5 ? 1 : 0;
  const error = new Float32Array(S * plane);
  let sumEntropy = 0;
  let sumVariance = 0;
  for (let i = 0; i < error.length; i++) {
    error[i] = Math.abs(input.probability[i] - label[i]);
    sumEntropy += input.entropy[i];
    if (input.variance) sumVariance += input.variance[i];
  }
  const pixelCorrelation = await uncertaintyErrorCorrelation(input.entropy, error);
  const pixelVarianceCorrelation = input.variance ? await uncertaintyErrorCorrelation(input.variance, error) : null;
  const sliceU: number[] = [];
  const sliceE: number[] = [];
  for (let s = 0; s < S; s++) {
    if (seg.counts.tp[s] + seg.counts.fp[s] + seg.counts.fn[s] === 0) continue;
    let u = 0;
    for (let i = s * plane; i < (s + 1) * plane; i++) u += input.entropy[i];
    sliceU.push(u / plane);
    sliceE.push(1 - seg.perSample.dice[s]);
  }
  const sliceCorrelation = sliceU.length >= 3 ? await uncertaintyErrorCorrelation(Float64Array.from(sliceU), Float64Array.from(sliceE)) : null;
  const tumourish = new Uint8Array(S * plane);
  for (let i = 0; i < tumourish.length; i++) tumourish[i] = label[i] || input.probability[i] >= threshold ? 1 : 0;
  const near = referenceDilateSlices(tumourish, [H, W], input.radius);
  const nearU: number[] = [];
  const nearE: number[] = [];
  const patientEntropy = new Float64Array(P);
  const patientNear = new Float64Array(P);
  for (let i = 0; i < near.length; i++) {
    if (!near[i]) continue;
    nearU.push(input.entropy[i]);
    nearE.push(error[i]);
    const k = input.slicePatient[Math.floor(i / plane)];
    patientEntropy[k] += input.entropy[i];
    patientNear[k]++;
  }
  const neighbourhoodCorrelation = nearU.length >= 3 ? await uncertaintyErrorCorrelation(Float64Array.from(nearU), Float64Array.from(nearE)) : null;
  const patientU: number[] = [];
  const patientE: number[] = [];
  for (let k = 0; k < P; k++) {
    if (patientNear[k] === 0 || Number.isNaN(patientDice[k])) continue;
    patientU.push(patientEntropy[k] / patientNear[k]);
    patientE.push(1 - patientDice[k]);
  }
  const patientCorrelation = patientU.length >= 3 ? await uncertaintyErrorCorrelation(Float64Array.from(patientU), Float64Array.from(patientE)) : null;
  return {
    label,
    meanEntropyBits: sumEntropy / (S * plane),
    meanVariance: input.variance ? sumVariance / (S * plane) : NaN,
    pixelCorrelation,
    pixelVarianceCorrelation,
    sliceCorrelation,
    neighbourhoodCorrelation,
    patientCorrelation,
  };
}
