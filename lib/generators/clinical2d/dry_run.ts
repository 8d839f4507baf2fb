/**
 * `medsynth clinical --dry-run`: rows per part (for this shard), disk and memory (the estimate
 * the run checks before writing) and time on this machine, from a small batch of samples
 * generated now (and gzipped, with --gzip) and scaled by the row count. Writes nothing.
 */
import { gzipSync } from 'node:zlib';

import { clinicalResourceEstimate } from './dataset.js';
import type { ClinicalSynth } from './synth.js';

const PROBE_ROWS = 16;

export async function planClinicalRun(
  parts: ReadonlyArray<{ name: string; synth: ClinicalSynth; rows: { first: number; count: number } }>,
  options: { gzipLevel: number; csv: boolean; chunkSamples?: number },
) {
  const synth = parts[0].synth;
  await synth.sampleRange(0, 2); // warm-up: first-call costs
  const t = performance.now();
  const batch = await synth.sampleRange(0, PROBE_ROWS);
  const generate = (performance.now() - t) / 1000 / PROBE_ROWS;
  let ratio: number | undefined;
  let compress = 0;
  if (options.gzipLevel > 0) {
    const bytes = new Uint8Array(batch.images.buffer, batch.images.byteOffset, batch.images.byteLength);
    const g = performance.now();
    ratio = gzipSync(bytes, { level: options.gzipLevel }).byteLength / bytes.byteLength;
    compress = (performance.now() - g) / 1000 / PROBE_ROWS;
  }
  const estimates = parts.map((p) => clinicalResourceEstimate(p.synth, p.rows.count, options));
  const rawBytes = estimates.reduce((a, e) => a + e.diskBytes, 0);
  const rows = parts.reduce((a, p) => a + p.rows.count, 0);
  const imageBytes = synth.config.H * synth.config.W * 4 * rows;
  const perRow = Math.max(generate, compress);
  return {
    splits: parts.map((p) => ({ name: p.name, ...p.rows })),
    rawBytes,
    // Only the images are compressed; the tables, CSV and truth are stored as they are.
    diskBytes: ratio === undefined ? rawBytes : rawBytes - imageBytes * (1 - ratio),
    compressionRatio: ratio,
    memoryBytes: Math.max(...estimates.map((e) => e.memoryBytes)),
    renderSecondsPerSample: generate,
    compressSecondsPerSample: compress,
    secondsPerSample: perRow,
    seconds: perRow * rows,
    probe: `${PROBE_ROWS} samples of ${synth.config.H}×${synth.config.W} generated`,
  };
}
