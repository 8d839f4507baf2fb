/** Output buffers of the loss kernels must not share memory with their inputs. */
import { invalidParameter } from '../errors.js';

/** Throws INVALID_ARGUMENT when `out` shares bytes with any of `inputs`. */
export function checkNoOverlap(name: string, out: ArrayBufferView, inputs: readonly ArrayBufferView[]): void {
  for (const input of inputs) {
    if (input.buffer !== out.buffer) continue;
    const a = out.byteOffset;
    const b = input.byteOffset;
    if (a < b + input.byteLength && b < a + out.byteLength) {
      throw invalidParameter(name, 'a buffer that does not overlap the inputs', out);
    }
  }
}
