import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { uncertaintyErrorCorrelation } from '../lib/metric/index.js';
import { referencePearson, referenceSpearman } from './reference/metrics.js';

function correlatedCase(n: number, seed: number, levels?: number) {
  const rng = new Rng(seed, 0, 0);
  const u = Float64Array.from({ length: n }, () => (levels ? rng.int(levels) : rng.normal()));
  const err = Float64Array.from(u, (x) => Math.abs(x + rng.normal(0, 1.5)));
  return { u, err };
}

describe('uncertainty–error correlation', () => {
  afterEach(() => setThreads());

  it('matches the Pearson and Spearman references, with and without ties', async () => {
    for (const [n, levels] of [[500, undefined], [500, 5], [3000, 12]] as const) {
      const { u, err } = correlatedCase(n, n + (levels ?? 0), levels);
      const r = await uncertaintyErrorCorrelation(u, err);
      expect(r.n).toBe(n);
      expect(r.pearson).toBeCloseTo(referencePearson(u, err), 12);
      expect(r.spearman).toBeCloseTo(referenceSpearman(u, err), 12);
      const r32 = await uncertaintyErrorCorrelation(Float32Array.from(u), err);
      expect(r32.spearman).toBeCloseTo(referenceSpearman(Float32Array.from(u), err), 12);
    }
  });

  it('gives ±1 for monotone relations and NaN for a constant series', async () => {
    const x = Float64Array.from({ length: 20 }, (_, i) => i);
    expect((await uncertaintyErrorCorrelation(x, x.map((v) => v ** 3))).spearman).toBe(1);
    const neg = await uncertaintyErrorCorrelation(x, x.map((v) => -2 * v + 1));
    expect(neg.pearson).toBeCloseTo(-1, 14);
    expect(neg.spearman).toBeCloseTo(-1, 14);
    const flat = await uncertaintyErrorCorrelation(x, new Float64Array(20).fill(3));
    expect(flat.pearson).toBeNaN();
    expect(flat.spearman).toBeNaN();
  });

  it('is deterministic across thread counts', async () => {
    const rng = new Rng(5, 0, 0);
    const u = Float32Array.from({ length: 200_000 }, () => rng.uniform());
    const err = Float32Array.from(u, (x) => x + rng.normal(0, 0.3));
    setThreads(1);
    const one = await uncertaintyErrorCorrelation(u, err);
    setThreads(2);
    const two = await uncertaintyErrorCorrelation(u, err);
    expect(two).toEqual(one);
  });

  it('ranks float32 input as its float64 copy (the radix sort on 32-bit keys), ties and signed zeros included', async () => {
    const rng = new Rng(6, 0, 0);
    const u = Float32Array.from({ length: 9000 }, (_, i) => (i % 5 === 0 ? (i % 10 === 0 ? -0 : 0) : rng.int(700) - 350 + rng.uniform() * (i % 3)));
    const err = Float32Array.from(u, (x, i) => (i % 11 === 0 ? -2.5 : x * 0.1 + rng.normal()));
    const single = await uncertaintyErrorCorrelation(u, err);
    const double = await uncertaintyErrorCorrelation(Float64Array.from(u), Float64Array.from(err));
    expect(single.spearman).toBe(double.spearman);
    expect(single.pearson).toBe(double.pearson);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await bad(uncertaintyErrorCorrelation(Float64Array.from([1]), Float64Array.from([1])));
    await bad(uncertaintyErrorCorrelation(Float64Array.from([1, 2, 3]), Float64Array.from([1, 2])));
    await bad(uncertaintyErrorCorrelation(Float64Array.from([1, NaN]), Float64Array.from([1, 2])));
    await bad(uncertaintyErrorCorrelation([1, 2] as unknown as Float64Array, Float64Array.from([1, 2])));
  });
});
