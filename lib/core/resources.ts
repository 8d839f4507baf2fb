/**
 * Refusing a run that cannot fit, before it starts: the disk and memory a generator estimates
 * against what this machine has, with both numbers in the message. Shared by every generator.
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

/** Throws INSUFFICIENT_DISK / OUT_OF_MEMORY with the numbers when the run cannot fit. */
export function checkResources(estimate: ResourceEstimate, outputDir: string): void {
  const free = freeDiskBytes(outputDir);
  if (free !== undefined && estimate.diskBytes > free) {
    throw new MedsynthError(
      'INSUFFICIENT_DISK',
      `the dataset needs about ${formatBytes(estimate.diskBytes)} (${formatBytes(estimate.diskBytesPerSample)} per sample) but ${outputDir} has ${formatBytes(free)} free`,
    );
  }
  const memory = os.totalmem();
  if (estimate.memoryBytes > 0.8 * memory) {
    throw new MedsynthError(
      'OUT_OF_MEMORY',
      `generating needs about ${formatBytes(estimate.memoryBytes)} of memory at once but this machine has ${formatBytes(memory)}`,
    );
  }
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

