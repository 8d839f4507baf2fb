/** Correlation between per-sample uncertainty and error: does the model know when it is wrong? */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { type RealArray, checkRealArray } from '../loss/real_array.js';

export interface CorrelationResult {
  /** Pearson's r; NaN when either series is constant. */
  pearson: number;
  /** Spearman's ρ (Pearson on fractional ranks, ties averaged); NaN when either is constant. */
  spearman: number;
  /** Number of pairs. */
  n: number;
}

/**
 * Pearson and Spearman correlation between uncertainty (e.g. MC-dropout variance per sample or
 * per pixel) and error (e.g. 1 − Dice, |predicted − true|). Float64 sums in a fixed order.
 *
 * @param uncertainty Float32Array or Float64Array, at least 2 elements
 * @param error same length, Float32Array or Float64Array
 * @throws MedsynthError INVALID_ARGUMENT for mismatched lengths, fewer than 2 pairs or
 *   non-finite values
 */
export async function uncertaintyErrorCorrelation(uncertainty: RealArray, error: RealArray): Promise<CorrelationResult> {
  const u = checkRealArray('uncertainty', uncertainty);
  if (u.length < 2) throw invalidParameter('uncertainty', 'at least 2 elements', u);
  const e = checkRealArray('error', error, u.length);
  const r = await callNative(binding().correlation(u, e));
  return { ...r, n: u.length };
}
