import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { scoresFromCounts, segmentationMetrics } from '../lib/metric/index.js';
import { referenceConfusion } from './reference/metrics.js';

function randomCase(batch: number, size: number, seed: number) {
  const rng = new Rng(seed, 0, 0);
  const target = Uint8Array.from({ length: batch * size }, () => (rng.uniform() < 0.2 ? 1 : 0));
  // Probabilities correlated with the target, with some exactly at 0.5 (threshold ties).
  const prob = Float32Array.from(target, (t) => (rng.uniform() < 0.05 ? 0.5 : Math.min(1, Math.max(0, t * 0.6 + rng.range(-0.2, 0.5)))));
  return { target, prob };
}

describe('segmentation metrics', () => {
  afterEach(() => setThreads());

  it('match the reference counts and scores for every input type combination', async () => {
    const batch = 3;
    const size = 4000;
    const { target, prob } = randomCase(batch, size, 1);
    const predMask = Uint8Array.from(prob, (p) => (p >= 0.5 ? 7 : 0)); // nonzero = foreground
    const targetFloat = Float32Array.from(target, (t) => (t ? 0.8 : 0.1));
    for (const [pred, predIsMask] of [[prob, false], [predMask, true]] as const) {
      for (const [tgt, targetIsMask] of [[target, true], [targetFloat, false]] as const) {
        const ref = referenceConfusion(pred, tgt, batch, size, 0.5, predIsMask, targetIsMask);
        const r = await segmentationMetrics(pred, tgt, [batch, 1, 40, 100]);
        for (let b = 0; b < batch; b++) {
          expect({ tp: r.counts.tp[b], fp: r.counts.fp[b], fn: r.counts.fn[b], tn: r.counts.tn[b] }).toEqual(ref[b]);
          const s = scoresFromCounts(ref[b]);
          expect(r.perSample.dice[b]).toBe(s.dice);
          expect(r.perSample.iou[b]).toBe(s.iou);
          expect(r.perSample.sensitivity[b]).toBe(s.sensitivity);
          expect(r.perSample.specificity[b]).toBe(s.specificity);
        }
        const total = ref.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn, tn: a.tn + c.tn }));
        expect(r.pooled).toEqual(scoresFromCounts(total));
        expect(r.mean.dice).toBeCloseTo(ref.map((c) => scoresFromCounts(c).dice).reduce((a, v) => a + v) / batch, 14);
      }
    }
  });

  it('uses p >= threshold and handles empty masks', async () => {
    const pred = Float32Array.from([0.5, 0.49, 0.9, 0.1, 0, 0, 0, 0]);
    const target = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]);
    const r = await segmentationMetrics(pred, target, { batch: 2, size: 4 });
    expect([r.counts.tp[0], r.counts.fp[0], r.counts.fn[0], r.counts.tn[0]]).toEqual([1, 1, 1, 1]);
    expect(r.perSample.dice[0]).toBe(0.5);
    expect(r.perSample.iou[0]).toBeCloseTo(1 / 3, 15);
    // Sample 1: both empty: Dice = IoU = 1, sensitivity undefined (NaN), specificity 1.
    expect(r.perSample.dice[1]).toBe(1);
    expect(r.perSample.iou[1]).toBe(1);
    expect(r.perSample.sensitivity[1]).toBeNaN();
    expect(r.perSample.specificity[1]).toBe(1);
    expect(r.mean.sensitivity).toBe(0.5); // NaN skipped
    const strict = await segmentationMetrics(pred, target, [2, 4], { threshold: 0.95 });
    expect(strict.counts.tp[0]).toBe(0);
  });

  it('is deterministic across thread counts', async () => {
    const { target, prob } = randomCase(2, 150_000, 2);
    setThreads(1);
    const one = await segmentationMetrics(prob, target, [2, 150_000]);
    setThreads(2);
    const two = await segmentationMetrics(prob, target, [2, 150_000]);
    expect(two).toEqual(one);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const { target, prob } = randomCase(1, 10, 3);
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await bad(segmentationMetrics(prob, target, [1, 11]));
    await bad(segmentationMetrics(prob, target.subarray(2), [1, 10]));
    await bad(segmentationMetrics(Float64Array.from(prob) as unknown as Float32Array, target, [1, 10]));
    await bad(segmentationMetrics(prob, target, [1, 10], { threshold: NaN }));
    const nan = Float32Array.from(prob);
    nan[5] = NaN;
    await expect(segmentationMetrics(nan, target, [1, 10])).rejects.toThrow(/NaN/);
  });
});
