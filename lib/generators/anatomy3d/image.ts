/** The anatomy generator's stored image: its dtypes and their buffers. */
export type ImageDtype = 'float32' | 'int16' | 'uint8';
export type ImageArray = Float32Array | Int16Array | Uint8Array;

export const DTYPE_BYTES: Record<ImageDtype, number> = { float32: 4, int16: 2, uint8: 1 };

export function allocateImage(dtype: ImageDtype, n: number): ImageArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int16' ? new Int16Array(n) : new Uint8Array(n);
}
