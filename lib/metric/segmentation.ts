/**
 * Overlap metrics of binary segmentations — Dice, IoU (Jaccard), sensitivity and specificity —
 * per sample and over the batch, from confusion counts computed natively.
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkNumber } from '../validate.js';
import { type BatchShape, checkBatchShape } from '../loss/batch_shape.js';

/** A probability map (thresholded) or a binary mask (nonzero = foreground). */
export type SegmentationInput = Float32Array | Uint8Array;

export interface SegmentationScores {
  /** 2TP / (2TP + FP + FN); 1 when prediction and target are both empty. */
  dice: number;
  /** TP / (TP + FP + FN); 1 when both are empty. */
  iou: number;
  /** TP / (TP + FN); NaN when the target has no foreground. */
  sensitivity: number;
  /** TN / (TN + FP); NaN when the target has no background. */
  specificity: number;
}

export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface SegmentationMetrics {
  /** Per sample, [batch] each. */
  perSample: { dice: Float64Array; iou: Float64Array; sensitivity: Float64Array; specificity: Float64Array };
  /** Confusion counts per sample, [batch] each. */
  counts: { tp: Float64Array; fp: Float64Array; fn: Float64Array; tn: Float64Array };
  /** Scores of the counts summed over the batch (micro average). */
  pooled: SegmentationScores;
  /** Mean of the per-sample scores, skipping NaN (macro average; NaN when all are NaN). */
  mean: SegmentationScores;
}

export interface SegmentationMetricOptions {
  /** A Float32Array prediction is foreground where p >= threshold (default 0.5). */
  threshold?: number;
}

/** The four scores of one set of confusion counts (see {@link SegmentationScores} for the empty cases). */
export function scoresFromCounts(c: ConfusionCounts): SegmentationScores {
  const union = c.tp + c.fp + c.fn;
  return {
    dice: union === 0 ? 1 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn),
    iou: union === 0 ? 1 : c.tp / union,
    sensitivity: c.tp + c.fn === 0 ? NaN : c.tp / (c.tp + c.fn),
    specificity: c.tn + c.fp === 0 ? NaN : c.tn / (c.tn + c.fp),
  };
}

/**
 * Dice, IoU, sensitivity and specificity of a batch of binary segmentations.
 *
 * @param pred Float32Array probabilities, foreground where p >= `threshold`, or a Uint8Array
 *   mask (nonzero = foreground), [batch, size]
 * @param target Uint8Array mask (nonzero = foreground) or Float32Array (foreground where
 *   g >= 0.5), [batch, size]
 * @param shape `{ batch, size }` or the dims `[N, ...]`
 * @throws MedsynthError INVALID_ARGUMENT for bad shapes or lengths, or NaN in a float input
 */
export async function segmentationMetrics(
  pred: SegmentationInput,
  target: SegmentationInput,
  shape: BatchShape,
  options: SegmentationMetricOptions = {},
): Promise<SegmentationMetrics> {
  const { batch, size } = checkBatchShape('shape', shape);
  checkMask('pred', pred, batch * size);
  checkMask('target', target, batch * size);
  const threshold = checkNumber('threshold', options?.threshold ?? 0.5);
  const raw = new Float64Array(batch * 4);
  await callNative(binding().confusionCounts(pred, target, raw, { batch, size, threshold }));

  const counts = { tp: new Float64Array(batch), fp: new Float64Array(batch), fn: new Float64Array(batch), tn: new Float64Array(batch) };
  const perSample = {
    dice: new Float64Array(batch),
    iou: new Float64Array(batch),
    sensitivity: new Float64Array(batch),
    specificity: new Float64Array(batch),
  };
  const total: ConfusionCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let b = 0; b < batch; b++) {
    const c = { tp: raw[4 * b], fp: raw[4 * b + 1], fn: raw[4 * b + 2], tn: raw[4 * b + 3] };
    counts.tp[b] = c.tp;
    counts.fp[b] = c.fp;
    counts.fn[b] = c.fn;
    counts.tn[b] = c.tn;
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    total.tn += c.tn;
    const s = scoresFromCounts(c);
    perSample.dice[b] = s.dice;
    perSample.iou[b] = s.iou;
    perSample.sensitivity[b] = s.sensitivity;
    perSample.specificity[b] = s.specificity;
  }
  return {
    perSample,
    counts,
    pooled: scoresFromCounts(total),
    mean: {
      dice: nanMean(perSample.dice),
      iou: nanMean(perSample.iou),
      sensitivity: nanMean(perSample.sensitivity),
      specificity: nanMean(perSample.specificity),
    },
  };
}

function checkMask(name: string, value: unknown, length: number): void {
  if (!(value instanceof Float32Array) && !(value instanceof Uint8Array)) {
    throw invalidParameter(name, 'a Float32Array or Uint8Array', value);
  }
  if (value.length !== length) throw invalidParameter(name, `an array of ${length} elements`, value);
}

function nanMean(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}
