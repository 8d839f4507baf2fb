/**
 * labelsFromOneHot (native/volume/label_ops.cc) against its plain reference on random masks: sparse
 * non-overlapping one-hot masks as the generators write them, overlapping ones (the later
 * structure wins), nonzero values other than 1, sizes that are not a multiple of a chunk, any
 * thread count; and bad input.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { labelsFromOneHot } from '../lib/ops/labels.js';
import { sameBytes } from './helpers/arrays.js';
import { labelsFromOneHotReference } from './reference/labels.js';

afterAll(() => setThreads());

/** Masks [structures, voxels]: each voxel on in at most one structure, or (overlap) in each with probability p. */
function randomMasks(structures: number, voxels: number, seed: number, overlap: boolean): Uint8Array {
  const rng = new Rng(seed, 0, 0);
  const masks = new Uint8Array(structures * voxels);
  for (let v = 0; v < voxels; v++) {
    if (overlap) {
      for (let s = 0; s < structures; s++) if (rng.uniform() < 0.3) masks[s * voxels + v] = 1 + rng.int(255);
    } else {
      const s = rng.int(structures + 1);
      if (s < structures) masks[s * voxels + v] = 1;
    }
  }
  return masks;
}

describe('labelsFromOneHot', () => {
  const cases = [
    { structures: 1, voxels: 1 },
    { structures: 3, voxels: 1000 },
    { structures: 7, voxels: 40_001 },
    { structures: 255, voxels: 517 },
    { structures: 2, voxels: 0 },
  ];
  for (const overlap of [false, true]) {
    it(`matches the reference on random ${overlap ? 'overlapping' : 'one-hot'} masks, on 1 and 2 threads`, async () => {
      for (const [k, { structures, voxels }] of cases.entries()) {
        const masks = randomMasks(structures, voxels, 10 + k, overlap);
        const want = labelsFromOneHotReference(masks, structures, voxels);
        for (const threads of [1, 2]) {
          setThreads(threads);
          const got = await labelsFromOneHot(masks, structures, voxels);
          expect(sameBytes(got, want), `${structures}×${voxels}, ${threads} threads`).toBe(true);
        }
        // Into a given array, whatever it held before.
        const out = new Uint8Array(voxels).fill(99);
        expect(await labelsFromOneHot(masks, structures, voxels, out)).toBe(out);
        expect(sameBytes(out, want)).toBe(true);
      }
    });
  }

  it('rejects bad input with INVALID_ARGUMENT', async () => {
    const masks = new Uint8Array(30);
    const bad = { code: 'INVALID_ARGUMENT' };
    await expect(labelsFromOneHot(masks, 3, 11)).rejects.toMatchObject(bad);
    await expect(labelsFromOneHot(masks, 0, 30)).rejects.toMatchObject(bad);
    await expect(labelsFromOneHot(masks, 256, 0)).rejects.toMatchObject(bad);
    await expect(labelsFromOneHot(masks, 1.5, 20)).rejects.toMatchObject(bad);
    await expect(labelsFromOneHot(new Float32Array(30) as unknown as Uint8Array, 3, 10)).rejects.toMatchObject(bad);
    await expect(labelsFromOneHot(masks, 3, 10, new Uint8Array(9))).rejects.toMatchObject(bad);
    await expect(labelsFromOneHot(masks, 3, 10, masks.subarray(20))).rejects.toMatchObject(bad);
  });
});
