// openDataset().samples(): a split streamed for training loops, in stored order or in the
// seeded per-epoch permutation (Philox Fisher–Yates, lib/core/permutation.ts).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { openDataset, type AnatomyDataset } from '../lib/datasets/reader.js';
import { permutation, SHUFFLE_STREAM } from '../lib/core/permutation.js';
import { generateDataset } from '../lib/generators/anatomy3d/dataset.js';
import { generatePetCtDataset } from '../lib/generators/petct/dataset.js';
import { loadPetCtVolumes, openPetCtCohort } from '../lib/studies/petct/cohort.js';
import { cohortSamples } from '../lib/studies/petct/cohort_samples.js';
import { tempDir } from './helpers/tmp.js';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The documented shuffle, written out plainly: swap i with ⌊u·(i + 1)⌋ from the top. */
function referenceOrder(n: number, seed: number, epoch: number): number[] {
  const rng = new Rng(seed, epoch, SHUFFLE_STREAM);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('permutation (the epoch order)', () => {
  it('is the documented Fisher–Yates on Philox, a permutation, and a function of (n, seed, epoch)', () => {
    for (const [n, seed, epoch] of [[0, 1, 0], [1, 1, 0], [17, 3, 0], [17, 3, 1], [1000, 12345, 7]]) {
      const order = [...permutation(n, seed, epoch)];
      expect(order).toEqual(referenceOrder(n, seed, epoch));
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect([...permutation(50, 1, 0)]).not.toEqual([...permutation(50, 2, 0)]);
    expect([...permutation(50, 1, 0)]).not.toEqual([...permutation(50, 1, 1)]);
  });

  it('gives the 6 orders of 3 items equally often over epochs (each within 5 standard errors)', () => {
    const counts = new Map<string, number>();
    const epochs = 6000;
    for (let e = 0; e < epochs; e++) {
      const key = permutation(3, 99, e).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const sd = Math.sqrt(epochs * (1 / 6) * (5 / 6));
    for (const c of counts.values()) expect(Math.abs(c - epochs / 6)).toBeLessThan(5 * sd);
  });
});

describe('openDataset().samples()', () => {
  const tmp = tempDir();
  const dir = path.join(tmp.dir, 'ds');
  let train: AnatomyDataset;
  beforeAll(async () => {
    await generateDataset({ outputDir: dir, imageSize: [8, 16, 16], totalSamples: 24, validationSplit: 0.25, testSplit: 0, seed: 5 });
    train = await openDataset(dir, { split: 'train' });
  });
  afterAll(() => {
    train?.close();
    tmp.cleanup();
  });

  const read = async (options: Parameters<AnatomyDataset['samples']>[0]) => {
    const rows: number[] = [];
    for await (const item of train.samples(options)) rows.push(item.index);
    return rows;
  };

  it('in stored order gives what get(i) gives, at any prefetch', async () => {
    expect(train.length).toBe(18);
    for (const prefetch of [0, 1, 4]) {
      let i = 0;
      for await (const item of train.samples({ prefetch })) {
        const want = train.get(i++);
        expect(item.index).toBe(want.index);
        expect(bytes(item.image).equals(bytes(want.image))).toBe(true);
        expect(bytes(item.masks!).equals(bytes(want.masks!))).toBe(true);
      }
      expect(i).toBe(18);
    }
    expect(await read({ start: 4, count: 3 })).toEqual([4, 5, 6]);
  });

  it('shuffled: a permutation, the same for a seed and epoch, another for another seed or epoch', async () => {
    const a = await read({ shuffle: true, seed: 1, epoch: 0 });
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(a).toEqual([...permutation(18, 1, 0)]);
    expect(await read({ shuffle: true, seed: 1, epoch: 0, prefetch: 5 })).toEqual(a);
    expect(await read({ shuffle: true, seed: 2, epoch: 0 })).not.toEqual(a);
    expect(await read({ shuffle: true, seed: 1, epoch: 1 })).not.toEqual(a);
    // start/count are positions in the epoch's order: shards of one epoch join to the whole.
    const shards = [...(await read({ shuffle: true, seed: 1, start: 0, count: 7 })), ...(await read({ shuffle: true, seed: 1, start: 7 }))];
    expect(shards).toEqual(a);
  });

  it('stops on break and on abort, and refuses unknown options', async () => {
    let n = 0;
    for await (const _ of train.samples({ shuffle: true, seed: 3 })) if (++n === 2) break;
    expect(n).toBe(2);
    const ac = new AbortController();
    const run = async () => {
      for await (const _ of train.samples({ signal: ac.signal })) ac.abort();
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(() => train.samples({ shufle: true } as never)).toThrow(/did you mean 'shuffle'/);
    expect(() => train.samples({ reuse: true } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('PET/CT cohorts on disk: petctStudy.cohortSamples()', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('streams the patients as loadPetCtVolumes reads them, in the epoch permutation', async () => {
    const dir = path.join(tmp.dir, 'petct');
    await generatePetCtDataset({ outputDir: dir, patients: 5, mode: '2d', imageSize: [32, 32], seed: 4, preview: false });
    const cohort = openPetCtCohort(dir);
    const ids: string[] = [];
    for await (const v of cohortSamples(cohort, { shuffle: true, seed: 8, epoch: 2, prefetch: 2 })) {
      const want = await loadPetCtVolumes(cohort, v.id);
      expect(bytes(v.ct).equals(bytes(want.ct)) && bytes(v.pet).equals(bytes(want.pet)) && bytes(v.seg).equals(bytes(want.seg))).toBe(true);
      ids.push(v.id);
    }
    expect(ids).toEqual([...permutation(5, 8, 2)].map((k) => cohort.patients[k].id));
  });
});
