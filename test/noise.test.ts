import { readFileSync } from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { nativeAddon } from '../lib/native.js';
import { addNoise, normalNoise, type NoiseOptions } from '../lib/ops/noise.js';
import {
  referenceGaussian,
  referenceNormals,
  referencePoisson,
  referencePoissonQuantile,
  referenceRician,
  type ReferenceKey,
} from '../lib/reference/noise.js';

function randomVolume(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

/** Voxels where the native Poisson draw differs from the reference's, as float32 bit patterns. */
function poissonMismatches(got: Float32Array, input: Float32Array, scale: number, key: ReferenceKey): number {
  const want = referencePoisson(input, scale, key);
  let mismatches = 0;
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], Math.fround(want[i]))) mismatches++;
  return mismatches;
}

function maxAbsError(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

function moments(x: Float32Array): { mean: number; variance: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, variance: q / (x.length - 1) };
}

const sameBytes = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

/** Modified Bessel function I_nu(x) by its power series (small x). */
function besselI(nu: number, x: number): number {
  let term = (x / 2) ** nu / (nu === 0 ? 1 : 1); // nu in {0, 1}: Γ(nu + 1) = 1
  let sum = term;
  for (let k = 1; k < 60; k++) {
    term *= (x * x) / 4 / (k * (k + nu));
    sum += term;
  }
  return sum;
}

/** Mean of Rice(nu, sigma): σ √(π/2) L_½(−ν²/2σ²). */
function riceMean(nu: number, sigma: number): number {
  const x = -(nu * nu) / (2 * sigma * sigma);
  const laguerre = Math.exp(x / 2) * ((1 - x) * besselI(0, -x / 2) - x * besselI(1, -x / 2));
  return sigma * Math.sqrt(Math.PI / 2) * laguerre;
}

const N = 1_000_000;

describe('noise', () => {
  afterAll(() => setThreads());

  it('normalNoise matches the float64 Philox → Box–Muller reference', async () => {
    const key = { seed: 123456789012n, sample: 7, stream: 3 };
    const got = await normalNoise(10_003, key);
    expect(maxAbsError(got, referenceNormals(key, 10_003))).toBeLessThan(1e-5);
  });

  it('gaussian and rician match the reference', async () => {
    const key = { seed: 42, sample: 1, stream: 2 };
    const input = randomVolume(20_001, 1, -4, 4);
    const g = await addNoise(input, { kind: 'gaussian', sigma: 1, ...key });
    expect(maxAbsError(g, referenceGaussian(input, 1, key))).toBeLessThan(1e-5);
    const r = await addNoise(input, { kind: 'rician', sigma: 0.75, ...key });
    expect(maxAbsError(r, referenceRician(input, 0.75, key))).toBeLessThan(1e-5);
  });

  it('poisson matches the reference sampler draw for draw', async () => {
    const key = { seed: 9, sample: 0, stream: 5 };
    const input = randomVolume(20_000, 2, -20, 300);
    input[3] = NaN;
    input[4] = 0;
    for (const scale of [1, 0.37, 4]) {
      const got = await addNoise(input, { kind: 'poisson', scale, ...key, allowNonFinite: true }); // NaN passes through
      expect(poissonMismatches(got, input, scale, key)).toBe(0);
      expect(got[3]).toBeNaN();
      expect(got[4]).toBe(0);
    }
  });

  it('poisson matches the reference at large means, at the tails, and for power-of-two scales', async () => {
    // Large means go through the later passes (the full float32 estimate, the float64 one from
    // 2^16, the exact walk); λ just above 10 through the lower-tail cases; scale 0.25 through the
    // float32 output path and 0.37 through the float64 one.
    const key = { seed: 21, sample: 4, stream: 6 };
    const input = new Float32Array(3000);
    const rng = new Rng(5, 0, 0);
    for (let i = 0; i < input.length; i++) {
      input[i] = i % 3 === 0 ? 10 + 2 * rng.uniform() : Math.exp(Math.log(1e3) + rng.uniform() * Math.log(1e4));
    }
    input[7] = 3e8;
    input[8] = 2 ** 16;
    for (const scale of [1, 0.25, 0.37]) {
      const got = await addNoise(input, { kind: 'poisson', scale, ...key });
      expect(poissonMismatches(got, input, scale, key)).toBe(0);
    }
  });

  it("poisson's inverse CDF agrees with scipy.stats.poisson.ppf", () => {
    const fixture: { cases: Array<[number, number, number]> } = JSON.parse(
      readFileSync(new URL('./fixtures/scipy_poisson.json', import.meta.url), 'utf8'),
    );
    expect(fixture.cases.length).toBeGreaterThan(300);
    const wrong = fixture.cases.filter(([lambda, w, k]) => referencePoissonQuantile(lambda, w) !== k);
    expect(wrong).toEqual([]);
  });

  it('gaussian: mean 0 and variance sigma² within a few standard errors; tails as expected', async () => {
    const sigma = 2;
    const x = await addNoise(new Float32Array(N), { kind: 'gaussian', sigma, seed: 1 });
    const { mean, variance } = moments(x);
    expect(Math.abs(mean)).toBeLessThan(5 * sigma * Math.sqrt(1 / N));
    expect(Math.abs(variance / (sigma * sigma) - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    const beyond = x.filter((v) => Math.abs(v) > 3 * sigma).length / N; // P(|Z| > 3) = 0.0026998
    expect(Math.abs(beyond - 0.0026998)).toBeLessThan(5 * Math.sqrt(0.0027 / N));
  });

  it('rician: mean is the Rice mean and E[R²] = 2σ² + ν²', async () => {
    const nu = 2;
    const sigma = 1;
    const x = await addNoise(new Float32Array(N).fill(nu), { kind: 'rician', sigma, seed: 2, stream: 1 });
    const { mean, variance } = moments(x);
    const m = riceMean(nu, sigma);
    expect(m).toBeCloseTo(2.2724, 3);
    expect(Math.abs(mean - m)).toBeLessThan(5 * Math.sqrt(variance / N));
    const secondMoment = variance + mean * mean;
    expect(Math.abs(secondMoment - (2 * sigma * sigma + nu * nu))).toBeLessThan(5 * Math.sqrt((8 * sigma ** 4 + 8 * nu * nu * sigma * sigma) / N) + 1e-3);
    expect(Math.min(...x.subarray(0, 1000))).toBeGreaterThanOrEqual(0);
  });

  it.each([0.5, 3, 30, 200])('poisson λ = %s: integer counts with mean = variance = λ and the right pmf', async (lambda) => {
    const x = await addNoise(new Float32Array(N).fill(lambda), { kind: 'poisson', scale: 1, seed: 3, stream: 9 });
    expect(x.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const { mean, variance } = moments(x);
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / N));
    expect(Math.abs(variance - lambda)).toBeLessThan(5 * Math.sqrt((lambda + 2 * lambda * lambda) / N));
    // Frequencies of the values around the mode against the pmf, within 5 standard errors each.
    const counts = new Map<number, number>();
    for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
    const mode = Math.floor(lambda);
    for (let k = Math.max(0, mode - 3); k <= mode + 3; k++) {
      let logPmf = -lambda + k * Math.log(lambda);
      for (let i = 2; i <= k; i++) logPmf -= Math.log(i);
      const p = Math.exp(logPmf);
      expect(Math.abs((counts.get(k) ?? 0) / N - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('poisson scale converts intensity to counts and back', async () => {
    const x = await addNoise(new Float32Array(200_000).fill(5), { kind: 'poisson', scale: 40, seed: 4 });
    const { mean, variance } = moments(x);
    expect(Math.abs(mean - 5)).toBeLessThan(5 * Math.sqrt(5 / 40 / x.length));
    expect(variance).toBeCloseTo(5 / 40, 2); // Var(K/s) = λ/s² = in/s
    const negative = await addNoise(Float32Array.from([-3, -0.5, 0]), { kind: 'poisson', scale: 1, seed: 4 });
    expect([...negative]).toEqual([0, 0, 0]);
  });

  it('gives the same bytes on 1 and 2 threads, and for the same key', async () => {
    const input = randomVolume(200_003, 5, 0, 100);
    const kinds: NoiseOptions[] = [
      { kind: 'gaussian', sigma: 3, seed: 11 },
      { kind: 'rician', sigma: 3, seed: 11 },
      { kind: 'poisson', scale: 0.5, seed: 11 },
    ];
    for (const options of kinds) {
      setThreads(1);
      const one = await addNoise(input, options);
      setThreads(2);
      const two = await addNoise(input, options);
      expect(sameBytes(one, two)).toBe(true);
      expect(sameBytes(await addNoise(input, options), two)).toBe(true);
    }
    setThreads(1);
    const n1 = await normalNoise(200_003, { seed: 12 });
    setThreads(2);
    const n2 = await normalNoise(200_003, { seed: 12 });
    expect(sameBytes(n1, n2)).toBe(true);
  });

  it('is addressable: a prefix, a BigInt seed, another stream or sample', async () => {
    const base = await normalNoise(1001, { seed: 77, sample: 2, stream: 1 });
    expect((await normalNoise(13, { seed: 77, sample: 2, stream: 1 })).every((v, i) => v === base[i])).toBe(true);
    expect(sameBytes(await normalNoise(1001, { seed: 77n, sample: 2, stream: 1 }), base)).toBe(true);
    const otherStream = await normalNoise(1001, { seed: 77, sample: 2, stream: 2 });
    const otherSample = await normalNoise(1001, { seed: 77, sample: 3, stream: 1 });
    expect(otherStream.filter((v, i) => v === base[i]).length).toBeLessThan(5);
    expect(otherSample.filter((v, i) => v === base[i]).length).toBeLessThan(5);
    // Gaussian noise on a zero volume is sigma times the raw normals.
    const g = await addNoise(new Float32Array(1001), { kind: 'gaussian', sigma: 1, seed: 77, sample: 2, stream: 1 });
    expect(sameBytes(g, base)).toBe(true);
  });

  it('works in place', async () => {
    const input = randomVolume(5000, 6, 0, 10);
    const expected = await addNoise(input, { kind: 'rician', sigma: 0.5, seed: 8 });
    const y = Float32Array.from(input);
    expect(await addNoise(y, { kind: 'rician', sigma: 0.5, seed: 8 }, y)).toBe(y);
    expect(sameBytes(y, expected)).toBe(true);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const x = new Float32Array(16);
    const bad = { code: 'INVALID_ARGUMENT' };
    await expect(addNoise(x, { kind: 'gaussian', sigma: NaN, seed: 1 })).rejects.toThrow(/sigma/);
    await expect(addNoise(x, { kind: 'gaussian', sigma: -1, seed: 1 })).rejects.toMatchObject(bad);
    await expect(addNoise(x, { kind: 'rician', seed: 1 })).rejects.toThrow(/sigma/);
    await expect(addNoise(x, { kind: 'poisson', scale: 0, seed: 1 })).rejects.toThrow(/scale/);
    await expect(addNoise(x, { kind: 'poisson', scale: Infinity, seed: 1 })).rejects.toThrow(/scale/);
    await expect(addNoise(x, { kind: 'speckle' as 'gaussian', sigma: 1, seed: 1 })).rejects.toThrow(/kind/);
    await expect(addNoise(x, { kind: 'gaussian', sigma: 1, seed: -1 })).rejects.toThrow(/seed/);
    await expect(addNoise(x, { kind: 'gaussian', sigma: 1, seed: 1, stream: 2 ** 32 })).rejects.toThrow(/stream/);
    await expect(addNoise(x, { kind: 'gaussian', sigma: 1, seed: 1 }, new Float32Array(3))).rejects.toThrow(/out/);
    await expect(addNoise(new Float64Array(16) as unknown as Float32Array, { kind: 'gaussian', sigma: 1, seed: 1 })).rejects.toMatchObject(bad);
    await expect(addNoise(x.subarray(0, 8), { kind: 'gaussian', sigma: 1, seed: 1 }, x.subarray(4, 12))).rejects.toThrow(/overlap/);
    await expect(normalNoise(-1, { seed: 1 })).rejects.toThrow(/count/);
  });

  it('the binding re-checks what it is given (no crash when TS validation is bypassed)', () => {
    const raw = nativeAddon<{ addNoise: (...a: unknown[]) => unknown; normalNoise: (...a: unknown[]) => unknown }>();
    const x = new Float32Array(8);
    const bad = { code: 'INVALID_ARGUMENT' };
    expect(() => raw.addNoise(x, new Float32Array(7), { kind: 'gaussian', sigma: 1, seed: 1 })).toThrow(expect.objectContaining(bad));
    expect(() => raw.addNoise(x, x, { kind: 'gaussian', sigma: -1, seed: 1 })).toThrow(expect.objectContaining(bad));
    expect(() => raw.addNoise(x, x, { kind: 'poisson', scale: 0, seed: 1 })).toThrow(expect.objectContaining(bad));
    expect(() => raw.addNoise(x, x, { kind: 'nope', sigma: 1, seed: 1 })).toThrow(expect.objectContaining(bad));
    expect(() => raw.addNoise(x, x, { kind: 'gaussian', sigma: 1, seed: 1.5 })).toThrow(expect.objectContaining(bad));
    expect(() => raw.addNoise(new Int32Array(8), x, { kind: 'gaussian', sigma: 1, seed: 1 })).toThrow(expect.objectContaining(bad));
    expect(() => raw.normalNoise(x, { seed: 1, stream: -1 })).toThrow(expect.objectContaining(bad));
  });
});
