/**
 * dilateSlices (native/filter/binary_dilation.cc) against its plain reference (the former
 * TypeScript max filter) and a brute-force Chebyshev neighbourhood, on random masks of various
 * shapes, densities and radii (0, small, and at least the slice's size); in place; on 1 and 2
 * threads; and bad input.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { dilateSlices } from '../lib/ops/binary_dilation.js';
import { sameBytes } from './helpers/arrays.js';
import { referenceDilateSlices } from './reference/binary_dilation.js';

afterAll(() => setThreads());

function randomSeed(n: number, density: number, seed: number): Uint8Array {
  const rng = new Rng(seed, 0, 0);
  // Nonzero values other than 1 count as set too.
  return Uint8Array.from({ length: n }, () => (rng.uniform() < density ? 1 + rng.int(255) : 0));
}

describe('dilateSlices', () => {
  it('equals the reference on random stacks, radius 0 to beyond the slice size', async () => {
    const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 9], [3, 7, 1], [3, 11, 13], [5, 32, 17], [2, 64, 64], [40, 9, 300]];
    let seedIndex = 0;
    for (const [S, H, W] of shapes) {
      for (const density of [0, 0.01, 0.2]) {
        const seed = randomSeed(S * H * W, density, ++seedIndex);
        for (const r of [0, 1, 2, 5, Math.max(H, W) - 1, Math.max(H, W), Math.max(H, W) + 7, 1000]) {
          const got = await dilateSlices(seed, [S, H, W], r);
          const want = referenceDilateSlices(seed, [H, W], r);
          expect(sameBytes(got, want), `${S}×${H}×${W} density ${density} radius ${r}`).toBe(true);
        }
      }
    }
  });

  it('is the Chebyshev neighbourhood of the set pixels (brute force)', async () => {
    const [S, H, W] = [3, 11, 13];
    const seed = randomSeed(S * H * W, 0.03, 8);
    for (const r of [0, 1, 3]) {
      const got = await dilateSlices(seed, [S, H, W], r);
      for (let s = 0; s < S; s++) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            let want = 0;
            for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r); yy++) {
              for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) want |= seed[s * H * W + yy * W + xx] ? 1 : 0;
            }
            expect(got[s * H * W + y * W + x]).toBe(want);
          }
        }
      }
    }
  });

  it('works in place, on [H, W], and gives the same bytes on 1 and 2 threads', async () => {
    const [S, H, W] = [33, 40, 50];
    const seed = randomSeed(S * H * W, 0.02, 21);
    const want = referenceDilateSlices(seed, [H, W], 4);
    setThreads(1);
    const one = await dilateSlices(seed, [S, H, W], 4);
    setThreads(2);
    const two = await dilateSlices(seed, [S, H, W], 4);
    setThreads();
    expect(sameBytes(one, want)).toBe(true);
    expect(sameBytes(two, want)).toBe(true);
    const copy = seed.slice();
    const inPlace = await dilateSlices(copy, [S, H, W], 4, copy);
    expect(inPlace).toBe(copy);
    expect(sameBytes(copy, want)).toBe(true);
    const single = seed.subarray(0, H * W);
    expect(sameBytes(await dilateSlices(single, [H, W], 2), referenceDilateSlices(single, [H, W], 2))).toBe(true);
  });

  it('rejects bad input with INVALID_ARGUMENT', async () => {
    const seed = new Uint8Array(24);
    await expect(dilateSlices(seed, [2, 3, 5], 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/seed/) });
    await expect(dilateSlices(seed, [2, 3, 4], -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/radius/) });
    await expect(dilateSlices(seed, [2, 3, 4], 1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(dilateSlices(new Float32Array(24) as unknown as Uint8Array, [2, 3, 4], 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(dilateSlices(seed, [2, 3, 4], 1, new Uint8Array(5))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/out/) });
    const wide = new Uint8Array(25);
    await expect(dilateSlices(wide.subarray(0, 24), [2, 3, 4], 1, wide.subarray(1, 25))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/overlap/) });
    // The binding re-checks what TypeScript validated.
    expect(() => binding().dilateSlicesSquare(seed, new Uint8Array(23), { dims: [2, 3, 4], radius: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => binding().dilateSlicesSquare(seed, seed, { dims: [2, 3, 4], radius: -2 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
