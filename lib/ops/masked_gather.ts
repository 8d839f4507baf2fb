/** The values of an array under a mask, packed in index order (native; thread-count independent). */
import { binding } from '../binding.js';
import { pinnedArray } from '../core/pinned.js';
import { callNative } from '../native.js';
import { checkArray, checkInteger } from '../validate.js';

/**
 * Returns x[i] for every i with mask[i] != 0, in order of i, over a SharedArrayBuffer.
 *
 * @param count the number of set mask bytes (as a masked reduction such as sliceSums' maskedCount
 *   gives it); the kernel checks it
 * @throws MedsynthError INVALID_ARGUMENT for mismatched lengths or a wrong count
 */
export async function maskedGather(x: Float32Array, mask: Uint8Array, count: number): Promise<Float32Array> {
  checkArray('x', x, Float32Array);
  checkArray('mask', mask, Uint8Array, x.length);
  checkInteger('count', count, 0, x.length);
  const out = pinnedArray(Float32Array, count); // handed on to other kernels: read in place
  await callNative(binding().maskedGather(x, mask, out));
  return out;
}
