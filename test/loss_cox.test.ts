import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { coxLoss } from '../lib/loss/index.js';
import { referenceCoxLoss, referenceCoxLossSorted } from './reference/losses.js';

/** n subjects; integer times in [1, distinctTimes] give many ties when distinctTimes << n. */
function survivalCase(n: number, seed: number, distinctTimes: number, eventRate = 0.7) {
  const rng = new Rng(seed, 0, 0);
  const risk = Float64Array.from({ length: n }, () => rng.normal());
  const time = Float64Array.from({ length: n }, () => 1 + rng.int(distinctTimes));
  const event = Uint8Array.from({ length: n }, () => (rng.uniform() < eventRate ? 1 : 0));
  return { risk, time, event };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('Cox partial likelihood loss', () => {
  afterEach(() => setThreads());

  for (const ties of ['breslow', 'efron'] as const) {
    it(`${ties}: reference gradient matches central differences`, () => {
      const { risk, time, event } = survivalCase(40, 1, 8);
      const ref = referenceCoxLoss(risk, time, event, ties);
      const h = 1e-6;
      const fd = Float64Array.from(risk, (x, i) => {
        risk[i] = x + h;
        const up = referenceCoxLoss(risk, time, event, ties).loss;
        risk[i] = x - h;
        const down = referenceCoxLoss(risk, time, event, ties).loss;
        risk[i] = x;
        return (up - down) / (2 * h);
      });
      expect(maxAbsDiff(ref.grad, fd)).toBeLessThan(1e-8);
    });

    it(`${ties}: native matches the O(n²) reference with many tied times (float64)`, async () => {
      for (const [n, distinct] of [[300, 12], [300, 300], [257, 3]]) {
        const { risk, time, event } = survivalCase(n, n + distinct, distinct);
        const ref = referenceCoxLoss(risk, time, event, ties);
        const r = await coxLoss(risk, time, event, { ties });
        expect(r.loss).toBeCloseTo(ref.loss, 12);
        expect(r.grad).toBeInstanceOf(Float64Array);
        expect(maxAbsDiff(r.grad, ref.grad)).toBeLessThan(1e-13);
        const sorted = referenceCoxLossSorted(risk, time, event, ties);
        expect(sorted.loss).toBeCloseTo(ref.loss, 12);
        expect(maxAbsDiff(sorted.grad, ref.grad)).toBeLessThan(1e-13);
      }
    });

    it(`${ties}: float32 risk and time give float32 gradients within float tolerance`, async () => {
      const { risk, time, event } = survivalCase(500, 3, 40);
      const r32 = Float32Array.from(risk);
      const ref = referenceCoxLoss(r32, time, event, ties);
      const r = await coxLoss(r32, Float32Array.from(time), event, { ties });
      expect(r.grad).toBeInstanceOf(Float32Array);
      expect(r.loss).toBeCloseTo(ref.loss, 10);
      expect(maxAbsDiff(r.grad, ref.grad)).toBeLessThan(1e-4 * Math.max(...ref.grad.map(Math.abs)));
    });

    it(`${ties}: shifting every risk changes nothing; huge risks stay finite`, async () => {
      const { risk, time, event } = survivalCase(200, 4, 20);
      const base = await coxLoss(risk, time, event, { ties });
      const shifted = await coxLoss(risk.map((x) => x + 700), time, event, { ties });
      expect(shifted.loss).toBeCloseTo(base.loss, 9);
      expect(maxAbsDiff(shifted.grad, base.grad)).toBeLessThan(1e-12);
      const wide = await coxLoss(risk.map((x) => x * 1000), time, event, { ties });
      expect(Number.isFinite(wide.loss)).toBe(true);
      expect(wide.grad.every(Number.isFinite)).toBe(true);
      // The gradient sums to zero: the loss is invariant to a common shift.
      expect(Math.abs(base.grad.reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
    });
  }

  it('Breslow and Efron agree without ties and differ with them', async () => {
    const distinct = survivalCase(100, 5, 1_000_000);
    distinct.time = Float64Array.from(distinct.time, (_, i) => i * 1.5 + 1);
    const b = await coxLoss(distinct.risk, distinct.time, distinct.event, { ties: 'breslow' });
    const e = await coxLoss(distinct.risk, distinct.time, distinct.event, { ties: 'efron' });
    expect(e.loss).toBeCloseTo(b.loss, 13);
    const tied = survivalCase(100, 5, 4);
    const bt = await coxLoss(tied.risk, tied.time, tied.event, { ties: 'breslow' });
    const et = await coxLoss(tied.risk, tied.time, tied.event, { ties: 'efron' });
    expect(bt.loss).toBeGreaterThan(et.loss); // Breslow's denominators are larger
  });

  it('a single event is log Σ_{t_j >= t_i} e^{η_j} − η_i', async () => {
    const risk = Float64Array.from([0.3, -1.2, 2.0, 0.7]);
    const time = Float64Array.from([5, 2, 9, 3]);
    const event = Uint8Array.from([0, 0, 0, 1]);
    const r = await coxLoss(risk, time, event);
    const expected = Math.log(Math.exp(0.3) + Math.exp(2.0) + Math.exp(0.7)) - 0.7;
    expect(r.loss).toBeCloseTo(expected, 14);
    expect(r.grad[1]).toBe(0); // left the risk set before the only event
  });

  it('is deterministic across thread counts', async () => {
    const { risk, time, event } = survivalCase(60_000, 6, 5000);
    setThreads(1);
    const one = await coxLoss(risk, time, event, { ties: 'efron' });
    setThreads(2);
    const two = await coxLoss(risk, time, event, { ties: 'efron' });
    expect(two.loss).toBe(one.loss);
    expect(Buffer.from(two.grad.buffer).equals(Buffer.from(one.grad.buffer))).toBe(true);
  });

  it('rejects all-censored data and bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const { risk, time, event } = survivalCase(10, 7, 5);
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(coxLoss(risk, time, new Uint8Array(10))).rejects.toThrow(/censored/);
    await bad(coxLoss(risk, time, new Uint8Array(10)));
    await bad(coxLoss(risk, time.subarray(1), event));
    await bad(coxLoss(risk, time, event.subarray(1)));
    await bad(coxLoss(new Float64Array(0), new Float64Array(0), new Uint8Array(0)));
    await bad(coxLoss(Array.from(risk) as unknown as Float64Array, time, event));
    await bad(coxLoss(risk, time, Float64Array.from(event) as unknown as Uint8Array));
    await bad(coxLoss(risk, time, event, { ties: 'exact' as 'efron' }));
    await bad(coxLoss(risk, time, event, {}, new Float32Array(10) as unknown as Float64Array));
    await bad(coxLoss(risk, time, Uint8Array.from(event, () => 2)));
    await bad(coxLoss(risk, time, event, {}, risk)); // gradOut must not alias an input
    const nan = Float64Array.from(risk);
    nan[2] = NaN;
    await expect(coxLoss(nan, time, event)).rejects.toThrow(/risk/);
    const inf = Float64Array.from(time);
    inf[0] = Infinity;
    await expect(coxLoss(risk, inf, event)).rejects.toThrow(/time/);
  });
});
