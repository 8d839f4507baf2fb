/**
 * Per pixel of a probability map against its binary truth: the truth as 0/1 labels, the absolute
 * error |p − label| (what an uncertainty map is compared with) and the union of true and
 * predicted foreground. One native pass.
 */
import { binding } from '../binding.js';
import { pinnedArray } from '../core/pinned.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkArray, checkNumber } from '../validate.js';

/** The three maps, over SharedArrayBuffers (lib/core/pinned.ts). */
export interface SegmentationErrorMap {
  /** 1 where the truth is foreground (float >= 0.5, uint8 nonzero), else 0. */
  label: Uint8Array;
  /** |p − label| as a float32 subtraction rounds it. */
  error: Float32Array;
  /** label | (p >= threshold): true or predicted foreground. */
  either: Uint8Array;
}

/**
 * @param probability Float32Array probabilities
 * @param truth Float32Array (foreground >= 0.5) or Uint8Array (nonzero), same length
 * @param options threshold of a predicted foreground pixel (p >= threshold), default 0.5
 * @throws MedsynthError INVALID_ARGUMENT for mismatched lengths or a non-finite threshold
 */
export async function segmentationErrorMap(
  probability: Float32Array,
  truth: Float32Array | Uint8Array,
  options: { threshold?: number } = {},
): Promise<SegmentationErrorMap> {
  const n = checkArray('probability', probability, Float32Array).length;
  if (!(truth instanceof Float32Array) && !(truth instanceof Uint8Array)) throw invalidParameter('truth', 'a Float32Array or Uint8Array', truth);
  checkArray('truth', truth, truth.constructor as typeof Uint8Array, n);
  const threshold = checkNumber('threshold', options.threshold ?? 0.5);
  // Pinned: the maps go on to other kernels (calibration, correlation, dilation), which then
  // read them in place instead of copying them per call.
  const map = { label: pinnedArray(Uint8Array, n), error: pinnedArray(Float32Array, n), either: pinnedArray(Uint8Array, n) };
  await callNative(binding().segmentationErrorMap(probability, truth, map.label, map.error, map.either, { threshold }));
  return map;
}
