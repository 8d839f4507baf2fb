/** Expected calibration error and reliability-diagram data for binary probabilities. */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkArray, checkInteger, checkOneOf } from '../validate.js';

/** How a probability of the positive class is read (see {@link expectedCalibrationError}). */
export type CalibrationMode = 'confidence' | 'positive';

export interface CalibrationOptions {
  /** Number of equal-width bins on [0, 1] (default 15, as Guo et al. 2017 and torchmetrics). */
  bins?: number;
  /** 'confidence' (default, top-label) or 'positive' (positive-class reliability). */
  mode?: CalibrationMode;
}

export interface CalibrationResult {
  /** Expected calibration error: Σ_b (n_b / n)·|accuracy_b − confidence_b|. */
  ece: number;
  /** Maximum calibration error over non-empty bins. */
  mce: number;
  /** Reliability-diagram data, one entry per bin (means are NaN in empty bins). */
  bins: {
    lower: Float64Array;
    upper: Float64Array;
    count: Float64Array;
    meanConfidence: Float64Array;
    accuracy: Float64Array;
  };
}

/**
 * Expected calibration error (Guo et al. 2017) of binary probabilities p = P(label = 1), with
 * B equal-width bins on [0, 1]: bin b holds confidences in [b/B, (b+1)/B), the last also 1.
 * - mode 'confidence' (top-label): prediction = (p >= 0.5), confidence = max(p, 1 − p),
 *   accuracy = fraction of correct predictions in the bin (bins below 0.5 stay empty);
 * - mode 'positive': confidence = p, accuracy = fraction of positive labels in the bin.
 * Sums are float64 and do not depend on the thread count.
 *
 * @param prob probabilities in [0, 1] (e.g. per-pixel foreground probabilities)
 * @param label 0/1 ground truth, same length
 * @throws MedsynthError INVALID_ARGUMENT for bad lengths, probabilities outside [0, 1] or NaN,
 *   labels other than 0/1
 */
export async function expectedCalibrationError(
  prob: Float32Array,
  label: Uint8Array,
  options: CalibrationOptions = {},
): Promise<CalibrationResult> {
  const p = checkArray('prob', prob, Float32Array);
  if (p.length < 1) throw invalidParameter('prob', 'at least one element', p);
  const y = checkArray('label', label, Uint8Array, p.length);
  const bins = checkInteger('bins', options?.bins ?? 15, 1, 100000);
  const mode = checkOneOf('mode', options?.mode ?? 'confidence', ['confidence', 'positive'] as const);
  const count = new Float64Array(bins);
  const meanConfidence = new Float64Array(bins);
  const accuracy = new Float64Array(bins);
  const { ece, mce } = await callNative(binding().calibration(p, y, count, meanConfidence, accuracy, { bins, mode }));
  const lower = Float64Array.from({ length: bins }, (_, b) => b / bins);
  const upper = Float64Array.from({ length: bins }, (_, b) => (b + 1) / bins);
  return { ece, mce, bins: { lower, upper, count, meanConfidence, accuracy } };
}
