/**
 * Planning a dataset before any voxel is made: which global sample indices go to which split,
 * how the files are chunked, and how much memory and disk the run needs — so an impossible
 * request is refused with its numbers instead of failing half way.
 */
import { checkMemory, formatBytes } from '../core/memory_check.js';
import { statfsSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError, invalidParameter } from '../errors.js';
import { checkInteger, checkNumber } from '../validate.js';
import type { ImageDtype } from '../generators/anatomy3d/render.js';

export type SplitName = 'train' | 'val' | 'test';
export type MaskForm = 'onehot' | 'labels' | 'both' | 'none';

export interface SplitPlan {
  name: SplitName;
  /** Global index of the split's first sample; the split holds [first, first + count). */
  first: number;
  count: number;
}

/**
 * Train gets the first samples, then val, then test (sample i's content depends only on
 * (seed, i), so contiguous ranges are as random as any other assignment).
 */
export function planSplits(total: number, validationSplit: number, testSplit: number): SplitPlan[] {
  checkInteger('totalSamples', total, 1, 0xffffffff);
  checkNumber('validationSplit', validationSplit, { min: 0, max: 1 });
  checkNumber('testSplit', testSplit, { min: 0, max: 1 });
  if (validationSplit + testSplit >= 1) {
    throw invalidParameter('validationSplit + testSplit', 'a sum below 1', validationSplit + testSplit);
  }
  const val = Math.round(total * validationSplit);
  const test = Math.round(total * testSplit);
  const train = total - val - test;
  if (train < 1) throw invalidParameter('totalSamples', 'enough samples to leave at least one for training', total);
  const plans: SplitPlan[] = [{ name: 'train', first: 0, count: train }];
  if (validationSplit > 0) plans.push({ name: 'val', first: train, count: val });
  if (testSplit > 0) plans.push({ name: 'test', first: train + val, count: test });
  return plans;
}

export const DTYPE_BYTES: Record<ImageDtype, number> = { float32: 4, int16: 2, uint8: 1 };

/**
 * Whether one-hot masks are written only through the chunks that hold each structure (rather
 * than over each structure's whole bounding box). It stores fewer bytes (at 256×512×512, 13
 * masks: ~12 instead of ~37 MiB per sample, with 32³ instead of 64³ chunks) but costs a pass
 * over the label map and more, smaller writes: measured end to end (shared 2-core machine) it
 * was ~8% faster per sample at 256×512×512, where the disk bounds writing, and ~10% slower at
 * 256×256×128 and 128×128×64, where the page cache absorbs the bytes.
 */
export function sparseMaskChunks(imageSize: readonly [number, number, number]): boolean {
  return imageSize[0] * imageSize[1] * imageSize[2] >= 2 ** 25;
}

/** The block extractOneHotMasks writes by (the masks' chunk shape over Z, Y, X), or none for box writes. */
export function maskWriteBlock(imageSize: readonly [number, number, number], dtype: ImageDtype): number[] | undefined {
  return sparseMaskChunks(imageSize) ? chunkShapes(imageSize, dtype).masks.slice(2) : undefined;
}

/** Chunk shapes: one image chunk per sample up to ~4 MiB (slabs of z beyond), small label and mask chunks. */
export function chunkShapes(imageSize: readonly [number, number, number], dtype: ImageDtype) {
  const [z, y, x] = imageSize;
  const slice = y * x * DTYPE_BYTES[dtype];
  const slabs = Math.max(1, Math.min(z, Math.floor((4 << 20) / slice)));
  // Label/mask chunks of about a quarter of each axis, a power of two in [16, 64] (in [16, 32]
  // for samples written chunk by chunk, see sparseMaskChunks): a structure then allocates little
  // beyond itself, while a whole-sample read stays a few hundred chunk reads. Measured at
  // 128×128×64, 200 samples (loaded machine): 32×64×64 chunks stored 3.7 MiB/sample and read
  // 89 samples/s; 32×32×16: 1.9 MiB/sample, 42 samples/s; 16×16×8: 1.4 MiB/sample but
  // 14 samples/s.
  const cap = sparseMaskChunks(imageSize) ? 32 : 64;
  const block = [z, y, x].map((d) => Math.min(d, Math.max(16, Math.min(cap, 2 ** Math.floor(Math.log2(Math.max(1, d / 4)))))));
  return {
    image: [1, slabs, y, x],
    labels: [1, ...block],
    masks: [1, 1, ...block],
  };
}

export interface ResourceEstimate {
  /** Bytes written per sample (masks estimated from the structures' share of the volume). */
  diskBytesPerSample: number;
  diskBytes: number;
  /** Peak bytes of sample buffers held at once (two samples in flight). */
  memoryBytes: number;
}

export function estimateResources(
  imageSize: readonly [number, number, number],
  total: number,
  dtype: ImageDtype,
  masks: MaskForm,
  structureVolumeFraction: number,
): ResourceEstimate {
  const n = imageSize[0] * imageSize[1] * imageSize[2];
  const image = n * DTYPE_BYTES[dtype];
  const labels = masks === 'labels' || masks === 'both' ? n : 0;
  // Masks are stored sparsely (only chunks inside each structure's box); boxes are ~2× the
  // structure's volume, plus chunk rounding.
  const onehot = masks === 'onehot' || masks === 'both' ? Math.ceil(3 * structureVolumeFraction * n) : 0;
  const perSample = image + labels + onehot;
  // Two renderers (float32 intensity + labels + cast image) plus one write copy in the HDF5 heap.
  const renderer = n * 4 + n + (dtype === 'float32' ? 0 : image);
  return { diskBytesPerSample: perSample, diskBytes: perSample * total, memoryBytes: 2 * renderer + image + n };
}

const fmt = formatBytes;

/** Throws INSUFFICIENT_DISK / OUT_OF_MEMORY with the numbers when the run cannot fit. */
export function checkResources(estimate: ResourceEstimate, outputDir: string): void {
  const free = freeDiskBytes(outputDir);
  if (free !== undefined && estimate.diskBytes > free) {
    throw new MedsynthError(
      'INSUFFICIENT_DISK',
      `the dataset needs about ${fmt(estimate.diskBytes)} (${fmt(estimate.diskBytesPerSample)} per sample) but ${outputDir} has ${fmt(free)} free`,
    );
  }
  checkMemory('generating', estimate.memoryBytes);
}

function freeDiskBytes(dir: string): number | undefined {
  let probe = path.resolve(dir);
  for (;;) {
    try {
      const s = statfsSync(probe);
      return s.bavail * s.bsize;
    } catch {
      const parent = path.dirname(probe);
      if (parent === probe) return undefined;
      probe = parent;
    }
  }
}

export { formatBytes };
