/**
 * `mergeShards(dirs, outputDir)`: joins all N shards of one `--shard` run (any order) into the
 * dataset the unsharded run writes — anatomy (generate), PET/CT or clinical, read from the
 * manifests. Refuses (SHARD_MISSING, SHARD_DUPLICATE, SHARD_MISMATCH, NOT_A_SHARD) before writing.
 */
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { collectShards } from './manifest.js';
import { mergeAnatomyShards, type MergeResult } from './merge_anatomy.js';
import { mergeClinicalShards } from './merge_clinical.js';
import { mergePetCtShards } from './merge_petct.js';

export type { MergeResult } from './merge_anatomy.js';

const MERGERS = { generate: mergeAnatomyShards, petct: mergePetCtShards, clinical: mergeClinicalShards } as const;

export async function mergeShards(dirs: readonly string[], outputDir: string, onRow?: (done: number, total: number) => void): Promise<MergeResult> {
  const set = collectShards(dirs);
  // Merging into a shard would replace the files it is reading from.
  const into = set.dirs.find((d) => path.resolve(d) === path.resolve(outputDir));
  if (into) throw new MedsynthError('INVALID_ARGUMENT', `the output directory ${outputDir} is one of the shards; merge into a new directory`);
  return MERGERS[set.tool](set, outputDir, onRow);
}
