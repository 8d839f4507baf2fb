/**
 * The per-pixel map kernels behind the study evaluation — segmentationErrorMap
 * (native/metric/segmentation_error.cc), sliceSums (native/metric/slice_sums.cc) and maskedGather
 * (native/volume/masked_gather.cc) — against their plain references on random inputs, sizes that
 * are not multiples of a chunk, slices larger than one chunk, 1 and 2 threads; and bad input.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { segmentationErrorMap } from '../lib/metric/segmentation_error.js';
import { sliceSums } from '../lib/metric/slice_sums.js';
import { maskedGather } from '../lib/ops/masked_gather.js';
import { sameBytes } from './helpers/arrays.js';
import { referenceMaskedGather, referenceSegmentationErrorMap, referenceSliceSums } from './reference/pixel_maps.js';

afterAll(() => setThreads());

/** Probabilities with exact 0, 1, ½ and threshold values mixed in. */
function randomProbabilities(n: number, rng: Rng): Float32Array {
  const special = [0, 1, 0.5, 0.3, Math.fround(0.3) + 2 ** -25];
  return Float32Array.from({ length: n }, () => (rng.uniform() < 0.1 ? special[rng.int(special.length)] : rng.uniform() ** 3));
}

describe('segmentationErrorMap', () => {
  it('equals the reference for float and uint8 truth, any threshold, any thread count', async () => {
    const rng = new Rng(41, 0, 0);
    for (const n of [1, 7, 65_535, 65_537 * 2 + 3]) {
      const p = randomProbabilities(n, rng);
      const truthF = Float32Array.from({ length: n }, () => [0, 1, 0.5, 0.49, 0.7][rng.int(5)]);
      const truthU = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 + rng.int(255) : 0));
      for (const truth of [truthF, truthU]) {
        for (const threshold of [0.5, 0.3, 1]) {
          const want = referenceSegmentationErrorMap(p, truth, threshold);
          setThreads(1);
          const one = await segmentationErrorMap(p, truth, { threshold });
          setThreads(2);
          const two = await segmentationErrorMap(p, truth, { threshold });
          for (const got of [one, two]) {
            expect(sameBytes(got.label, want.label)).toBe(true);
            expect(sameBytes(got.error, want.error)).toBe(true);
            expect(sameBytes(got.either, want.either)).toBe(true);
          }
        }
      }
    }
  });

  it('rejects bad input', async () => {
    const p = new Float32Array(4);
    await expect(segmentationErrorMap(p, new Float32Array(3))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/truth/) });
    await expect(segmentationErrorMap(p, new Int32Array(4) as unknown as Uint8Array)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(segmentationErrorMap(new Float64Array(4) as unknown as Float32Array, p)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(segmentationErrorMap(p, p, { threshold: NaN })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const u8 = new Uint8Array(4);
    expect(() => binding().segmentationErrorMap(p, p, u8, new Float32Array(3), u8, { threshold: 0.5 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('sliceSums', () => {
  it('equals the float64 reference per slice, with and without a mask, on any thread count', async () => {
    const rng = new Rng(42, 0, 0);
    for (const [slices, plane] of [[1, 1], [3, 17], [40, 1000], [3, 65_536 * 2 + 5], [0, 4]]) {
      const x = Float32Array.from({ length: slices * plane }, () => (rng.uniform() < 0.05 ? 0 : rng.normal() * 3));
      const mask = Uint8Array.from({ length: slices * plane }, () => (rng.uniform() < 0.2 ? 1 + rng.int(255) : 0));
      const want = referenceSliceSums(x, slices, plane, mask);
      setThreads(1);
      const one = await sliceSums(x, { slices, plane }, mask);
      const plain = await sliceSums(x, { slices, plane });
      setThreads(2);
      const two = await sliceSums(x, { slices, plane }, mask);
      expect(plain.maskedSum).toBeUndefined();
      expect(sameBytes(plain.sum, one.sum)).toBe(true);
      for (const k of ['sum', 'maskedSum', 'maskedCount'] as const) expect(sameBytes(one[k]!, two[k]!)).toBe(true);
      expect(Array.from(one.maskedCount!)).toEqual(Array.from(want.maskedCount));
      for (let s = 0; s < slices; s++) {
        // float64 sums of float32 values in another order: equal to a few ulps of the magnitudes added.
        let scale = 0;
        for (let i = s * plane; i < (s + 1) * plane; i++) scale += Math.abs(x[i]);
        expect(Math.abs(one.sum[s] - want.sum[s])).toBeLessThanOrEqual(1e-14 * scale + 1e-300);
        expect(Math.abs(one.maskedSum![s] - want.maskedSum[s])).toBeLessThanOrEqual(1e-14 * scale + 1e-300);
      }
    }
  });

  it('rejects bad input', async () => {
    const x = new Float32Array(12);
    await expect(sliceSums(x, { slices: 3, plane: 5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/x/) });
    await expect(sliceSums(x, { slices: 3, plane: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sliceSums(x, { slices: 3, plane: 4 }, new Uint8Array(11))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/mask/) });
    expect(() => binding().sliceSums(x, new Uint8Array(12), new Float64Array(3), new Float64Array(2), new Float64Array(3), { slices: 3, plane: 4 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => binding().sliceSums(x, null, new Float64Array(4), null, null, { slices: 3, plane: 4 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('maskedGather', () => {
  it('packs the values under the mask in order, on any thread count', async () => {
    const rng = new Rng(43, 0, 0);
    for (const n of [0, 1, 9, 65_536, 65_536 * 3 + 11]) {
      for (const density of [0, 0.1, 0.9, 1]) {
        const x = Float32Array.from({ length: n }, () => rng.normal());
        // Runs of set and unset bytes, so whole chunks are full or empty too.
        let on = false;
        const mask = Uint8Array.from({ length: n }, () => {
          if (rng.uniform() < 0.001) on = !on;
          return on || rng.uniform() < density ? 1 + rng.int(255) : 0;
        });
        const want = Float32Array.from(referenceMaskedGather(x, mask));
        setThreads(1);
        const one = await maskedGather(x, mask, want.length);
        setThreads(2);
        const two = await maskedGather(x, mask, want.length);
        expect(sameBytes(one, want)).toBe(true);
        expect(sameBytes(two, want)).toBe(true);
      }
    }
  });

  it('rejects a wrong count or mismatched lengths', async () => {
    const x = Float32Array.of(1, 2, 3);
    const mask = Uint8Array.of(1, 0, 1);
    await expect(maskedGather(x, mask, 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/2 elements/) });
    await expect(maskedGather(x, mask, 4)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(maskedGather(x, Uint8Array.of(1), 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/mask/) });
    expect(() => binding().maskedGather(x, Uint8Array.of(1), new Float32Array(1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
