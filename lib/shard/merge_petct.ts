/**
 * Joining the shards of a `medsynth petct --shard` run: the patients' directories side by side,
 * clinical.csv and truth.csv with their rows in patient-index order (shard order), and
 * metadata.json naming the whole cohort — what the unsharded run writes. Patient files are
 * copied byte for byte; nothing is regenerated.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { readCompletedMetadata } from '../datasets/reader.js';
import { beginDatasetStage } from '../io/staging.js';
import { SHARD_MANIFEST_NAME, type ShardSet } from './manifest.js';
import type { MergeResult } from './merge_anatomy.js';

const TABLES = ['clinical.csv', 'truth.csv'] as const;

/** Header and rows of a CSV file (rows without the trailing newline). */
function readCsv(file: string): { header: string; rows: string[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { header: lines[0] ?? '', rows: lines.slice(1) };
}

export async function mergePetCtShards(set: ShardSet, outputDir: string, onPatient?: (done: number, total: number) => void): Promise<MergeResult> {
  const metas = set.dirs.map((d) => readCompletedMetadata(d, [...TABLES]));
  const run = set.run.patients;
  const stage = beginDatasetStage(outputDir, { outputs: [...TABLES], replaces: [SHARD_MANIFEST_NAME] });
  try {
    const tables = Object.fromEntries(TABLES.map((t) => [t, set.dirs.map((d) => readCsv(path.join(d, t)))]));
    const ids = tables['clinical.csv'].flatMap((t) => t.rows.map((r) => r.slice(0, r.indexOf(','))));
    if (ids.length !== run.count) throw new MedsynthError('CORRUPT_FILE', `the shards' clinical.csv files list ${ids.length} patients, but the run has ${run.count}`);
    let done = 0;
    set.dirs.forEach((d, k) => {
      for (const row of tables['clinical.csv'][k].rows) {
        const id = row.slice(0, row.indexOf(','));
        cpSync(path.join(d, id), stage.path(id), { recursive: true, errorOnExist: true });
        onPatient?.(++done, run.count);
      }
    });
    for (const t of TABLES) {
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
