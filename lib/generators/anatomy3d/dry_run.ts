/**
 * `medsynth generate --dry-run`: what a run (or one shard of it) would write and need, without
 * writing anything. Memory comes from the plan's own estimate (plan.ts, the number
 * the run checks). Disk, time and the gzip ratio are measured now, on this machine,
 * by rendering some of the run's own samples at a reduced size: the HDF5 chunks their label maps
 * would allocate, scaled to the full size (disk_estimate.ts), and the render time scaled by the
 * voxel count.
 */
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import { datasetEstimate, renderAndPrepare, resolveDatasetOptions, type DatasetOptions } from './dataset.js';
import type { SampleChunkBytes } from './disk_estimate.js';
import { addProbeChunks, probeAnatomy, probeCompression, probeIndices, runDisk } from './disk_probe.js';
import { maskWriteBlock } from './plan.js';
import { AnatomyRenderer } from './render.js';

/** Probe renders are repeated for at least this long and the median is taken (the load of a shared machine counts, as it will in the run). */
const PROBE_SECONDS = 0.5;

export interface DryRunPlan {
  splits: Array<{ name: string; first: number; count: number }>;
  samples: number;
  /** Bytes on disk without compression: the HDF5 chunks this run would allocate (counted on probe samples) and HDF5's own bytes. */
  rawBytes: number;
  /** With gzip: rawBytes × the ratio measured on the probe (an estimate); else rawBytes. */
  diskBytes: number;
  compressionRatio?: number;
  /** Sample buffers held at once (two samples in flight, plus the write copy). */
  memoryBytes: number;
  /** The probe: its size, how many of the run's samples were counted for disk, its render time. */
  probe: { imageSize: [number, number, number]; samples: number; secondsPerSample: number };
  /** Render time of one full-size sample, scaled from the probe by voxel count. */
  renderSecondsPerSample: number;
  /** gzip time of one sample's bytes at the chosen level (0 without compression). */
  compressSecondsPerSample: number;
  /** The slower of the two: generation and writing overlap. */
  secondsPerSample: number;
  seconds: number;
}

export async function planDatasetRun(options: DatasetOptions): Promise<DryRunPlan> {
  const r = resolveDatasetOptions(options);
  const samples = r.splits.reduce((a, s) => a + s.count, 0);
  const estimate = datasetEstimate(r, samples);
  const probe = probeAnatomy(options, r);
  const size = probe.imageSize;
  const renderer = new AnatomyRenderer(probe, r.dtype, options.device ?? 'cpu');
  // (A shard can hold no sample: sample 0 is then rendered for the timing only.)
  const probed = probeIndices(r);
  const K = probed.length;
  const indices = K ? probed : [0];
  const perSample: SampleChunkBytes = { images: 0, labels: 0, masks: 0, chunks: 0 };
  // One warm-up render (first-call costs), then the median of the rest; every probe sample once at least.
  const times: number[] = [];
  const begun = performance.now();
  for (let i = 0; i < Math.max(4, indices.length) || (performance.now() - begun) / 1000 < PROBE_SECONDS; i++) {
    const params = sampleAnatomyParams(probe, indices[i % indices.length]);
    const t = performance.now();
    // Rendering and what the masks need (scan, crops, one-hot pieces), as the writer prepares each sample.
    await renderAndPrepare(renderer, params, { ...r, anatomy: probe }, maskWriteBlock(size, r.dtype));
    if (i > 0) times.push((performance.now() - t) / 1000);
    if (i < K) await addProbeChunks(perSample, renderer, r, K);
    if (i >= 64) break;
  }
  const probeSeconds = times.sort((a, b) => a - b)[times.length >> 1];
  const scale = (r.anatomy.imageSize[0] * r.anatomy.imageSize[1] * r.anatomy.imageSize[2]) / (size[0] * size[1] * size[2]);
  // With gzip, writing (on the JS thread, while the next sample renders) is often the slower half of the pipeline.
  const compression = r.gzipLevel > 0 ? probeCompression(renderer, perSample, r.gzipLevel) : undefined;
  const disk = runDisk(r, perSample, compression?.ratio);
  const compressSeconds = compression?.secondsPerSample ?? 0;
  const renderSeconds = probeSeconds * scale;
  const secondsPerSample = Math.max(renderSeconds, compressSeconds);
  return {
    splits: r.splits.map((s) => ({ name: s.name, first: s.first, count: s.count })),
    samples,
    ...disk,
    memoryBytes: estimate.memoryBytes,
    probe: { imageSize: size, samples: K, secondsPerSample: probeSeconds },
    renderSecondsPerSample: renderSeconds,
    compressSecondsPerSample: compressSeconds,
    secondsPerSample,
    seconds: secondsPerSample * samples,
  };
}
