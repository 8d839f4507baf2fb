/**
 * The disk an anatomy run will take, measured on some of its own samples rendered at a reduced
 * size: the HDF5 chunks their label maps allocate, scaled to the full size (disk_estimate.ts),
 * and, with gzip, the ratio zlib reaches on the probe's image and label map. `--dry-run` prints
 * it (dry_run.ts); a run checks it against the free space before writing (dataset.ts).
 */
import { gzipSync } from 'node:zlib';

import type { DeviceOption } from '../../core/device.js';
import { resolveAnatomyOptions, type AnatomyOptions, type ResolvedAnatomyOptions } from '../../anatomy/options.js';
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import type { ResolvedDatasetOptions } from './dataset.js';
import { sampleChunkBytes, uncompressedRunBytes, type SampleChunkBytes } from './disk_estimate.js';
import { AnatomyRenderer } from './render.js';

/** Voxels of a probe sample (64³: tens of milliseconds to render). */
const PROBE_VOXELS = 64 ** 3;
/** The run's samples (evenly spaced over its indices) whose chunk allocation is counted. */
const PROBE_SAMPLES = 64;

/** The reduced size probe samples are rendered at (the full size when that is small already). */
function probeSize(size: readonly [number, number, number]): [number, number, number] {
  const n = size[0] * size[1] * size[2];
  if (n <= PROBE_VOXELS) return [...size];
  const f = Math.cbrt(PROBE_VOXELS / n);
  return size.map((d) => Math.max(8, Math.round(d * f))) as [number, number, number];
}

/** Up to PROBE_SAMPLES of this run's (or shard's) global sample indices, evenly spaced: which structures are present varies by sample. */
export function probeIndices(r: ResolvedDatasetOptions): number[] {
  const order = r.splits.flatMap((s) => Array.from({ length: s.count }, (_, j) => s.first + j));
  const K = Math.min(PROBE_SAMPLES, order.length);
  return Array.from({ length: K }, (_, k) => order[Math.floor((k * order.length) / K)]);
}

/** The anatomy options of the probe renderer: the run's, at probeSize(). */
export function probeAnatomy(options: AnatomyOptions, r: ResolvedDatasetOptions): ResolvedAnatomyOptions {
  return resolveAnatomyOptions({ ...options, imageSize: probeSize(r.anatomy.imageSize) });
}

/** Adds one probe sample's chunk bytes (its label map at the probe's size), as a 1/`of` share, into `sum`. */
export async function addProbeChunks(sum: SampleChunkBytes, renderer: AnatomyRenderer, r: ResolvedDatasetOptions, of: number): Promise<void> {
  const c = await sampleChunkBytes(renderer.labels, renderer.options.imageSize, r.anatomy.imageSize, r.dtype, r.masks, r.anatomy.structures.length);
  for (const key of ['images', 'labels', 'masks', 'chunks'] as const) sum[key] += c[key] / of;
}

/**
 * gzip ratio and time per byte on the probe's last render: its image (noise: compresses little)
 * and label map (standing in for the masks and labels, which compress far better), each applied
 * to its share of a sample's bytes. The same zlib deflate HDF5 runs.
 */
export function probeCompression(renderer: AnatomyRenderer, perSample: SampleChunkBytes, level: number): { ratio: number; secondsPerSample: number } {
  const image = new Uint8Array(renderer.image.buffer, renderer.image.byteOffset, renderer.image.byteLength);
  const gzip = (data: Uint8Array) => {
    const t = performance.now();
    const packed = gzipSync(data, { level }).byteLength;
    return { ratio: packed / data.byteLength, secondsPerByte: (performance.now() - t) / 1000 / data.byteLength };
  };
  const img = gzip(image);
  const lab = gzip(renderer.labels);
  const imageBytes = perSample.images;
  const otherBytes = perSample.labels + perSample.masks;
  const ratio = imageBytes + otherBytes > 0 ? (imageBytes * img.ratio + otherBytes * lab.ratio) / (imageBytes + otherBytes) : img.ratio;
  return { ratio, secondsPerSample: imageBytes * img.secondsPerByte + otherBytes * lab.secondsPerByte };
}

export interface RunDisk {
  /** Bytes without compression: the chunks the run allocates and HDF5's own bytes. */
  rawBytes: number;
  /** With gzip: rawBytes × the probe's ratio (an estimate); else rawBytes. */
  diskBytes: number;
  compressionRatio?: number;
}

/** The run's bytes on disk from the probe's chunk counts (and, with gzip, its compression ratio). */
export function runDisk(r: ResolvedDatasetOptions, perSample: SampleChunkBytes, ratio: number | undefined): RunDisk {
  const samples = r.splits.reduce((a, s) => a + s.count, 0);
  const rawBytes = uncompressedRunBytes(perSample, samples, r.splits.length, r.masks);
  return { rawBytes, diskBytes: ratio === undefined ? rawBytes : rawBytes * ratio, compressionRatio: ratio };
}

/** Renders the probe samples and measures the run's disk (what `--dry-run` reports, without its timing). */
export async function measureRunDisk(options: AnatomyOptions, r: ResolvedDatasetOptions, device: DeviceOption = 'cpu'): Promise<RunDisk> {
  const renderer = new AnatomyRenderer(probeAnatomy(options, r), r.dtype, device);
  const indices = probeIndices(r);
  const perSample: SampleChunkBytes = { images: 0, labels: 0, masks: 0, chunks: 0 };
  for (const i of indices) {
    await renderer.render(sampleAnatomyParams(renderer.options, i));
    await addProbeChunks(perSample, renderer, r, indices.length);
  }
  const ratio = r.gzipLevel > 0 && indices.length ? probeCompression(renderer, perSample, r.gzipLevel).ratio : undefined;
  return runDisk(r, perSample, ratio);
}
