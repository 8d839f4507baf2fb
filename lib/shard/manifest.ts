/**
 * The shard manifest, `shard.json`, written into every shard's directory next to its
 * metadata.json: which run the shard belongs to (tool, version, seed, a hash of every option
 * that changes the bytes), which shard it is, which global sample indices of each split it
 * holds, and its files with their sizes and SHA-256. `medsynth merge` joins shards only when
 * their manifests agree, and names what is missing or given twice.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { medsynthVersion } from '../version.js';
import { shardBlock, shardLabel, type IndexRange, type ShardSpec } from './partition.js';

export const SHARD_MANIFEST_NAME = 'shard.json';

export type ShardTool = 'generate' | 'petct' | 'clinical';

export interface ShardManifest {
  format: 'medsynth-shard';
  format_version: 1;
  /** The command that wrote the shard. */
  tool: ShardTool;
  medsynth_version: string;
  seed: number | string;
  /** Every option that changes the output bytes (not the output directory, threads, device). */
  options: Record<string, unknown>;
  /** SHA-256 of `options` as canonical JSON (sorted keys). */
  options_hash: string;
  shard: { index: number; count: number };
  /** Per split (or part): the whole run's range and this shard's block of it, in global indices. */
  splits: Record<string, { run: IndexRange; shard: IndexRange }>;
  /** Every file of the shard (paths relative to its directory), metadata.json and shard.json excepted. */
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

/** JSON with object keys sorted at every level, so equal options hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const optionsHash = (options: Record<string, unknown>) => createHash('sha256').update(canonicalJson(options)).digest('hex');

/** SHA-256 of a file, read in 4 MiB pieces (files can be GBs); `onBytes(n)` after each piece. */
export function fileSha256(file: string, onBytes?: (n: number) => void): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      hash.update(buf.subarray(0, n));
      onBytes?.(n);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Files under `dir`, relative, sorted, recursing into directories. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const s = statSync(path.join(dir, rel));
    if (s.isDirectory()) out.push(...listFiles(dir, rel));
    else if (s.isFile()) out.push(rel);
  }
  return out;
}

/** Splits (or parts) of a run: name → its whole range of global indices. */
export type RunRanges = Record<string, IndexRange>;

/** Each split's block for `shard`. */
export function shardRanges(run: RunRanges, shard: Pick<ShardSpec, 'index' | 'count'>): RunRanges {
  return Object.fromEntries(Object.entries(run).map(([name, range]) => [name, shardBlock(range, shard)]));
}

/**
 * Writes shard.json into `dir` (a staging directory holding the shard's finished files). The
 * sizes and hashes are those of the files as staged: the commit renames them, bytes unchanged.
 */
export function writeShardManifest(
  dir: string,
  info: { tool: ShardTool; seed: number | string; options: Record<string, unknown>; shard: Pick<ShardSpec, 'index' | 'count'>; run: RunRanges },
): ShardManifest {
  const files = listFiles(dir)
    .filter((f) => f !== SHARD_MANIFEST_NAME && f !== 'metadata.json')
    .map((name) => ({ name, bytes: statSync(path.join(dir, name)).size, sha256: fileSha256(path.join(dir, name)) }));
  const manifest: ShardManifest = {
    format: 'medsynth-shard',
    format_version: 1,
    tool: info.tool,
    medsynth_version: medsynthVersion(),
    seed: info.seed,
    options: info.options,
    options_hash: optionsHash(info.options),
    shard: { index: info.shard.index, count: info.shard.count },
    splits: Object.fromEntries(Object.entries(info.run).map(([name, run]) => [name, { run, shard: shardBlock(run, info.shard) }])),
    files,
  };
  writeFileSync(path.join(dir, SHARD_MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Reads `dir`/shard.json; NOT_A_SHARD when absent or not a manifest. */
export function readShardManifest(dir: string): ShardManifest {
  const file = path.join(dir, SHARD_MANIFEST_NAME);
  let m: ShardManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'has no shard.json (not written with --shard, or not finished)' : 'has an unreadable shard.json';
    throw new MedsynthError('NOT_A_SHARD', `${dir} ${why}`, { cause: err });
  }
  if (m?.format !== 'medsynth-shard' || typeof m.shard?.index !== 'number' || typeof m.splits !== 'object') {
    throw new MedsynthError('NOT_A_SHARD', `${file} is not a medsynth shard manifest`);
  }
  // Every shard.json medsynth has written lists its files with size and SHA-256 (format 1 had
  // them from the start): one without is damaged or hand-made, and merge could not verify it.
  const bad = Array.isArray(m.files) ? m.files.findIndex((f) => !isFileEntry(f)) : -2;
  if (bad !== -1) {
    const what = bad === -2 ? 'no file list' : `a malformed file entry ${JSON.stringify(m.files[bad]).slice(0, 120)}`;
    throw new MedsynthError('NOT_A_SHARD', `${file} has ${what}: every medsynth shard.json lists its files with bytes and sha256 (regenerate the shard)`);
  }
  return m;
}

/** A manifest file entry: a relative path inside the shard (no '..', not absolute), a size, a SHA-256 in hex. */
function isFileEntry(f: unknown): boolean {
  const e = f as ShardManifest['files'][number];
  return (
    typeof e?.name === 'string' && e.name !== '' && !path.isAbsolute(e.name) && !e.name.split(/[\\/]/).some((part) => part === '..' || part === '') &&
    Number.isSafeInteger(e.bytes) && e.bytes >= 0 &&
    typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)
  );
}

export interface ShardSet {
  /** Shard directories in shard order (0..N-1). */
  dirs: string[];
  manifests: ShardManifest[];
  tool: ShardTool;
  /** The whole run's ranges, per split. */
  run: RunRanges;
}

/**
 * Checks that `dirs` are all N shards of one run, each exactly once, and returns them in shard
 * order. Refuses (SHARD_MISMATCH, SHARD_MISSING, SHARD_DUPLICATE) naming the shards and the
 * global indices concerned.
 */
export function collectShards(dirs: readonly string[]): ShardSet {
  if (dirs.length === 0) throw new MedsynthError('INVALID_ARGUMENT', 'no shard directories given');
  const manifests = dirs.map(readShardManifest);
  const ref = manifests[0];
  const keys = ['tool', 'medsynth_version', 'seed', 'options_hash'] as const;
  manifests.forEach((m, i) => {
    for (const key of keys) {
      if (m[key] !== ref[key]) {
        throw new MedsynthError('SHARD_MISMATCH', `${dirs[i]} is not from the same run as ${dirs[0]}: ${key} ${JSON.stringify(m[key])} vs ${JSON.stringify(ref[key])}`);
      }
    }
    if (m.shard.count !== ref.shard.count) {
      throw new MedsynthError('SHARD_MISMATCH', `${dirs[i]} is shard ${shardLabel(m.shard)} but ${dirs[0]} is shard ${shardLabel(ref.shard)}: different shard counts`);
    }
  });
  const N = ref.shard.count;
  const run: RunRanges = Object.fromEntries(Object.entries(ref.splits).map(([name, s]) => [name, s.run]));
  const byIndex = new Map<number, number>();
  const duplicates: string[] = [];
  manifests.forEach((m, i) => {
    const seen = byIndex.get(m.shard.index);
    if (seen !== undefined) duplicates.push(`shard ${shardLabel(m.shard)} (${describeBlocks(run, m.shard)}) is given twice: ${dirs[seen]} and ${dirs[i]}`);
    else byIndex.set(m.shard.index, i);
  });
  if (duplicates.length) throw new MedsynthError('SHARD_DUPLICATE', duplicates.join('; '));
  const missing = Array.from({ length: N }, (_, k) => k).filter((k) => !byIndex.has(k));
  if (missing.length) {
    const what = missing.map((k) => `${shardLabel({ index: k, count: N })} (${describeBlocks(run, { index: k, count: N })})`);
    throw new MedsynthError('SHARD_MISSING', `missing shard${missing.length > 1 ? 's' : ''} ${what.join(', ')}: all ${N} shards of the run are needed`);
  }
  const order = Array.from({ length: N }, (_, k) => byIndex.get(k)!);
  return { dirs: order.map((i) => dirs[i]), manifests: order.map((i) => manifests[i]), tool: ref.tool, run };
}

/** "train 0..5, val 16..17" — the global indices shard k holds (empty blocks left out). */
function describeBlocks(run: RunRanges, shard: Pick<ShardSpec, 'index' | 'count'>): string {
  const parts = Object.entries(shardRanges(run, shard))
    .filter(([, b]) => b.count > 0)
    .map(([name, b]) => `${name} indices ${b.first}..${b.first + b.count - 1}`);
  return parts.length ? parts.join(', ') : 'no samples';
}
