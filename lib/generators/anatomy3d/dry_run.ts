/**
 * `medsynth generate --dry-run`: what a run (or one shard of it) would write and need, without
 * writing anything. Disk and memory come from the plan's own estimates (plan.ts, the numbers
 * checkResources refuses with); time and the gzip ratio are measured now, on this machine, by
 * rendering a few samples at a reduced size and scaling by the voxel count.
 */
import { gzipSync } from 'node:zlib';

import { resolveAnatomyOptions } from '../../anatomy/options.js';
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import { datasetEstimate, renderAndPrepare, resolveDatasetOptions, type DatasetOptions } from './dataset.js';
import { maskWriteBlock } from './plan.js';
import { AnatomyRenderer } from './render.js';

/** Voxels of the probe sample that is timed (64³: tens of milliseconds, well above per-call costs). */
const PROBE_VOXELS = 64 ** 3;
/** Probe renders are repeated for at least this long and the median is taken (the load of a shared machine counts, as it will in the run). */
const PROBE_SECONDS = 0.5;

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
  renderSecondsPerSample: number;
  /** gzip time of one sample's bytes at the chosen level (0 without compression). */
  compressSecondsPerSample: number;
  /** The slower of the two: generation and writing overlap. */
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
  // One warm-up render (first-call costs), then the median of the rest.
  const times: number[] = [];
  const begun = performance.now();
  for (let i = 0; i < 4 || (performance.now() - begun) / 1000 < PROBE_SECONDS; i++) {
    const params = sampleAnatomyParams(probe, i % 16);
    const t = performance.now();
    // Rendering and what the masks need (scan, crops, one-hot pieces), as the writer prepares each sample.
    await renderAndPrepare(renderer, params, { ...r, anatomy: probe }, maskWriteBlock(size, r.dtype));
    if (i > 0) times.push((performance.now() - t) / 1000);
    if (i >= 64) break;
  }
  const probeSeconds = times.sort((a, b) => a - b)[times.length >> 1];
  const scale = (r.anatomy.imageSize[0] * r.anatomy.imageSize[1] * r.anatomy.imageSize[2]) / (size[0] * size[1] * size[2]);
  // gzip ratios of the probe's image (noise: compresses little) and label map (standing in for
  // the masks and labels, which compress far better), applied to each one's share of the bytes.
  // The same zlib deflate HDF5 runs, timed here too: with gzip, writing (on the JS thread, while
  // the next sample renders) is often the slower half of the pipeline.
  let ratio: number | undefined;
  let compressSeconds = 0;
  if (r.gzipLevel > 0) {
    const image = new Uint8Array(renderer.image.buffer, renderer.image.byteOffset, renderer.image.byteLength);
    const gzip = (data: Uint8Array) => {
      const t = performance.now();
      const packed = gzipSync(data, { level: r.gzipLevel }).byteLength;
      return { ratio: packed / data.byteLength, secondsPerByte: (performance.now() - t) / 1000 / data.byteLength };
    };
    const img = gzip(image);
    const lab = gzip(renderer.labels);
    const [z, y, x] = r.anatomy.imageSize;
    const imageBytes = z * y * x * renderer.image.BYTES_PER_ELEMENT;
    const otherBytes = estimate.diskBytesPerSample - imageBytes;
    ratio = (imageBytes * img.ratio + otherBytes * lab.ratio) / estimate.diskBytesPerSample;
    compressSeconds = imageBytes * img.secondsPerByte + otherBytes * lab.secondsPerByte;
  }
  const renderSeconds = probeSeconds * scale;
  const secondsPerSample = Math.max(renderSeconds, compressSeconds);
  return {
    splits: r.splits.map((s) => ({ name: s.name, first: s.first, count: s.count })),
    samples,
    rawBytes: estimate.diskBytes,
    diskBytes: ratio === undefined ? estimate.diskBytes : estimate.diskBytes * ratio,
    compressionRatio: ratio,
    memoryBytes: estimate.memoryBytes,
    probe: { imageSize: size, secondsPerSample: probeSeconds },
    renderSecondsPerSample: renderSeconds,
    compressSecondsPerSample: compressSeconds,
    secondsPerSample,
    seconds: secondsPerSample * samples,
  };
}
