/**
 * Arrays over a SharedArrayBuffer: JS can neither detach nor shrink that memory, so native calls
 * work on it in place (zero copy), while arrays over an ordinary ArrayBuffer are copied for the
 * call's duration (see bindings/buffer_staging.h). Generators allocate their per-sample buffers
 * this way; callers who pass big arrays to the kernels repeatedly can too.
 */
type TypedArrayCtor<T> = { new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number };

/** A zero-filled `ctor` of `length` elements over a new SharedArrayBuffer. */
export function pinnedArray<T>(ctor: TypedArrayCtor<T>, length: number): T {
  return new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT), 0, length);
}
