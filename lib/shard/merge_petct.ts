/**
 * Joining the shards of a `medsynth petct --shard` run: the patients' directories side by side,
 * clinical.csv and truth.csv with their rows in patient-index order (shard order), and
 * metadata.json naming the whole cohort — what the unsharded run writes. Patient files are
 * copied byte for byte; nothing is regenerated.
 */
import { constants, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { readCompletedMetadata } from '../datasets/reader.js';
import { beginDatasetStage, ensureDirectory } from '../io/staging.js';
import { SHARD_MANIFEST_NAME, type ShardSet } from './manifest.js';
import type { MergeResult } from './merge_anatomy.js';

/** The tables every PET/CT shard holds beside its patients' directories (which merge copies from the manifest's list). */
export const PETCT_TABLES = ['clinical.csv', 'truth.csv'] as const;

/** Header and rows of a CSV file (rows without the trailing newline). */
function readCsv(file: string): { header: string; rows: string[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { header: lines[0] ?? '', rows: lines.slice(1) };
}

export async function mergePetCtShards(set: ShardSet, outputDir: string, onPatient?: (done: number, total: number) => void): Promise<MergeResult> {
  const metas = set.dirs.map((d) => readCompletedMetadata(d, [...PETCT_TABLES]));
  const run = set.run.patients;
  const stage = beginDatasetStage(outputDir, { outputs: [...PETCT_TABLES], replaces: [SHARD_MANIFEST_NAME] });
  try {
    const tables = Object.fromEntries(PETCT_TABLES.map((t) => [t, set.dirs.map((d) => readCsv(path.join(d, t)))]));
    const ids = tables['clinical.csv'].flatMap((t) => t.rows.map((r) => r.slice(0, r.indexOf(','))));
    if (ids.length !== run.count) throw new MedsynthError('CORRUPT_FILE', `the shards' clinical.csv files list ${ids.length} patients, but the run has ${run.count}`);
    let done = 0;
    set.dirs.forEach((d, k) => {
      // A patient's files as its shard's manifest lists them (verified before the merge): a stray
      // file in a patient directory is not carried into the merged set.
      const listed = set.manifests[k].files.map((f) => f.name);
      for (const row of tables['clinical.csv'][k].rows) {
        const id = row.slice(0, row.indexOf(','));
        const files = listed.filter((name) => name.startsWith(`${id}/`));
        if (files.length === 0) throw new MedsynthError('CORRUPT_FILE', `${path.join(d, 'clinical.csv')} lists ${id}, but ${path.join(d, SHARD_MANIFEST_NAME)} lists no file of it`);
        for (const name of files) {
          ensureDirectory(path.dirname(stage.path(name)));
          copyFileSync(path.join(d, name), stage.path(name), constants.COPYFILE_EXCL);
        }
        onPatient?.(++done, run.count);
      }
    });
    for (const t of PETCT_TABLES) {
      const parts = tables[t];
      const header = parts[0].header;
      const bad = parts.findIndex((p) => p.header !== header);
      if (bad >= 0) throw new MedsynthError('SHARD_MISMATCH', `${path.join(set.dirs[bad], t)} has another header than ${path.join(set.dirs[0], t)}`);
      writeFileSync(stage.path(t), [header, ...parts.flatMap((p) => p.rows)].join('\n') + '\n');
    }
    const metadata = structuredClone(metas[0]);
    delete metadata.file_bytes;
    metadata.patients = { first: run.first, count: run.count };
    const files = stage.commit(metadata);
    return { outputDir, files, splits: [{ name: 'patients', count: run.count }] };
  } catch (err) {
    stage.abort();
    throw err;
  }
}
