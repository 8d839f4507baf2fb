/** Float32Array or Float64Array inputs of the survival and correlation kernels. */
import { invalidParameter } from '../errors.js';
import { checkFixedLength } from '../validate.js';

export type RealArray = Float32Array | Float64Array;

/** Checks that `value` is a Float32Array or Float64Array (of `length` elements when given). */
export function checkRealArray(name: string, value: unknown, length?: number): RealArray {
  if (!(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    throw invalidParameter(name, 'a Float32Array or Float64Array', value);
  }
  checkFixedLength(name, value);
  if (length !== undefined && value.length !== length) {
    throw invalidParameter(name, `an array of ${length} elements`, value);
  }
  return value;
}
