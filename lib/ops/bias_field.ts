/**
 * Multiplicative MR bias field (TorchIO's RandomBiasField model):
 *   field = exp(Σ c[t] · X^i · Y^j · Z^k) over i + j + k <= order,   out = input · field,
 * with X, Y, Z the voxel coordinates normalised per axis to linspace(-1, 1, n) (an axis of size 1
 * has coordinate 0, so a 2D image [Y, X] only sees the k = 0 terms). X is the fastest axis.
 *
 * Coefficient order — t counts up in this nesting (TorchIO's loops):
 *   for i in 0..order (power of X), for j in 0..order-i (power of Y), for k in 0..order-i-j (power of Z)
 * `biasFieldTerms(order)` lists the [i, j, k] of each coefficient in that order.
 */
import { invalidParameter } from '../errors.js';
import type { Rng } from '../core/philox.js';
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkDims, checkInPlaceOrDisjoint, checkInteger, checkNumber, outputArray, type Dims } from '../validate.js';
import { rejectNonFinite } from './finite.js';

/** Highest supported polynomial order. */
export const MAX_BIAS_ORDER = 3;

export interface BiasFieldOptions {
  /** Polynomial order, 0..3 (TorchIO's default is 3). */
  order: number;
  /** biasFieldTermCount(order) coefficients in the order of biasFieldTerms(order). */
  coefficients: readonly number[];
  /** applyBiasField: multiply input holding NaN or ±Inf instead of refusing it. */
  allowNonFinite?: boolean;
}

/** Number of coefficients of a field of `order`: (order+1)(order+2)(order+3)/6 → 1, 4, 10, 20. */
export function biasFieldTermCount(order: number): number {
  const o = checkInteger('order', order, 0, MAX_BIAS_ORDER);
  return ((o + 1) * (o + 2) * (o + 3)) / 6;
}

/** The [i, j, k] powers of [X, Y, Z] of each coefficient, in coefficient order. */
export function biasFieldTerms(order: number): Array<[number, number, number]> {
  const o = checkInteger('order', order, 0, MAX_BIAS_ORDER);
  const terms: Array<[number, number, number]> = [];
  for (let i = 0; i <= o; i++) {
    for (let j = 0; j <= o - i; j++) {
      for (let k = 0; k <= o - i - j; k++) terms.push([i, j, k]);
    }
  }
  return terms;
}

/**
 * Coefficients drawn uniform(-maxCoefficient, maxCoefficient) in coefficient order, as TorchIO's
 * RandomBiasField does (its default maxCoefficient is 0.5). Consumes one `rng.uniform()` each.
 */
export function sampleBiasCoefficients(rng: Rng, order: number, maxCoefficient = 0.5): number[] {
  const n = biasFieldTermCount(order);
  const m = checkNumber('maxCoefficient', maxCoefficient, { min: 0 });
  return Array.from({ length: n }, () => rng.range(-m, m));
}

/** out = input · field (input [Z, Y, X] or [Y, X]); `out` may be `input` itself. */
export async function applyBiasField(
  input: Float32Array,
  dims: Dims,
  options: BiasFieldOptions,
  out?: Float32Array,
): Promise<Float32Array> {
  const { zyx, count } = checkDims('dims', dims);
  const x = checkArray('input', input, Float32Array, count);
  const p = biasParams(options);
  const y = outputArray('out', out, Float32Array, count);
  checkInPlaceOrDisjoint(x, y);
  await callNative(binding().biasField(x, y, { dims: zyx, ...p, rejectNonFinite: rejectNonFinite(options?.allowNonFinite) }));
  return y;
}

/** The field alone, exp(polynomial), of shape `dims`. */
export async function biasField(dims: Dims, options: BiasFieldOptions, out?: Float32Array): Promise<Float32Array> {
  const { zyx, count } = checkDims('dims', dims);
  const p = biasParams(options);
  const y = outputArray('out', out, Float32Array, count);
  await callNative(binding().biasField(null, y, { dims: zyx, ...p }));
  return y;
}

/** The options as the native field takes them; `prefix` names the fields in errors. */
export function biasParams(options: BiasFieldOptions, prefix = ''): { order: number; coefficients: number[] } {
  const order = checkInteger(`${prefix}order`, options?.order, 0, MAX_BIAS_ORDER);
  const c = options?.coefficients;
  const n = biasFieldTermCount(order);
  if (!Array.isArray(c) || c.length !== n) {
    throw invalidParameter(`${prefix}coefficients`, `an array of ${n} numbers for order ${order}`, c);
  }
  return { order, coefficients: c.map((v, t) => checkNumber(`${prefix}coefficients[${t}]`, v)) };
}
