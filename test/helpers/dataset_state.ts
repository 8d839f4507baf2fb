// What a reader finds in an output directory after a run ended (well or badly): either a complete
// dataset whose every file matches metadata.json, or something every reader refuses. Never a
// final-name file that is unreadable or incomplete.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'vitest';

import { MedsynthError, openDataset } from '../../lib/index.js';
import { openH5 } from '../../lib/io/hdf5.js';

export type DatasetState = { complete: true; seed: number } | { complete: false };

/** Checks the invariants and says whether `dir` holds a complete dataset (and of which seed). */
export async function inspectDataset(dir: string): Promise<DatasetState> {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  // Every final-name HDF5 file opens and holds all its rows.
  for (const name of names.filter((n) => n.endsWith('.h5'))) {
    const file = await openH5(path.join(dir, name));
    try {
      const attrs = file.attrs as Record<string, { value: unknown }>;
      const images = file.get('images') as { shape: number[] } | null;
      expect(images?.shape[0], name).toBe(Number(attrs.n_samples.value));
    } finally {
      file.close();
    }
  }
  if (!names.includes('metadata.json')) {
    for (const split of ['train', 'val', 'test'] as const) {
      if (!names.includes(`${split}.h5`)) continue;
      const error = await openDataset(dir, { split }).then(() => undefined, (e) => e);
      expect(error, `${split} without metadata.json`).toBeInstanceOf(MedsynthError);
      expect((error as MedsynthError).code).toBe('INCOMPLETE_DATASET');
    }
    return { complete: false };
  }
  const metadata = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
  for (const [split, info] of Object.entries(metadata.splits as Record<string, { count: number }>)) {
    if (info.count === 0) continue;
    const ds = await openDataset(dir, { split: split as 'train' });
    try {
      expect(ds.length).toBe(info.count);
      const attrs = (ds as unknown as { file: { attrs: Record<string, { value: unknown }> } }).file?.attrs;
      if (attrs) expect(String(attrs.seed.value)).toBe(String(metadata.seed));
    } finally {
      ds.close();
    }
  }
  return { complete: true, seed: Number(metadata.seed) };
}

/** Names a run must never leave behind once it has ended (killed runs excepted until the next run). */
export function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.medsynth') || n.endsWith('.tmp')) : [];
}
