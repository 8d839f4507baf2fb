/**
 * NaN and ±Inf in an input volume: blur, noise and bias would spread one NaN over the kernel's
 * reach (or pass it through) without a word. Those functions refuse non-finite input unless the
 * caller says `allowNonFinite: true`; the scan is one native pass over the array, on the kernel's
 * worker (native/volume/finite_check.h).
 */
import { invalidParameter } from '../errors.js';
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray } from '../validate.js';

/** How many NaN/±Inf values `values` holds, and the index of the first (-1 when none). */
export async function findNonFinite(values: Float32Array): Promise<{ count: number; first: number }> {
  const x = checkArray('values', values, Float32Array);
  return callNative(binding().findNonFinite(x));
}

/**
 * The kernels that refuse non-finite input scan it on their worker, on the same snapshot they
 * work on, before writing anything: this turns the caller's `allowNonFinite` into the flag they
 * take (`rejectNonFinite`).
 */
export function rejectNonFinite(allow: unknown): boolean {
  if (allow !== undefined && typeof allow !== 'boolean') throw invalidParameter('allowNonFinite', 'a boolean', allow);
  return allow !== true;
}
