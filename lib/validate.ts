/**
 * Argument checks shared by every public function. They throw MedsynthError('INVALID_ARGUMENT')
 * with "Expected … for <name> but received …" before anything reaches the addon.
 */
import { checkMemory } from './core/resources.js';
import { invalidParameter } from './errors.js';

/** A volume shape [Z, Y, X]; a 2D image is [Y, X] and is treated as Z = 1. */
export type Dims = readonly [number, number, number] | readonly [number, number];

/** Largest number of voxels one buffer may hold (a Float32Array of 2^31 - 1 elements). */
export const MAX_VOXELS = 2 ** 31 - 1;

export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  integer?: boolean;
}

export function checkNumber(name: string, value: unknown, rule: NumberRule = {}): number {
  const { min, max, above, integer } = rule;
  const kind = integer ? 'an integer' : 'a finite number';
  const range =
    above !== undefined
      ? ` greater than ${above}`
      : min !== undefined && max !== undefined
        ? ` between ${min} and ${max}`
        : min !== undefined
          ? ` >= ${min}`
          : max !== undefined
            ? ` <= ${max}`
            : '';
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter(name, kind + range, value);
  if (integer && !Number.isInteger(value)) throw invalidParameter(name, kind + range, value);
  if ((min !== undefined && value < min) || (max !== undefined && value > max) || (above !== undefined && value <= above)) {
    throw invalidParameter(name, kind + range, value);
  }
  return value;
}

export function checkInteger(name: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return checkNumber(name, value, { integer: true, min, max });
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidParameter(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Checks a shape and returns it as [Z, Y, X] with its voxel count. */
export function checkDims(name: string, dims: unknown): { zyx: [number, number, number]; count: number } {
  if (!Array.isArray(dims) || (dims.length !== 2 && dims.length !== 3)) {
    throw invalidParameter(name, '[Z, Y, X] or [Y, X]', dims);
  }
  dims.forEach((d, i) => checkInteger(`${name}[${i}]`, d, 1, MAX_VOXELS));
  const zyx = (dims.length === 3 ? [...dims] : [1, ...dims]) as [number, number, number];
  const count = zyx[0] * zyx[1] * zyx[2];
  if (count > MAX_VOXELS) throw invalidParameter(name, `at most ${MAX_VOXELS} voxels`, `${zyx.join('×')} = ${count}`);
  return { zyx, count };
}

type TypedArrayCtor<T> = { new (length: number): T; name: string };

/** Checks that `value` is a `ctor` instance of exactly `length` elements. */
export function checkArray<T extends ArrayBufferView & { length: number }>(
  name: string,
  value: unknown,
  ctor: TypedArrayCtor<T>,
  length?: number,
): T {
  if (!(value instanceof (ctor as unknown as new () => T))) throw invalidParameter(name, `a ${ctor.name}`, value);
  const array = value as T;
  checkFixedLength(name, array);
  if (length !== undefined && array.length !== length) {
    throw invalidParameter(name, `a ${ctor.name} of ${length} elements`, value);
  }
  return array;
}

/**
 * A native call may run while JS keeps going, so its arrays must not be able to shrink under it:
 * arrays over a resizable ArrayBuffer or a growable SharedArrayBuffer are refused (the binding
 * checks again; a detached array is caught when the call completes, see bindings/buffer_staging.h).
 */
export function checkFixedLength(name: string, array: ArrayBufferView): void {
  const buffer = array.buffer as ArrayBuffer & { resizable?: boolean; growable?: boolean };
  if (buffer.resizable === true || buffer.growable === true) {
    throw invalidParameter(name, 'an array over a fixed-length ArrayBuffer (not resizable or growable)', array);
  }
}

/** Returns `out` after checking it, or a new array when `out` is undefined (within the memory budget). */
export function outputArray<T extends ArrayBufferView & { length: number }>(
  name: string,
  out: unknown,
  ctor: TypedArrayCtor<T>,
  length: number,
): T {
  if (out !== undefined) return checkArray(name, out, ctor, length);
  checkMemory(`allocating ${name} (${length} elements)`, length * ((ctor as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 8));
  return new ctor(length);
}

/** A seed: a non-negative safe integer or a BigInt below 2^64. */
export function checkSeed(name: string, seed: unknown): number | bigint {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw invalidParameter(name, 'a BigInt in [0, 2^64)', seed);
    return seed;
  }
  return checkInteger(name, seed, 0, Number.MAX_SAFE_INTEGER);
}

/** Per-axis value: one number for all axes, or one per axis of a [Z, Y, X] (or [Y, X]) shape. */
export function perAxis(name: string, value: unknown, axes: number, rule: NumberRule = {}): number[] {
  if (typeof value === 'number') return new Array(axes).fill(checkNumber(name, value, rule));
  if (!Array.isArray(value) || value.length !== axes) {
    throw invalidParameter(name, `a number or an array of ${axes} numbers`, value);
  }
  return value.map((v, i) => checkNumber(`${name}[${i}]`, v, rule));
}

/** Throws INVALID_ARGUMENT when `out` shares bytes with any of `inputs` (a kernel that reads them while writing it). */
export function checkNoOverlap(name: string, out: ArrayBufferView, inputs: readonly ArrayBufferView[]): void {
  for (const input of inputs) {
    if (input.buffer !== out.buffer) continue;
    const a = out.byteOffset;
    const b = input.byteOffset;
    if (a < b + input.byteLength && b < a + out.byteLength) {
      throw invalidParameter(name, 'an array that does not overlap the inputs', 'an overlapping view');
    }
  }
}

/** `out` may be `input` itself (in place) or separate memory, but not a partly overlapping view. */
export function checkInPlaceOrDisjoint(input: ArrayBufferView, out: ArrayBufferView): void {
  if (input.buffer !== out.buffer || input.byteOffset === out.byteOffset) return;
  const a = input.byteOffset;
  const b = out.byteOffset;
  if (a < b + out.byteLength && b < a + input.byteLength) {
    throw invalidParameter('out', 'the input itself or an array that does not overlap it', 'an overlapping view');
  }
}
