/**
 * Radiomics features of nodule patches, for comparing nodule populations (frechet.ts). Per-voxel
 * work is native (native/metric/radiomics.h); this file turns its sums into features:
 *
 *   volume_mm3          region voxels × voxel volume
 *   surface_mm2         exposed voxel faces × face area (a voxelised surface: a sphere's reads
 *                       about 1.5× its true area, so sphericity ≈ 2/3 for a voxelised ball)
 *   surface_to_volume   surface_mm2 / volume_mm3 (mm⁻¹)
 *   sphericity          π^(1/3)·(6V)^(2/3) / A
 *   mean_hu, sd_hu      intensity mean and SD over the region
 *   skewness, kurtosis  standardised 3rd moment and excess 4th moment
 *   glcm_*              grey-level co-occurrence over the 13 3D directions, intensities in
 *                       `levels` bins (default 16) on [lo, hi) HU (default −1000 … 400, the
 *                       seed's window), symmetric and normalised to p(i, j):
 *                       contrast Σ(i−j)²p, homogeneity Σp/(1+|i−j|), energy Σp²,
 *                       entropy −Σp log₂p, correlation Σ(i−μ)(j−μ)p/σ²
 * The region is the mask (voxels ≠ 0) or, for images without one (learned nodules), the voxels
 * at or above `threshold` HU (default −400).
 */
import { invalidParameter } from '../../errors.js';
import { callNative, nativeAddon } from '../../native.js';
import { checkArray, checkDims, checkInteger, checkNumber, type Dims } from '../../validate.js';

export const RADIOMICS_FEATURES = [
  'volume_mm3',
  'surface_mm2',
  'surface_to_volume',
  'sphericity',
  'mean_hu',
  'sd_hu',
  'skewness',
  'kurtosis',
  'glcm_contrast',
  'glcm_homogeneity',
  'glcm_energy',
  'glcm_entropy',
  'glcm_correlation',
] as const;

const HEADER = 10;

interface RadiomicsNative {
  radiomicsSums(images: Float32Array, masks: Uint8Array | null, out: Float64Array, p: { n: number; dims: number[]; threshold: number; lo: number; hi: number; levels: number }): Promise<void>;
}

export interface RadiomicsOptions {
  spacing: readonly [number, number, number];
  masks?: Uint8Array;
  threshold?: number;
  lo?: number;
  hi?: number;
  levels?: number;
}

/** Raw sums per patch ([n, 10 + levels²]) as the native kernel returns them. */
export async function radiomicsSums(images: Float32Array, n: number, dims: Dims, o: RadiomicsOptions): Promise<Float64Array> {
  const { zyx, count } = checkDims('dims', dims);
  checkInteger('n', n, 0, 2 ** 31);
  checkArray('images', images, Float32Array, n * count);
  if (o.masks !== undefined) checkArray('masks', o.masks, Uint8Array, n * count);
  const levels = checkInteger('levels', o.levels ?? 16, 2, 256);
  const lo = checkNumber('lo', o.lo ?? -1000);
  const hi = checkNumber('hi', o.hi ?? 400);
  if (!(hi > lo)) throw invalidParameter('hi', `a value above lo (${lo})`, hi);
  const out = new Float64Array(n * (HEADER + levels * levels));
  await callNative(
    nativeAddon<RadiomicsNative>().radiomicsSums(images, o.masks ?? null, out, {
      n,
      dims: zyx,
      threshold: checkNumber('threshold', o.threshold ?? -400),
      lo,
      hi,
      levels,
    }),
  );
  return out;
}

/** Features from one patch's sums (RADIOMICS_FEATURES order); NaN for an empty region. */
export function featuresFromSums(s: ArrayLike<number>, levels: number, spacing: readonly [number, number, number]): number[] {
  const [voxels, fz, fy, fx, mean, m2, m3, m4] = Array.from({ length: 8 }, (_, i) => s[i]);
  if (!(voxels > 0)) return RADIOMICS_FEATURES.map(() => NaN);
  const [sz, sy, sx] = spacing;
  const volume = voxels * sz * sy * sx;
  const surface = fz * sy * sx + fy * sz * sx + fx * sz * sy;
  const variance = m2 / voxels;
  const sd = Math.sqrt(variance);
  const skewness = variance > 0 ? m3 / voxels / variance ** 1.5 : 0;
  const kurtosis = variance > 0 ? m4 / voxels / (variance * variance) - 3 : 0;
  let total = 0;
  for (let k = 0; k < levels * levels; k++) total += s[HEADER + k];
  let contrast = 0, homogeneity = 0, energy = 0, entropy = 0, mu = 0, correlation = 0;
  if (total > 0) {
    for (let i = 0; i < levels; i++) for (let j = 0; j < levels; j++) mu += (i * s[HEADER + i * levels + j]) / total;
    let varG = 0, cov = 0;
    for (let i = 0; i < levels; i++) {
      for (let j = 0; j < levels; j++) {
        const p = s[HEADER + i * levels + j] / total;
        if (p === 0) continue;
        contrast += (i - j) * (i - j) * p;
        homogeneity += p / (1 + Math.abs(i - j));
        energy += p * p;
        entropy -= p * Math.log2(p);
        varG += (i - mu) * (i - mu) * p;
        cov += (i - mu) * (j - mu) * p;
      }
    }
    // A region of one grey level has no variation to correlate: 1 by convention.
    correlation = varG > 0 ? cov / varG : 1;
  }
  return [
    volume,
    surface,
    surface / volume,
    (Math.cbrt(Math.PI) * Math.cbrt(6 * volume) ** 2) / surface,
    mean,
    sd,
    skewness,
    kurtosis,
    contrast,
    homogeneity,
    energy,
    entropy,
    correlation,
  ];
}

/** Features of n patches: [n, RADIOMICS_FEATURES.length] row-major. */
export async function noduleFeatures(images: Float32Array, n: number, dims: Dims, o: RadiomicsOptions): Promise<Float64Array> {
  const levels = o.levels ?? 16;
  const sums = await radiomicsSums(images, n, dims, o);
  const stride = HEADER + levels * levels;
  const F = RADIOMICS_FEATURES.length;
  const out = new Float64Array(n * F);
  for (let i = 0; i < n; i++) out.set(featuresFromSums(sums.subarray(i * stride, (i + 1) * stride), levels, o.spacing), i * F);
  return out;
}
