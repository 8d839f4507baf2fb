/**
 * Binary dilation of a stack of 2-D masks by a square: a pixel is set when it lies within
 * `radius` pixels (Chebyshev distance) of a set pixel of the same slice. Native, separable
 * (running counts along rows, then columns: the cost per pixel does not grow with the radius),
 * slices in parallel; the result does not depend on the thread count.
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkDims, checkInPlaceOrDisjoint, checkInteger, MAX_VOXELS, outputArray, type Dims } from '../validate.js';

/**
 * Dilates every [H, W] slice of `seed` (nonzero = set) and returns the 0/1 mask.
 *
 * @param dims [S, H, W], or [H, W] for one slice
 * @param radius Chebyshev radius in pixels, >= 0 (0 copies the mask as 0/1; a radius at least
 *   the slice's size sets a whole slice that holds any set pixel)
 * @param out optional [S·H·W] output; may be `seed` itself
 * @throws MedsynthError INVALID_ARGUMENT for a bad shape, length or radius
 */
export async function dilateSlices(seed: Uint8Array, dims: Dims, radius: number, out?: Uint8Array): Promise<Uint8Array> {
  const { zyx, count } = checkDims('dims', dims);
  checkArray('seed', seed, Uint8Array, count);
  checkInteger('radius', radius, 0, MAX_VOXELS);
  const result = outputArray('out', out, Uint8Array, count);
  checkInPlaceOrDisjoint(seed, result);
  await callNative(binding().dilateSlicesSquare(seed, result, { dims: zyx, radius }));
  return result;
}
