// Sparse one-hot masks: chunk occupancy (native) against a plain reference, the boxes that cover
// exactly the occupied chunks, and a written dataset that reads back as the dense one-hot masks.
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { occupiedBoxes, writeOneHotMasks } from '../lib/generators/anatomy3d/mask_writer.js';
import { createH5, createSampleDataset, openH5 } from '../lib/io/hdf5.js';
import { labelBounds, labelChunkOccupancy, type Box, type ChunkOccupancy } from '../lib/ops/labels.js';
import { tempDir } from './helpers/tmp.js';

type Dims3 = [number, number, number];

/** Ellipsoid-ish blobs of labels 1..count (later labels overwrite earlier ones). */
function blobLabels(dims: Dims3, count: number, seed: number): Uint8Array {
  const rng = new Rng(seed, 0, 0);
  const labels = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let l = 1; l <= count; l++) {
    const c = dims.map((d) => rng.range(0, d));
    const r = dims.map((d) => rng.range(1, d / 3));
    for (let z = 0, i = 0; z < dims[0]; z++)
      for (let y = 0; y < dims[1]; y++)
        for (let x = 0; x < dims[2]; x++, i++) {
          const q = ((z - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((x - c[2]) / r[2]) ** 2;
          if (q <= 1) labels[i] = l;
        }
  }
  return labels;
}

function referenceOccupancy(labels: Uint8Array, dims: Dims3, block: Dims3, count: number): Uint8Array {
  const g = dims.map((d, i) => Math.ceil(d / block[i]));
  const out = new Uint8Array(count * g[0] * g[1] * g[2]);
  for (let z = 0, i = 0; z < dims[0]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[2]; x++, i++) {
        const l = labels[i];
        if (l >= count) continue;
        out[((l * g[0] + Math.floor(z / block[0])) * g[1] + Math.floor(y / block[1])) * g[2] + Math.floor(x / block[2])] = 1;
      }
  return out;
}

/** Chunk indices (flattened) that a box touches. */
function chunksOf(box: Box, occ: ChunkOccupancy): number[] {
  const [gz, gy, gx] = occ.grid;
  const [bz, by, bx] = occ.block;
  const out: number[] = [];
  for (let iz = Math.floor(box[0] / bz); iz <= Math.floor((box[3] - 1) / bz); iz++)
    for (let iy = Math.floor(box[1] / by); iy <= Math.floor((box[4] - 1) / by); iy++)
      for (let ix = Math.floor(box[2] / bx); ix <= Math.floor((box[5] - 1) / bx); ix++) out.push((iz * gy + iy) * gx + ix);
  expect(gz).toBeGreaterThan(0);
  return out;
}

describe('sparse one-hot masks', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('labelChunkOccupancy matches a reference for any block and thread count', async () => {
    for (const [dims, block, seed] of [
      [[9, 23, 31], [4, 8, 8], 1],
      [[16, 16, 16], [16, 16, 16], 2],
      [[7, 5, 40], [3, 1, 7], 3],
    ] as Array<[Dims3, Dims3, number]>) {
      const labels = blobLabels(dims, 5, seed);
      const want = referenceOccupancy(labels, dims, block, 5); // label 5 is counted, 6+ never occur
      setThreads(1);
      const one = await labelChunkOccupancy(labels, dims, block, 5);
      setThreads(2);
      const two = await labelChunkOccupancy(labels, dims, block, 5);
      setThreads();
      expect(Buffer.from(one.flags).equals(Buffer.from(want))).toBe(true);
      expect(Buffer.from(two.flags).equals(Buffer.from(want))).toBe(true);
      expect(one.grid).toEqual(dims.map((d, i) => Math.ceil(d / block[i])));
      expect(one.bounds).toEqual(await labelBounds(labels, dims, 5)); // same pass, same boxes
    }
  });

  it('occupiedBoxes cover exactly the occupied chunks, once each, inside the label bounds', async () => {
    const dims: Dims3 = [20, 37, 45];
    const block: Dims3 = [4, 8, 8];
    const labels = blobLabels(dims, 6, 7);
    const occ = await labelChunkOccupancy(labels, dims, block, 7);
    const bounds = await labelBounds(labels, dims, 7);
    const cells = occ.grid[0] * occ.grid[1] * occ.grid[2];
    let merged = 0;
    for (let l = 1; l <= 6; l++) {
      const tight = bounds[l];
      if (!tight) continue;
      const boxes = occupiedBoxes(occ, l, tight);
      const seen = new Uint8Array(cells);
      for (const b of boxes) {
        for (let a = 0; a < 3; a++) {
          expect(b[a]).toBeGreaterThanOrEqual(tight[a]);
          expect(b[a + 3]).toBeLessThanOrEqual(tight[a + 3]);
          expect(b[a]).toBeLessThan(b[a + 3]);
        }
        if (b[4] - b[1] > block[1]) merged++;
        for (const c of chunksOf(b, occ)) seen[c]++;
      }
      const flags = occ.flags.subarray(l * cells, (l + 1) * cells);
      expect([...seen]).toEqual([...flags]);
    }
    expect(merged).toBeGreaterThan(0); // rows with the same run were merged
  });

  it('writes masks that read back as the dense one-hot array, storing only occupied chunks', async () => {
    const dims: Dims3 = [24, 48, 48];
    const block: Dims3 = [8, 8, 8];
    const S = 4;
    const labels = blobLabels(dims, S, 11);
    const bounds = await labelBounds(labels, dims, S + 1);
    const file = path.join(tmp.dir, 'masks.h5');
    const h5 = await createH5(file);
    const masks = createSampleDataset(h5, { name: 'masks', dtype: 'uint8', sampleShape: [S, ...dims], count: 2, chunks: [1, 1, ...block], gzipLevel: 0 });
    await writeOneHotMasks(masks, 1, labels, dims, S, block);
    h5.close();

    const r = await openH5(file);
    try {
      const n = dims[0] * dims[1] * dims[2];
      const row0 = r.get('masks') as unknown as { slice(r: number[][]): Uint8Array };
      expect([...row0.slice([[0, 1]])].every((v) => v === 0)).toBe(true);
      const got = row0.slice([[1, 2]]);
      for (let k = 0; k < S; k++) {
        for (let v = 0; v < n; v++) {
          if (got[k * n + v] !== (labels[v] === k + 1 ? 1 : 0)) throw new Error(`mask ${k} differs at voxel ${v}`);
        }
      }
    } finally {
      r.close();
    }
    // Stored raw chunks: the occupied ones only, fewer than the structures' bounding boxes hold.
    const occ = await labelChunkOccupancy(labels, dims, block, S + 1);
    const cells = occ.grid[0] * occ.grid[1] * occ.grid[2];
    const occupied = occ.flags.subarray(cells).reduce((a, v) => a + v, 0);
    const boxChunks = bounds.slice(1).reduce((a, b) => a + (b ? chunksOf(b, occ).length : 0), 0);
    expect(occupied).toBeLessThan(boxChunks);
    const size = statSync(file).size;
    expect(size).toBeGreaterThanOrEqual(occupied * 512);
    expect(size).toBeLessThan(occupied * 512 + 64 * 1024);

    // Without a block, each structure is written over its whole box: same masks, more bytes.
    const boxFile = path.join(tmp.dir, 'masks_box.h5');
    const h5b = await createH5(boxFile);
    const boxMasks = createSampleDataset(h5b, { name: 'masks', dtype: 'uint8', sampleShape: [S, ...dims], count: 2, chunks: [1, 1, ...block], gzipLevel: 0 });
    await writeOneHotMasks(boxMasks, 1, labels, dims, S);
    h5b.close();
    const [a, b] = await Promise.all([openH5(file), openH5(boxFile)]);
    try {
      const row = (f: typeof a) => (f.get('masks') as unknown as { slice(r: number[][]): Uint8Array }).slice([[1, 2]]);
      expect(Buffer.from(row(a)).equals(Buffer.from(row(b)))).toBe(true);
    } finally {
      a.close();
      b.close();
    }
    expect(statSync(boxFile).size).toBeGreaterThanOrEqual(boxChunks * 512);
  });

  it('rejects bad blocks with INVALID_ARGUMENT', async () => {
    const labels = new Uint8Array(8);
    await expect(labelChunkOccupancy(labels, [2, 2, 2], [0, 1, 1], 2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(labelChunkOccupancy(labels, [2, 2, 2], [1, 1] as never, 2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(labelChunkOccupancy(labels, [2, 2, 2], [1, 1, 1], 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
