/**
 * Separable Gaussian blur of a 2D image [Y, X] or 3D volume [Z, Y, X] with the semantics of
 * scipy.ndimage.gaussian_filter: mode 'reflect' (d c b a | a b c d | d c b a, repeated when
 * the kernel is longer than the axis), radius int(truncate * sigma + 0.5), taps
 * exp(-x² / 2σ²) normalised to sum 1. An axis with sigma 0 is left alone, so a batch of 2D
 * images stored as [N, H, W] is blurred image by image with sigma [0, s, s].
 */
import { invalidParameter } from '../errors.js';
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkDims, checkInPlaceOrDisjoint, checkNumber, outputArray, perAxis, type Dims } from '../validate.js';
import { rejectNonFinite } from './finite.js';

/** Largest kernel radius (voxels) the native kernel accepts; 2r + 1 taps per axis. */
export const MAX_GAUSSIAN_RADIUS = 1 << 16;

export interface GaussianBlurOptions {
  /**
   * Standard deviation: one number for every axis, or one per axis in dims order ([Z, Y, X]
   * or [Y, X]). In voxels, or in mm when `spacing` is given. 0 leaves that axis alone.
   */
  sigma: number | readonly number[];
  /** Voxel spacing in mm, one per axis in dims order; makes `sigma` a length in mm. */
  spacing?: readonly number[];
  /** Kernel radius in standard deviations (scipy's `truncate`); default 4. */
  truncate?: number;
  /** Blur input holding NaN or ±Inf instead of refusing it (they spread over the kernel's reach). */
  allowNonFinite?: boolean;
}

/** Kernel radius in voxels for a sigma in voxels: int(truncate * sigma + 0.5), as scipy. */
export function gaussianRadius(sigma: number, truncate = 4): number {
  checkNumber('sigma', sigma, { min: 0 });
  checkNumber('truncate', truncate, { above: 0 });
  return Math.floor(truncate * sigma + 0.5);
}

/** The 2r + 1 normalised taps for offsets -r..r (float64), as scipy's _gaussian_kernel1d. */
export function gaussianKernel1d(sigma: number, truncate = 4): Float64Array {
  const r = gaussianRadius(sigma, truncate);
  if (r > MAX_GAUSSIAN_RADIUS) throw invalidParameter('sigma * truncate', `at most ${MAX_GAUSSIAN_RADIUS} voxels`, truncate * sigma);
  const w = new Float64Array(2 * r + 1);
  if (r === 0) {
    w[0] = 1;
    return w;
  }
  const c = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    w[i + r] = Math.exp(c * i * i);
    sum += w[i + r];
  }
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

/**
 * Blurs `input` (C order, X fastest) and returns `out` (allocated when omitted). `out` may be
 * `input` itself for in-place work, but must not otherwise share memory with it. The result
 * does not depend on the thread count.
 */
export async function gaussianBlur(
  input: Float32Array,
  dims: Dims,
  options: GaussianBlurOptions,
  out?: Float32Array,
): Promise<Float32Array> {
  const { zyx, count } = checkDims('dims', dims);
  const x = checkArray('input', input, Float32Array, count);
  const p = blurParams(options, dims.length);
  const y = outputArray('out', out, Float32Array, count);
  checkInPlaceOrDisjoint(x, y);
  await callNative(binding().gaussianBlur(x, y, { dims: zyx, ...p, rejectNonFinite: rejectNonFinite(options?.allowNonFinite) }));
  return y;
}

/**
 * The options as the native blur takes them: sigma in voxels per axis of [Z, Y, X] (mm divided
 * by the spacing here, the one place it is) and truncate. `prefix` names the fields in errors.
 */
export function blurParams(options: GaussianBlurOptions, axes: number, prefix = ''): { sigma: number[]; truncate: number } {
  const sigma = perAxis(`${prefix}sigma`, options?.sigma, axes, { min: 0 });
  const truncate = checkNumber(`${prefix}truncate`, options?.truncate ?? 4, { above: 0 });
  const spacing = options?.spacing === undefined ? undefined : perAxis(`${prefix}spacing`, options.spacing, axes, { above: 0 });
  const voxels = sigma.map((s, i) => (spacing ? s / spacing[i] : s));
  voxels.forEach((s, i) => {
    if (!(truncate * s + 0.5 <= MAX_GAUSSIAN_RADIUS)) {
      throw invalidParameter(`${prefix}sigma[${i}]`, `a kernel radius (sigma * truncate, in voxels) of at most ${MAX_GAUSSIAN_RADIUS}`, s * truncate);
    }
  });
  return { sigma: axes === 3 ? voxels : [0, ...voxels], truncate };
}
