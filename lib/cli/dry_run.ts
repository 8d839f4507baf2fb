/** Printing a `--dry-run` plan: what would be written and needed, with estimates said to be estimates. */
import { formatBytes } from '../core/resources.js';
import { shardLabel, type ShardSpec } from '../shard/partition.js';
import { formatSeconds } from './progress.js';

/** Node, h5wasm's heap and the addon beyond the sample buffers: a 64×64×32 run peaked at 131 MiB RSS (this machine); budgeted with headroom for the HDF5 chunk cache. */
export const RUNTIME_OVERHEAD_BYTES = 256 * 2 ** 20;

export interface DryRunReport {
  what: string;
  splits: Array<{ name: string; first: number; count: number }>;
  rawBytes: number;
  diskBytes: number;
  compressionRatio?: number;
  memoryBytes: number;
  renderSecondsPerSample: number;
  compressSecondsPerSample: number;
  secondsPerSample: number;
  seconds: number;
  probe: string;
}

export function formatDryRun(r: DryRunReport, shard: ShardSpec | undefined, outputDir: string): string {
  const lines = [`medsynth: dry run (nothing written): ${r.what}${shard ? `, shard ${shardLabel(shard)}` : ''}`];
  for (const s of r.splits) lines.push(`  ${s.name.padEnd(9)} ${String(s.count).padStart(8)}${s.name === 'patients' ? '' : ' samples'}${s.count ? ` (global indices ${s.first}..${s.first + s.count - 1})` : ''}`);
  lines.push(`  total     ${String(r.splits.reduce((a, s) => a + s.count, 0)).padStart(8)} samples into ${outputDir}`);
  const disk = r.compressionRatio === undefined
    ? `${formatBytes(r.diskBytes)} (uncompressed)`
    : `~${formatBytes(r.diskBytes)} (rough estimate: gzip ratio ${r.compressionRatio.toFixed(3)} measured on the probe below; ${formatBytes(r.rawBytes)} uncompressed)`;
  lines.push(`  disk      ${disk}`);
  lines.push(`  memory    ${formatBytes(r.memoryBytes)} of sample buffers + ~${formatBytes(RUNTIME_OVERHEAD_BYTES)} runtime = ~${formatBytes(r.memoryBytes + RUNTIME_OVERHEAD_BYTES)} peak`);
  const compress = r.compressSecondsPerSample > 0 ? `, gzip ${r.compressSecondsPerSample.toFixed(3)} s/sample (they overlap; the slower counts)` : '';
  lines.push(`  time      ~${formatSeconds(r.seconds)} on this machine (estimate: generation ${r.renderSecondsPerSample.toFixed(3)} s/sample${compress}; disk writes not included)`);
  lines.push(`  probe     ${r.probe}, timed now`);
  return lines.join('\n') + '\n';
}

/** Prints the plan; returns the exit code (0). */
export function printDryRun(plan: Omit<DryRunReport, 'what'>, what: string, shard: ShardSpec | undefined, outputDir: string): number {
  process.stdout.write(formatDryRun({ ...plan, what }, shard, outputDir));
  return 0;
}
