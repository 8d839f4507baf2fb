/**
 * Checking that every shard file a merge reads is the file its shard wrote: present, of the size
 * and SHA-256 its shard.json records. A shard copied between machines can arrive truncated or
 * with flipped bytes (an interrupted rsync, a disk error) and still open as HDF5 or gzip; merged
 * unchecked, it would become a dataset that looks valid. `mergeShards` runs this before anything
 * is written to the output directory.
 *
 * Files in a shard directory that its manifest does not list are ignored, not refused: merge
 * never reads them (PET/CT patient directories are copied file by file from the manifest), so
 * they cannot reach the output, and shared volumes collect such files (a scheduler's log, an
 * editor's backup, a killed run's staging directory) without the shard being wrong.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { fsError } from '../core/fs_errors.js';
import { formatBytes } from '../core/resources.js';
import { fileSha256, SHARD_MANIFEST_NAME, type ShardSet } from './manifest.js';

/** Hex digits of a digest shown in messages: enough to tell two apart, short enough to read. */
const SHORT_DIGEST = 12;
/** Problems named in the one-line message; the rest are counted. */
const LISTED_PROBLEMS = 4;

const short = (digest: string) => digest.slice(0, SHORT_DIGEST);

function refuse(problems: readonly string[], what: string): never {
  const shown = problems.slice(0, LISTED_PROBLEMS).join('; ');
  const more = problems.length > LISTED_PROBLEMS ? `; and ${problems.length - LISTED_PROBLEMS} more` : '';
  throw new MedsynthError('SHARD_CORRUPT', `${what}: ${shown}${more} (copy or regenerate those shards; nothing was written)`);
}

/**
 * Refuses (SHARD_CORRUPT, one line naming each shard directory and file) when a file that
 * `reads` names (paths relative to a shard directory, e.g. train.h5) is not in a shard's manifest,
 * or a listed file is missing, of another size, or of another SHA-256. Sizes are checked for all
 * shards before any byte is hashed, so a truncated copy is reported at once; then every file is
 * hashed and all mismatches are reported together. `onBytes(done, total)` follows the hashing.
 */
export async function verifyShardFiles(set: ShardSet, reads: readonly string[], onBytes?: (done: number, total: number) => void): Promise<void> {
  const problems: string[] = [];
  const checks: Array<{ file: string; bytes: number; sha256: string }> = [];
  set.dirs.forEach((dir, k) => {
    const listed = new Set(set.manifests[k].files.map((f) => f.name));
    for (const name of reads) if (!listed.has(name)) problems.push(`${path.join(dir, name)} is not listed in its ${SHARD_MANIFEST_NAME}`);
    for (const f of set.manifests[k].files) {
      const file = path.join(dir, f.name);
      let stat;
      try {
        stat = statSync(file, { throwIfNoEntry: false });
      } catch (err) {
        throw fsError(err, 'cannot check', file); // e.g. no permission: one coded line, not a stack
      }
      if (!stat) problems.push(`${file} is missing (listed in ${SHARD_MANIFEST_NAME})`);
      else if (!stat.isFile()) problems.push(`${file} is not a regular file`);
      else if (stat.size !== f.bytes) problems.push(`${file}: expected ${f.bytes} bytes, found ${stat.size}${stat.size < f.bytes ? ' (truncated)' : ''}`);
      else checks.push({ file, bytes: f.bytes, sha256: f.sha256 });
    }
  });
  if (problems.length) refuse(problems, 'shard files do not match their manifests');

  const total = checks.reduce((a, c) => a + c.bytes, 0);
  let done = 0;
  for (const c of checks) {
    let found: string;
    try {
      found = fileSha256(c.file, (n) => onBytes?.((done += n), total)); // as the shard's writer hashed it
    } catch (err) {
      throw fsError(err, 'cannot read', c.file);
    }
    if (found !== c.sha256) problems.push(`${c.file}: SHA-256 expected ${short(c.sha256)}…, found ${short(found)}…`);
  }
  if (problems.length) refuse(problems, `shard files differ from what their shards wrote (${formatBytes(total)} checked)`);
}
