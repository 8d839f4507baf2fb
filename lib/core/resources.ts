/**
 * Refusing a run that cannot fit, before it starts: the disk and memory a generator estimates
 * against what this machine has, with both numbers in the message. Shared by every generator.
 *
 * Memory has one budget: 80% of the machine's (or the container's) memory, or
 * MEDSYNTH_MEMORY_LIMIT (bytes, or with a K/M/G suffix) when set. Every API entry point that
 * allocates volumes states how many bytes it is about to hold (checkMemory) and is refused with
 * OUT_OF_MEMORY, before any work, when that exceeds the budget; dataset runs check their
 * estimate against the same budget.
 */
import { statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { MedsynthError } from '../errors.js';

export interface ResourceEstimate {
  /** Bytes written per sample (masks estimated from the structures' share of the volume). */
  diskBytesPerSample: number;
  diskBytes: number;
  /** Peak bytes of sample buffers held at once (two samples in flight). */
  memoryBytes: number;
}

const GiB = 1024 ** 3;
/** Bytes as 'x.xx GiB' or 'x.x MiB'. */
export const formatBytes = (b: number) => (b >= GiB ? `${(b / GiB).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(1)} MiB`);

/** The memory budget in bytes, and where it comes from (for the message). */
export function memoryBudget(): { bytes: number; source: string } {
  const env = process.env.MEDSYNTH_MEMORY_LIMIT;
  if (env !== undefined && env.trim() !== '') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?\s*$/.exec(env);
    if (!m) throw new MedsynthError('INVALID_ARGUMENT', `MEDSYNTH_MEMORY_LIMIT must be a byte count like 4G or 512M, got '${env}'`);
    const scale = { '': 1, k: 1024, m: 1024 ** 2, g: GiB, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
    return { bytes: Number(m[1]) * scale, source: 'MEDSYNTH_MEMORY_LIMIT' };
  }
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = os.totalmem();
  const limit = constrained && constrained > 0 && constrained < total ? constrained : total;
  return { bytes: 0.8 * limit, source: `80% of ${formatBytes(limit)} of memory` };
}

/** Throws OUT_OF_MEMORY when `bytes` (what `what` will hold at once) exceeds the budget. */
export function checkMemory(what: string, bytes: number): void {
  const budget = memoryBudget();
  if (bytes > budget.bytes) {
    throw new MedsynthError(
      'OUT_OF_MEMORY',
      `${what} needs about ${formatBytes(bytes)} of memory at once, more than the ${formatBytes(budget.bytes)} allowed (${budget.source}); use a smaller size`,
    );
  }
}

/** Throws INSUFFICIENT_DISK / OUT_OF_MEMORY with the numbers when the run cannot fit. */
export function checkResources(estimate: ResourceEstimate, outputDir: string): void {
  checkDisk(estimate, outputDir);
  checkMemory('generating', estimate.memoryBytes);
}

/** Throws INSUFFICIENT_DISK with the numbers when the estimate exceeds the free space under `outputDir` (`free`, when already read). */
export function checkDisk(estimate: Omit<ResourceEstimate, 'memoryBytes'>, outputDir: string, free = freeDiskBytes(outputDir)): void {
  if (free !== undefined && estimate.diskBytes > free) {
    throw new MedsynthError(
      'INSUFFICIENT_DISK',
      `the dataset needs about ${formatBytes(estimate.diskBytes)} (${formatBytes(estimate.diskBytesPerSample)} per sample) but ${outputDir} has ${formatBytes(free)} free`,
    );
  }
}

/**
 * The disk check of a run whose `--dry-run` measures its bytes (probe samples, gzip ratios): the
 * measurement runs only when the cheap `bound` does not fit, and the run is refused only when
 * the measured bytes do not fit either — so a run refuses exactly what its dry run reports as
 * too big. `samples` divides the message's per-sample figure.
 */
export async function checkDiskMeasured(
  bound: number,
  samples: number,
  outputDir: string,
  measure: () => Promise<number>,
): Promise<void> {
  const free = freeDiskBytes(outputDir);
  if (free === undefined || bound <= free) return;
  const diskBytes = await measure();
  checkDisk({ diskBytes, diskBytesPerSample: diskBytes / Math.max(1, samples) }, outputDir, free);
}

/** Bytes free to this user on the filesystem that holds `dir` (or its nearest existing parent); undefined where none can be read. */
export function freeDiskBytes(dir: string): number | undefined {
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
