/**
 * NaN and ±Inf in an input volume: blur, noise and bias would spread one NaN over the kernel's
 * reach (or pass it through) without a word. Those functions refuse non-finite input unless the
 * caller says `allowNonFinite: true`; the scan is one native pass over the array.
 */
import { MedsynthError } from '../errors.js';
import { callNative, nativeAddon } from '../native.js';
import { checkArray } from '../validate.js';

interface FiniteNative {
  findNonFinite(values: Float32Array): Promise<{ count: number; first: number }>;
}

const native = () => nativeAddon<FiniteNative>();

/** How many NaN/±Inf values `values` holds, and the index of the first (-1 when none). */
export async function findNonFinite(values: Float32Array): Promise<{ count: number; first: number }> {
  const x = checkArray('values', values, Float32Array);
  return callNative(native().findNonFinite(x));
}

/** Throws INVALID_ARGUMENT when `values` holds a non-finite value, unless `allow` is true. */
export async function checkFiniteValues(name: string, values: Float32Array, allow: unknown): Promise<void> {
  if (allow !== undefined && typeof allow !== 'boolean') {
    throw new MedsynthError('INVALID_ARGUMENT', `Expected a boolean for allowNonFinite but received ${typeof allow}`);
  }
  if (allow === true) return;
  const { count, first } = await findNonFinite(values);
  if (count > 0) {
    throw new MedsynthError(
      'INVALID_ARGUMENT',
      `${name} holds ${count} non-finite value(s) (first at index ${first}: ${values[first]}); pass allowNonFinite: true to process them anyway`,
    );
  }
}
