/** The anatomy generator's stored image: its dtypes and their buffers. */
import { pinnedArray } from '../../core/pinned.js';

export type ImageDtype = 'float32' | 'int16' | 'uint8';
export type ImageArray = Float32Array | Int16Array | Uint8Array;

export const DTYPE_BYTES: Record<ImageDtype, number> = { float32: 4, int16: 2, uint8: 1 };

/** Over a SharedArrayBuffer: the kernels work on it in place (lib/core/pinned.ts). */
export function allocateImage(dtype: ImageDtype, n: number): ImageArray {
  return dtype === 'float32' ? pinnedArray(Float32Array, n) : dtype === 'int16' ? pinnedArray(Int16Array, n) : pinnedArray(Uint8Array, n);
}

/** Bytes one renderer holds: float32 intensity, labels, and the cast image unless float32. */
export function rendererBytes(imageSize: readonly number[], dtype: ImageDtype): number {
  const n = imageSize[0] * imageSize[1] * imageSize[2];
  return n * 4 + n + (dtype === 'float32' ? 0 : n * DTYPE_BYTES[dtype]);
}
