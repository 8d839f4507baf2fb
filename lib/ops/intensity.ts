/**
 * Elementwise intensity steps: window/level, rescale, clamp and casts with rounding.
 * Every function takes an optional `out` (which may be `input` itself, for in-place work) so a
 * generator can reuse its buffers across samples.
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkArray, checkNumber, outputArray } from '../validate.js';

export interface WindowOptions {
  /** Window centre (level), e.g. 40 HU for soft tissue. */
  center: number;
  /** Window width (> 0), e.g. 400 HU. */
  width: number;
  /** Output range; defaults to [0, 1]. */
  outMin?: number;
  outMax?: number;
}

/** Maps [center - width/2, center + width/2] linearly onto [outMin, outMax], clamping outside. */
export async function windowLevel(input: Float32Array, options: WindowOptions, out?: Float32Array): Promise<Float32Array> {
  const x = checkArray('input', input, Float32Array);
  const p = {
    center: checkNumber('center', options?.center),
    width: checkNumber('width', options?.width, { above: 0 }),
    outMin: checkNumber('outMin', options?.outMin ?? 0),
    outMax: checkNumber('outMax', options?.outMax ?? 1),
  };
  const y = outputArray('out', out, Float32Array, x.length);
  await callNative(binding().windowLevel(x, y, p));
  return y;
}

export type RescaleOptions =
  | { scale: number; offset: number }
  | { inRange: readonly [number, number]; outRange: readonly [number, number] };

/** Linear rescale: `x * scale + offset`, or the map taking inRange onto outRange (no clamping). */
export async function rescale(input: Float32Array, options: RescaleOptions, out?: Float32Array): Promise<Float32Array> {
  const x = checkArray('input', input, Float32Array);
  const p = affineParams(options);
  const y = outputArray('out', out, Float32Array, x.length);
  await callNative(binding().affine(x, y, p));
  return y;
}

/** Clamps every value into [lo, hi]. */
export async function clamp(input: Float32Array, lo: number, hi: number, out?: Float32Array): Promise<Float32Array> {
  const x = checkArray('input', input, Float32Array);
  checkNumber('lo', lo);
  checkNumber('hi', hi, { min: lo });
  const y = outputArray('out', out, Float32Array, x.length);
  await callNative(binding().clamp(x, y, { lo, hi }));
  return y;
}

/**
 * Casts to uint8 after an optional linear map (`x * scale + offset`, or inRange → [0, 255]),
 * rounding half away from zero and saturating; NaN becomes 0.
 */
export async function castToUint8(input: Float32Array, map?: RescaleOptions, out?: Uint8Array): Promise<Uint8Array> {
  const x = checkArray('input', input, Float32Array);
  const p = map === undefined ? { scale: 1, offset: 0 } : affineParams(map);
  const y = outputArray('out', out, Uint8Array, x.length);
  await callNative(binding().castU8(x, y, p));
  return y;
}

/** Casts to int16 (e.g. CT in HU) with the same rounding and saturation rules as castToUint8. */
export async function castToInt16(input: Float32Array, map?: RescaleOptions, out?: Int16Array): Promise<Int16Array> {
  const x = checkArray('input', input, Float32Array);
  const p = map === undefined ? { scale: 1, offset: 0 } : affineParams(map);
  const y = outputArray('out', out, Int16Array, x.length);
  await callNative(binding().castI16(x, y, p));
  return y;
}

function affineParams(options: RescaleOptions): { scale: number; offset: number } {
  if (options === null || typeof options !== 'object') throw invalidParameter('map', 'an object ({scale, offset} or {inRange, outRange})', options);
  if ('inRange' in options) {
    if (!Array.isArray(options.inRange) || !Array.isArray(options.outRange)) {
      throw invalidParameter('inRange/outRange', 'two [lo, hi] arrays', options.inRange);
    }
    const [a, b] = options.inRange;
    const [c, d] = options.outRange;
    checkNumber('inRange[0]', a);
    checkNumber('inRange[1]', b);
    checkNumber('outRange[0]', c);
    checkNumber('outRange[1]', d);
    if (a === b) throw invalidParameter('inRange', 'two different numbers', `[${a}, ${b}]`);
    const scale = (d - c) / (b - a);
    return { scale, offset: c - a * scale };
  }
  return {
    scale: checkNumber('scale', (options as { scale?: number })?.scale),
    offset: checkNumber('offset', (options as { offset?: number })?.offset),
  };
}
