/**
 * Cox proportional hazards loss for survival heads: the negative log partial likelihood of
 * risk scores under right censoring, with its gradient, in O(n log n).
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkArray, checkNoOverlap, checkOneOf } from '../validate.js';
import { type RealArray, checkRealArray } from './real_array.js';

/** How tied event times enter the partial likelihood. */
export type CoxTies = 'breslow' | 'efron';

export interface CoxLossOptions {
  /** Tie handling (default 'efron', as in R's coxph and lifelines). */
  ties?: CoxTies;
}

export interface CoxLossResult<R extends RealArray> {
  /** Negative log partial likelihood divided by the number of events. */
  loss: number;
  /** d loss / d risk, same type and length as `risk`. */
  grad: R;
}

/**
 * Cox negative log partial likelihood of risk scores η (log relative hazards: higher means an
 * earlier expected event), averaged over events. With tie groups of equal time t_g holding
 * d_g events D_g and the risk set R_g = {j : t_j >= t_g}:
 *
 *   Breslow: −ℓ = Σ_g [ d_g·log Σ_{j∈R_g} e^{η_j} − Σ_{i∈D_g} η_i ]
 *   Efron:   −ℓ = Σ_g [ Σ_{l=0}^{d_g−1} log( Σ_{R_g} e^η − (l/d_g)·Σ_{D_g} e^η ) − Σ_{D_g} η ]
 *
 * loss = −ℓ / (number of events). Without ties both equal the textbook partial likelihood.
 * Computed natively in float64 with log-sum-exp against a running maximum over the risk sets
 * (any finite η is safe), after one stable sort by time, so loss and gradient cost O(n log n).
 * A single event is fine.
 *
 * @param risk η, one per subject (Float32Array or Float64Array; `grad` has the same type)
 * @param time follow-up times (Float32Array or Float64Array); only their order and ties matter
 * @param event 1 = event observed at `time`, 0 = censored at `time`
 * @param gradOut optional buffer for the gradient, same type and length as `risk`, not
 *   overlapping the inputs
 * @throws MedsynthError INVALID_ARGUMENT for mismatched lengths or types, non-finite values,
 *   event values other than 0/1, or when every subject is censored (the loss is undefined)
 */
export async function coxLoss<R extends RealArray>(
  risk: R,
  time: RealArray,
  event: Uint8Array,
  options: CoxLossOptions = {},
  gradOut?: R,
): Promise<CoxLossResult<R>> {
  const r = checkRealArray('risk', risk) as R;
  if (r.length < 1) throw invalidParameter('risk', 'at least one element', r);
  const t = checkRealArray('time', time, r.length);
  const e = checkArray('event', event, Uint8Array, r.length);
  const ties = checkOneOf('ties', (options ?? {}).ties ?? 'efron', ['breslow', 'efron'] as const);
  const ctor = r.constructor as new (n: number) => R;
  let grad: R;
  if (gradOut === undefined) {
    grad = new ctor(r.length);
  } else {
    grad = checkArray('gradOut', gradOut, ctor as unknown as { new (n: number): R; name: string }, r.length);
    checkNoOverlap('gradOut', grad, [r, t, e]);
  }
  const loss = await callNative(binding().coxLoss(r, t, e, grad, { ties }));
  return { loss, grad };
}
