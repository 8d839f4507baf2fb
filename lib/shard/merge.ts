/**
 * `mergeShards(dirs, outputDir)`: joins all N shards of one `--shard` run (any order) into the
 * dataset the unsharded run writes — anatomy (generate), PET/CT or clinical, read from the
 * manifests. Refuses (SHARD_MISSING, SHARD_DUPLICATE, SHARD_MISMATCH, NOT_A_SHARD, and
 * SHARD_CORRUPT when a file is not what its shard wrote) before anything is written.
 */
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { collectShards, type ShardSet } from './manifest.js';
import { mergeAnatomyShards, type MergeResult } from './merge_anatomy.js';
import { clinicalShardReads, mergeClinicalShards } from './merge_clinical.js';
import { mergePetCtShards, PETCT_TABLES } from './merge_petct.js';
import { verifyShardFiles } from './verify.js';

export type { MergeResult } from './merge_anatomy.js';

/** Per tool: the merger, and the files it reads from every shard (each must be in the shard's manifest). */
const MERGERS = {
  generate: { merge: mergeAnatomyShards, reads: (set: ShardSet) => Object.keys(set.run).map((split) => `${split}.h5`) },
  petct: { merge: mergePetCtShards, reads: () => [...PETCT_TABLES] },
  clinical: { merge: mergeClinicalShards, reads: clinicalShardReads },
} as const;

/**
 * `onRow(done, total)` follows the rows (samples, patients) merged; `onVerify(doneBytes,
 * totalBytes)` the hashing of the shard files, which comes first.
 */
export async function mergeShards(
  dirs: readonly string[],
  outputDir: string,
  onRow?: (done: number, total: number) => void,
  onVerify?: (doneBytes: number, totalBytes: number) => void,
): Promise<MergeResult> {
  const set = collectShards(dirs);
  // Merging into a shard would replace the files it is reading from.
  const into = set.dirs.find((d) => path.resolve(d) === path.resolve(outputDir));
  if (into) throw new MedsynthError('INVALID_ARGUMENT', `the output directory ${outputDir} is one of the shards; merge into a new directory`);
  const merger = MERGERS[set.tool];
  await verifyShardFiles(set, merger.reads(set), onVerify);
  return merger.merge(set, outputDir, onRow);
}
