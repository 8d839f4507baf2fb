/**
 * `medsynth generate --dry-run`: what a run (or one shard of it) would write and need, without
 * writing anything. Disk and memory come from the plan's own estimates (plan.ts, the numbers
 * checkResources refuses with); time and the gzip ratio are measured now, on this machine, by
 * rendering a few samples at a reduced size and scaling by the voxel count.
 */
import { gzipSync } from 'node:zlib';

import { resolveAnatomyOptions } from '../../anatomy/options.js';
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import { datasetEstimate, resolveDatasetOptions, type DatasetOptions } from './dataset.js';
import { AnatomyRenderer } from './render.js';

/** Voxels of the probe sample that is timed (about 48³: a few milliseconds). */
const PROBE_VOXELS = 48 ** 3;

export interface DryRunPlan {
  splits: Array<{ name: string; first: number; count: number }>;
  samples: number;
  /** Bytes on disk before compression (the HDF5 chunks this run would allocate). */
  rawBytes: number;
  /** With gzip: rawBytes × the ratio measured on the probe (an estimate); else rawBytes. */
  diskBytes: number;
  compressionRatio?: number;
  /** Sample buffers held at once (two samples in flight, plus the write copy). */
  memoryBytes: number;
  probe: { imageSize: [number, number, number]; secondsPerSample: number };
  /** Render time of one full-size sample, scaled from the probe by voxel count. */
  secondsPerSample: number;
  seconds: number;
}

function probeSize(size: readonly [number, number, number]): [number, number, number] {
  const n = size[0] * size[1] * size[2];
  if (n <= PROBE_VOXELS) return [...size];
  const f = Math.cbrt(PROBE_VOXELS / n);
  return size.map((d) => Math.max(8, Math.round(d * f))) as [number, number, number];
}

export async function planDatasetRun(options: DatasetOptions): Promise<DryRunPlan> {
  const r = resolveDatasetOptions(options);
  const samples = r.splits.reduce((a, s) => a + s.count, 0);
  const estimate = datasetEstimate(r, samples);
  const size = probeSize(r.anatomy.imageSize);
  const probe = resolveAnatomyOptions({ ...options, imageSize: size });
  const renderer = new AnatomyRenderer(probe, r.dtype, options.device ?? 'cpu');
  // One warm-up render (first-call costs), then the median of three.
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const params = sampleAnatomyParams(probe, i);
    const t = performance.now();
    await renderer.render(params);
    if (i > 0) times.push((performance.now() - t) / 1000);
  }
  const probeSeconds = times.sort((a, b) => a - b)[1];
  const scale = (r.anatomy.imageSize[0] * r.anatomy.imageSize[1] * r.anatomy.imageSize[2]) / (size[0] * size[1] * size[2]);
  let ratio: number | undefined;
  if (r.gzipLevel > 0) {
    const image = new Uint8Array(renderer.image.buffer, renderer.image.byteOffset, renderer.image.byteLength);
    const raw = image.byteLength + renderer.labels.byteLength;
    const packed = gzipSync(image, { level: r.gzipLevel }).byteLength + gzipSync(renderer.labels, { level: r.gzipLevel }).byteLength;
    ratio = packed / raw;
  }
  const secondsPerSample = probeSeconds * scale;
  return {
    splits: r.splits.map((s) => ({ name: s.name, first: s.first, count: s.count })),
    samples,
    rawBytes: estimate.diskBytes,
    diskBytes: ratio === undefined ? estimate.diskBytes : estimate.diskBytes * ratio,
    compressionRatio: ratio,
    memoryBytes: estimate.memoryBytes,
    probe: { imageSize: size, secondsPerSample: probeSeconds },
    secondsPerSample,
    seconds: secondsPerSample * samples,
  };
}
