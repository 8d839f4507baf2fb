import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { concordanceIndex } from '../lib/metric/index.js';
import { referenceConcordanceFenwick, referenceConcordance } from './reference/metrics.js';

/** Rounded risks and times give many ties of both kinds. */
function survivalCase(n: number, seed: number, riskLevels: number, timeLevels: number) {
  const rng = new Rng(seed, 0, 0);
  const risk = Float64Array.from({ length: n }, () => rng.int(riskLevels) - riskLevels / 2);
  const time = Float64Array.from({ length: n }, () => 1 + rng.int(timeLevels));
  const event = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.6 ? 1 : 0));
  return { risk, time, event };
}

const counts = (c: { concordant: number; discordant: number; tiedRisk: number; comparable: number }) => ({
  concordant: c.concordant,
  discordant: c.discordant,
  tiedRisk: c.tiedRisk,
  comparable: c.comparable,
});

describe("Harrell's C-index", () => {
  afterEach(() => setThreads());

  it('matches the O(n²) pair count on random data with tied times and risks', async () => {
    for (const [n, riskLevels, timeLevels, seed] of [
      [300, 10, 15, 1],
      [300, 1_000_000, 1_000_000, 2],
      [250, 3, 2, 3],
      [2500, 40, 60, 4], // long enough for the radix-sort path
    ]) {
      const { risk, time, event } = survivalCase(n, seed, riskLevels, timeLevels);
      const ref = referenceConcordance(risk, time, event);
      const r = await concordanceIndex(risk, time, event);
      expect(counts(r)).toEqual(counts(ref));
      expect(r.cIndex).toBeCloseTo(ref.cIndex, 14);
      const r32 = await concordanceIndex(Float32Array.from(risk), Float32Array.from(time), event);
      expect(counts(r32)).toEqual(counts(ref));
      expect(counts(referenceConcordanceFenwick(risk, time, event))).toEqual(counts(ref));
    }
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, ½ for constant risk', async () => {
    const time = Float64Array.from({ length: 50 }, (_, i) => i + 1);
    const event = Uint8Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    expect((await concordanceIndex(time.map((t) => -t), time, event)).cIndex).toBe(1);
    expect((await concordanceIndex(time.map((t) => t), time, event)).cIndex).toBe(0);
    const flat = await concordanceIndex(new Float64Array(50), time, event);
    expect(flat.cIndex).toBe(0.5);
    expect(flat.tiedRisk).toBe(flat.comparable);
  });

  it('applies the tied-time rules', async () => {
    // t = 2 twice with one event: comparable, the event (risk 3) should be higher: concordant.
    // t = 5 twice, both events: not comparable. t = 7 twice, both censored: not comparable.
    const time = Float64Array.from([2, 2, 5, 5, 7, 7]);
    const event = Uint8Array.from([1, 0, 1, 1, 0, 0]);
    const risk = Float64Array.from([3, 1, 0, 0, -1, -1]);
    const r = await concordanceIndex(risk, time, event);
    expect(counts(r)).toEqual(counts(referenceConcordance(risk, time, event)));
    // Pairs: subject 0 vs 1..5 (5, all concordant), subjects 2, 3 vs 4, 5 (4, concordant).
    expect(counts(r)).toEqual({ concordant: 9, discordant: 0, tiedRisk: 0, comparable: 9 });
    // −0 and +0 are one tied risk; a single comparable pair is enough.
    const z = await concordanceIndex(Float64Array.from([-0, 0]), Float64Array.from([1, 2]), Uint8Array.from([1, 0]));
    expect(z.tiedRisk).toBe(1);
    expect(z.cIndex).toBe(0.5);
  });

  it('matches the plain TS Fenwick version at larger n and is deterministic across threads', async () => {
    const rng = new Rng(9, 0, 0);
    const n = 40_000;
    const risk = Float32Array.from({ length: n }, () => rng.normal());
    const time = Float64Array.from({ length: n }, () => Math.round(rng.uniform() * 2000) / 10);
    const event = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
    setThreads(1);
    const one = await concordanceIndex(risk, time, event);
    setThreads(2);
    const two = await concordanceIndex(risk, time, event);
    expect(two).toEqual(one);
    expect(counts(one)).toEqual(counts(referenceConcordanceFenwick(risk, time, event)));
  });

  it('rejects undefined cases and bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const risk = Float64Array.from([1, 2, 3]);
    const time = Float64Array.from([1, 2, 3]);
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(concordanceIndex(risk, time, new Uint8Array(3))).rejects.toThrow(/comparable/);
    await bad(concordanceIndex(risk, time, Uint8Array.from([0, 0, 1]))); // last event: nothing later
    await bad(concordanceIndex(risk, Float64Array.from([4, 4, 4]), Uint8Array.from([1, 1, 1])));
    await bad(concordanceIndex(risk, time.subarray(1), Uint8Array.from([1, 1, 1])));
    await bad(concordanceIndex(risk, time, Uint8Array.from([1, 5, 1])));
    await bad(concordanceIndex(Float64Array.from([1, NaN, 3]), time, Uint8Array.from([1, 1, 1])));
    await bad(concordanceIndex(risk, Float64Array.from([1, 2, -Infinity]), Uint8Array.from([1, 1, 1])));
    await bad(concordanceIndex(Int32Array.from([1, 2, 3]) as unknown as Float64Array, time, Uint8Array.from([1, 1, 1])));
    await bad(concordanceIndex(new Float64Array(0), new Float64Array(0), new Uint8Array(0)));
  });
});
