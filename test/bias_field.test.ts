import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { nativeAddon } from '../lib/native.js';
import {
  applyBiasField,
  biasField,
  biasFieldTermCount,
  biasFieldTerms,
  sampleBiasCoefficients,
} from '../lib/ops/bias_field.js';
import type { Dims } from '../lib/validate.js';
import { referenceBiasField } from '../lib/reference/bias_field.js';

function randomVolume(n: number, seed: number, lo = 0, hi = 1000): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

function maxRelativeError(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
  return worst;
}

const count = (dims: Dims) => dims.reduce((a, b) => a * b, 1);

describe('bias field', () => {
  afterAll(() => setThreads());

  it('documents the coefficient order (X power outermost, Z innermost)', () => {
    expect([0, 1, 2, 3].map(biasFieldTermCount)).toEqual([1, 4, 10, 20]);
    expect(biasFieldTerms(1)).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const t3 = biasFieldTerms(3);
    expect(t3).toHaveLength(20);
    expect(t3.every(([i, j, k]) => i + j + k <= 3)).toBe(true);
    expect(new Set(t3.map((t) => t.join())).size).toBe(20);
    expect(t3[19]).toEqual([3, 0, 0]);
  });

  it('matches the float64 reference on random coefficients, every order, 3D and 2D', async () => {
    const cases: Array<[Dims, number, number]> = [
      [[7, 13, 29], 3, 0.5],
      [[5, 1, 17], 3, 1.5],
      [[1, 9, 40], 2, 0.5],
      [[33, 21], 3, 0.5],
      [[4, 6, 8], 1, 2],
      [[3, 3, 1], 0, 0.5],
    ];
    let seed = 10;
    for (const [dims, order, m] of cases) {
      const input = randomVolume(count(dims), seed++, 1, 1000);
      const c = sampleBiasCoefficients(new Rng(seed++, 0, 0), order, m);
      const got = await applyBiasField(input, dims, { order, coefficients: c });
      expect(maxRelativeError(got, referenceBiasField(input, dims, order, c))).toBeLessThan(1e-5);
      const field = await biasField(dims, { order, coefficients: c });
      expect(maxRelativeError(field, referenceBiasField(null, dims, order, c))).toBeLessThan(1e-5);
    }
  });

  it('zero coefficients give the input exactly', async () => {
    const dims: Dims = [6, 10, 12];
    const input = randomVolume(count(dims), 3, -500, 500);
    const got = await applyBiasField(input, dims, { order: 3, coefficients: new Array(20).fill(0) });
    expect(got).toEqual(input);
  });

  it('order 0 is the constant exp(c0)', async () => {
    const field = await biasField([4, 5, 6], { order: 0, coefficients: [0.37] });
    expect(new Set(field).size).toBe(1);
    expect(Math.abs(field[0] - Math.exp(0.37)) / Math.exp(0.37)).toBeLessThan(2e-7);
  });

  it('X is the fastest axis and spans [-1, 1]; a size-1 axis sits at 0', async () => {
    const dims: Dims = [3, 4, 5];
    const fx = await biasField(dims, { order: 1, coefficients: [0, 0, 0, 1] });
    expect(fx[0]).toBeCloseTo(Math.exp(-1), 6);
    expect(fx[4]).toBeCloseTo(Math.exp(1), 5);
    expect(fx[2]).toBeCloseTo(1, 6);
    expect(fx[5]).toBe(fx[0]);
    const fz = await biasField([1, 4, 5], { order: 1, coefficients: [0, 3, 0, 0] });
    expect([...new Set(fz)]).toEqual([1]);
  });

  it('works in place and on a reused out buffer', async () => {
    const dims: Dims = [5, 6, 7];
    const input = randomVolume(count(dims), 4);
    const c = sampleBiasCoefficients(new Rng(4, 0, 0), 2);
    const expected = await applyBiasField(input, dims, { order: 2, coefficients: c });
    const inPlace = Float32Array.from(input);
    expect(await applyBiasField(inPlace, dims, { order: 2, coefficients: c }, inPlace)).toBe(inPlace);
    expect(inPlace).toEqual(expected);
  });

  it('gives the same bytes on 1 and 2 threads', async () => {
    const dims: Dims = [9, 130, 257];
    const input = randomVolume(count(dims), 5);
    const options = { order: 3, coefficients: sampleBiasCoefficients(new Rng(5, 0, 0), 3) };
    setThreads(1);
    const one = await applyBiasField(input, dims, options);
    setThreads(2);
    const two = await applyBiasField(input, dims, options);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });

  it('sampleBiasCoefficients draws uniform(-m, m) reproducibly', () => {
    const a = sampleBiasCoefficients(new Rng(6, 0, 1), 3);
    expect(a).toHaveLength(20);
    expect(a.every((v) => v >= -0.5 && v < 0.5)).toBe(true);
    expect(sampleBiasCoefficients(new Rng(6, 0, 1), 3)).toEqual(a);
    expect(sampleBiasCoefficients(new Rng(6, 0, 1), 1, 2).every((v) => Math.abs(v) <= 2)).toBe(true);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const dims: Dims = [2, 3, 4];
    const input = new Float32Array(24);
    const bad = { code: 'INVALID_ARGUMENT' };
    await expect(applyBiasField(input, dims, { order: 3, coefficients: [1, 2, 3] })).rejects.toMatchObject(bad);
    await expect(applyBiasField(input, dims, { order: 4, coefficients: new Array(35).fill(0) })).rejects.toMatchObject(bad);
    await expect(applyBiasField(input, dims, { order: 1.5, coefficients: [0, 0, 0, 0] })).rejects.toMatchObject(bad);
    await expect(applyBiasField(input, dims, { order: 1, coefficients: [0, NaN, 0, 0] })).rejects.toThrow(/coefficients\[1\]/);
    await expect(applyBiasField(new Float32Array(23), dims, { order: 0, coefficients: [0] })).rejects.toThrow(/input/);
    await expect(applyBiasField(input, dims, { order: 0, coefficients: [0] }, new Float32Array(5))).rejects.toThrow(/out/);
    await expect(applyBiasField(new Float64Array(24) as unknown as Float32Array, dims, { order: 0, coefficients: [0] })).rejects.toMatchObject(bad);
    await expect(biasField([2, 0, 4] as unknown as Dims, { order: 0, coefficients: [0] })).rejects.toMatchObject(bad);
    const buf = new Float32Array(48);
    await expect(applyBiasField(buf.subarray(0, 24), dims, { order: 0, coefficients: [0] }, buf.subarray(4, 28))).rejects.toThrow(/overlap/);
    expect(() => biasFieldTermCount(4)).toThrow(/order/);
    expect(() => biasFieldTerms(-1)).toThrow(/order/);
  });

  it('the binding re-checks what it is given (no crash when TS validation is bypassed)', () => {
    const raw = nativeAddon<{ biasField: (...a: unknown[]) => unknown }>();
    const out = new Float32Array(24);
    const bad = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => raw.biasField(null, out, { dims: [2, 3, 4], order: 4, coefficients: new Array(35).fill(0) })).toThrow(bad);
    expect(() => raw.biasField(null, out, { dims: [2, 3, 4], order: 1, coefficients: [0, 0, 0] })).toThrow(bad);
    expect(() => raw.biasField(null, out, { dims: [2, 3, 5], order: 0, coefficients: [0] })).toThrow(bad);
    expect(() => raw.biasField(new Float32Array(5), out, { dims: [2, 3, 4], order: 0, coefficients: [0] })).toThrow(bad);
    expect(() => raw.biasField(null, out, { dims: [2, 3, 4], order: 0, coefficients: [Infinity] })).toThrow(bad);
  });
});
