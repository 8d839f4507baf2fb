/**
 * Per-slice sums of a [S, plane] map, over each whole slice and over a mask (native, float64,
 * in a fixed order: the same bytes on any thread count). Slice and patient means of a pixel map
 * come from these S numbers.
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkInteger, MAX_VOXELS } from '../validate.js';
import { invalidParameter } from '../errors.js';

export interface SliceSums {
  /** [S] Σ x over each slice. */
  sum: Float64Array;
  /** [S] Σ x where mask != 0 (only with a mask). */
  maskedSum?: Float64Array;
  /** [S] number of pixels with mask != 0 (only with a mask). */
  maskedCount?: Float64Array;
}

/**
 * @param x Float32Array [slices · plane]
 * @param shape `{ slices, plane }`
 * @param mask optional Uint8Array [slices · plane], nonzero = inside
 * @throws MedsynthError INVALID_ARGUMENT for a bad shape or lengths
 */
export async function sliceSums(x: Float32Array, shape: { slices: number; plane: number }, mask?: Uint8Array): Promise<SliceSums> {
  const slices = checkInteger('slices', shape?.slices, 0, MAX_VOXELS);
  const plane = checkInteger('plane', shape?.plane, 1, MAX_VOXELS);
  if (slices * plane > MAX_VOXELS) throw invalidParameter('shape', `at most ${MAX_VOXELS} elements`, `${slices}×${plane}`);
  checkArray('x', x, Float32Array, slices * plane);
  if (mask !== undefined) checkArray('mask', mask, Uint8Array, slices * plane);
  const sum = new Float64Array(slices);
  if (mask === undefined) {
    await callNative(binding().sliceSums(x, null, sum, null, null, { slices, plane }));
    return { sum };
  }
  const maskedSum = new Float64Array(slices);
  const maskedCount = new Float64Array(slices);
  await callNative(binding().sliceSums(x, mask, sum, maskedSum, maskedCount, { slices, plane }));
  return { sum, maskedSum, maskedCount };
}
