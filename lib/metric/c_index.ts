/** Harrell's concordance index for survival predictions, in O(n log n). */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkArray } from '../validate.js';
import { type RealArray, checkRealArray } from '../loss/real_array.js';

export interface ConcordanceResult {
  /** (concordant + ½·tiedRisk) / comparable. */
  cIndex: number;
  /** Comparable pairs where the subject with the earlier event has the higher risk. */
  concordant: number;
  /** Comparable pairs where it has the lower risk. */
  discordant: number;
  /** Comparable pairs with equal risks (each counts ½). */
  tiedRisk: number;
  /** concordant + discordant + tiedRisk. */
  comparable: number;
}

/**
 * Harrell's C-index of risk scores (higher risk = earlier expected event; pass −prediction for
 * predicted survival times, which is what lifelines' `concordance_index` takes). Pair rules:
 * - (i, j) with t_i < t_j is comparable when subject i had the event (δ_i = 1);
 * - tied times t_i = t_j are comparable only when exactly one had the event; that one should
 *   have the higher risk (the censored subject was still at risk at that time); two events or
 *   two censorings at the same time are not comparable;
 * - a comparable pair is concordant when the earlier (or event) subject has the higher risk,
 *   discordant when lower, and counts ½ when the risks are equal.
 * O(n log n): radix sorts by time and risk plus a Fenwick tree over risk ranks.
 *
 * @throws MedsynthError INVALID_ARGUMENT for mismatched lengths or types, non-finite values,
 *   event values other than 0/1, or no comparable pair at all (the index is undefined)
 */
export async function concordanceIndex(risk: RealArray, time: RealArray, event: Uint8Array): Promise<ConcordanceResult> {
  const r = checkRealArray('risk', risk);
  if (r.length < 1) throw invalidParameter('risk', 'at least one element', r);
  const t = checkRealArray('time', time, r.length);
  const e = checkArray('event', event, Uint8Array, r.length);
  const c = await callNative(binding().concordance(r, t, e));
  return { cIndex: (c.concordant + 0.5 * c.tiedRisk) / c.comparable, ...c };
}
