import { describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { cropBox, labelBounds, labelMaskBox, type Box } from '../lib/ops/labels.js';

function randomLabels(dims: [number, number, number], seed: number): Uint8Array {
  const rng = new Rng(seed, 0, 0);
  const labels = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let l = 1; l <= 4; l++) {
    const c = dims.map((d) => rng.int(d));
    const r = dims.map((d) => 1 + rng.int(Math.max(1, d >> 2)));
    for (let z = 0; z < dims[0]; z++)
      for (let y = 0; y < dims[1]; y++)
        for (let x = 0; x < dims[2]; x++)
          if (Math.abs(z - c[0]) <= r[0] && Math.abs(y - c[1]) <= r[1] && Math.abs(x - c[2]) <= r[2] && rng.uniform() < 0.7) {
            labels[(z * dims[1] + y) * dims[2] + x] = l;
          }
  }
  return labels;
}

function referenceBounds(labels: Uint8Array, dims: number[], count: number): Array<Box | null> {
  const out: Array<Box | null> = Array(count).fill(null);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l >= count) continue;
    const x = i % dims[2];
    const y = Math.floor(i / dims[2]) % dims[1];
    const z = Math.floor(i / (dims[1] * dims[2]));
    const b = out[l] ?? [z, y, x, z + 1, y + 1, x + 1];
    out[l] = [Math.min(b[0], z), Math.min(b[1], y), Math.min(b[2], x), Math.max(b[3], z + 1), Math.max(b[4], y + 1), Math.max(b[5], x + 1)];
  }
  return out;
}

describe('label utilities', () => {
  const dims: [number, number, number] = [13, 17, 19];
  const labels = randomLabels(dims, 3);

  it('labelBounds matches a reference on any thread count', async () => {
    const want = referenceBounds(labels, dims, 6);
    setThreads(1);
    expect(await labelBounds(labels, dims, 6)).toEqual(want);
    setThreads(2);
    expect(await labelBounds(labels, dims, 6)).toEqual(want);
    setThreads();
    expect(want[5]).toBeNull();
  });

  it('labelMaskBox and cropBox cut the box out exactly', async () => {
    const box: Box = [2, 3, 4, 9, 15, 11];
    const mask = await labelMaskBox(labels, dims, box, 2);
    const crop = await cropBox(labels, dims, box);
    let i = 0;
    for (let z = box[0]; z < box[3]; z++)
      for (let y = box[1]; y < box[4]; y++)
        for (let x = box[2]; x < box[5]; x++, i++) {
          const v = labels[(z * dims[1] + y) * dims[2] + x];
          expect(crop[i]).toBe(v);
          expect(mask[i]).toBe(v === 2 ? 1 : 0);
        }
    const f = Float32Array.from(labels, (v) => v * 1.5);
    expect((await cropBox(f, dims, box))[0]).toBe(f[(2 * 17 + 3) * 19 + 4]);
  });

  it('rejects boxes outside the volume', async () => {
    await expect(labelMaskBox(labels, dims, [0, 0, 0, 14, 1, 1], 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(cropBox(labels, dims, [3, 0, 0, 3, 1, 1])).rejects.toThrow(/non-empty/);
    await expect(labelBounds(labels.subarray(1), dims, 3)).rejects.toThrow(/labels/);
  });
});
