import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { focalTverskyLoss, softDiceLoss } from '../lib/loss/index.js';
import { type ReferenceTverskyOptions, referenceFocalTversky } from './reference/losses.js';

const defaults: ReferenceTverskyOptions = { weightFN: 0.7, weightFP: 0.3, gamma: 0.75, smooth: 1, fromLogits: false };

function randomCase(batch: number, size: number, seed: number, logits = false) {
  const rng = new Rng(seed, 0, 0);
  const pred = Float32Array.from({ length: batch * size }, () => (logits ? rng.range(-4, 4) : rng.range(0.02, 0.98)));
  const mask = Uint8Array.from({ length: batch * size }, () => (rng.uniform() < 0.3 ? 1 : 0));
  const soft = Float32Array.from(mask, (m) => (m ? 0.9 : 0.05));
  return { pred, mask, soft };
}

/** Central differences of the float64 reference loss. */
function finiteDifference(pred: Float64Array, target: ArrayLike<number>, batch: number, size: number, o: ReferenceTverskyOptions) {
  const h = 1e-6;
  const grad = new Float64Array(pred.length);
  for (let i = 0; i < pred.length; i++) {
    const x = pred[i];
    pred[i] = x + h;
    const up = referenceFocalTversky(pred, target, batch, size, o).loss;
    pred[i] = x - h;
    const down = referenceFocalTversky(pred, target, batch, size, o).loss;
    pred[i] = x;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** |a − e| <= rel·|e| + max(abs, rel·1e-2·max|e|) elementwise. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs = 0) {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + Math.max(abs, rel * 1e-2 * scale);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
    }
  }
}

describe('focal Tversky loss', () => {
  afterEach(() => setThreads());

  for (const [label, o] of [
    ['probabilities, defaults', defaults],
    ['probabilities, gamma 2', { ...defaults, gamma: 2, weightFN: 0.4, weightFP: 0.9 }],
    ['logits, gamma 0.75', { ...defaults, fromLogits: true }],
    ['logits, gamma 1, no smoothing', { ...defaults, fromLogits: true, gamma: 1, smooth: 0 }],
  ] as const) {
    it(`reference gradient matches central differences (${label})`, () => {
      const { pred, soft } = randomCase(3, 24, 11, o.fromLogits);
      const p64 = Float64Array.from(pred);
      const ref = referenceFocalTversky(p64, soft, 3, 24, o);
      // Central differences of an O(1) loss carry ~1e-10 of absolute rounding noise.
      expectClose(ref.grad, finiteDifference(p64, soft, 3, 24, o), 1e-6, 1e-9);
    });

    it(`native loss, per-sample values and gradient match the reference (${label})`, async () => {
      const batch = 4;
      const size = 3000;
      const { pred, mask, soft } = randomCase(batch, size, 7, o.fromLogits);
      for (const target of [mask, soft]) {
        const ref = referenceFocalTversky(pred, target, batch, size, o);
        const r = await focalTverskyLoss(pred, target, [batch, 1, 30, 100], o);
        expect(r.loss).toBeCloseTo(ref.loss, 6);
        expectClose(r.perSample, ref.perSample, 1e-6);
        expectClose(r.grad, ref.grad, 1e-4);
      }
    });
  }

  it('a perfect prediction has loss 0 and a zero, finite gradient for gamma < 1', async () => {
    const { mask } = randomCase(2, 500, 3);
    const pred = Float32Array.from(mask);
    for (const gamma of [0.5, 0.75, 1, 2]) {
      const r = await focalTverskyLoss(pred, mask, { batch: 2, size: 500 }, { gamma });
      expect(r.loss).toBe(0);
      expect([...r.perSample]).toEqual([0, 0]);
      expect(r.grad.every((g) => g === 0)).toBe(true);
    }
    // Almost perfect: 1 − TI is tiny, (1 − TI)^(γ−1) is large but the gradient stays finite.
    pred[0] = mask[0] ? 0.9999999 : 1e-7;
    const near = await focalTverskyLoss(pred, mask, { batch: 2, size: 500 }, { gamma: 0.5 });
    expect(near.grad.every(Number.isFinite)).toBe(true);
    expect(near.loss).toBeGreaterThan(0);
  });

  it('empty prediction of an empty mask with smooth 0 is a perfect sample', async () => {
    const r = await focalTverskyLoss(new Float32Array(10), new Uint8Array(10), [1, 10], { smooth: 0 });
    expect(r.loss).toBe(0);
    expect(r.grad.every((g) => g === 0)).toBe(true);
  });

  it('weightFN = weightFP = 0.5 with gamma 1 is the soft Dice loss with twice the smoothing', async () => {
    const { pred, mask } = randomCase(3, 1000, 5);
    const ft = await focalTverskyLoss(pred, mask, [3, 1000], { weightFN: 0.5, weightFP: 0.5, gamma: 1, smooth: 1 });
    const dice = await softDiceLoss(pred, mask, [3, 1000], { smooth: 2 });
    expect(ft.loss).toBeCloseTo(dice.loss, 12);
    expectClose(ft.grad, dice.grad, 1e-5);
  });

  it('weighs false negatives by weightFN: missing foreground costs more than a false alarm', async () => {
    const target = Uint8Array.from([1, 1, 0, 0]);
    const missed = await focalTverskyLoss(Float32Array.from([0, 1, 0, 0]), target, [1, 4], { gamma: 1, smooth: 0 });
    const falseAlarm = await focalTverskyLoss(Float32Array.from([1, 1, 1, 0]), target, [1, 4], { gamma: 1, smooth: 0 });
    // TP = 1, FN = 1: TI = 1/1.7; TP = 2, FP = 1: TI = 2/2.3.
    expect(missed.loss).toBeCloseTo(1 - 1 / 1.7, 12);
    expect(falseAlarm.loss).toBeCloseTo(1 - 2 / 2.3, 12);
  });

  it('reuses gradOut and is deterministic across thread counts', async () => {
    const batch = 3;
    const size = 70_001; // several chunks per sample
    const { pred, soft } = randomCase(batch, size, 9, true);
    const gradOut = new Float32Array(batch * size);
    setThreads(1);
    const one = await focalTverskyLoss(pred, soft, [batch, size], { fromLogits: true }, gradOut);
    expect(one.grad).toBe(gradOut);
    const oneGrad = Float32Array.from(one.grad);
    setThreads(2);
    const two = await focalTverskyLoss(pred, soft, [batch, size], { fromLogits: true });
    expect(two.loss).toBe(one.loss);
    expect([...two.perSample]).toEqual([...one.perSample]);
    expect(Buffer.from(two.grad.buffer).equals(Buffer.from(oneGrad.buffer))).toBe(true);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const { pred, mask } = randomCase(2, 10, 1);
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await bad(focalTverskyLoss(pred, mask, [2, 11]));
    await bad(focalTverskyLoss(pred, mask.subarray(1), [2, 10]));
    await bad(focalTverskyLoss(Float64Array.from(pred) as unknown as Float32Array, mask, [2, 10]));
    await bad(focalTverskyLoss(pred, Array.from(mask) as unknown as Uint8Array, [2, 10]));
    await bad(focalTverskyLoss(pred, mask, { batch: 0, size: 20 }));
    await bad(focalTverskyLoss(pred, mask, { batch: 2, size: -10 }));
    await bad(focalTverskyLoss(pred, mask, [2, 10], { gamma: 0 }));
    await bad(focalTverskyLoss(pred, mask, [2, 10], { weightFN: -1 }));
    await bad(focalTverskyLoss(pred, mask, [2, 10], { smooth: NaN }));
    await bad(focalTverskyLoss(pred, mask, [2, 10], {}, new Float32Array(3)));
    await bad(focalTverskyLoss(pred, mask, [2, 10], {}, pred)); // gradOut must not alias pred
        const nan = Float32Array.from(pred);
    nan[13] = NaN;
    await expect(focalTverskyLoss(nan, mask, [2, 10])).rejects.toThrow(/pred/);
    await expect(focalTverskyLoss(nan, mask, [2, 10], { fromLogits: true })).rejects.toThrow(/logits/);
    const big = Float32Array.from(pred);
    big[4] = 1.5;
    await bad(focalTverskyLoss(big, mask, [2, 10]));
    const inf = Float32Array.from(pred);
    inf[4] = Infinity;
    await bad(focalTverskyLoss(inf, mask, [2, 10], { fromLogits: true }));
    const two = Uint8Array.from(mask);
    two[7] = 2;
    await expect(focalTverskyLoss(pred, two, [2, 10])).rejects.toThrow(/target/);
    const softBad = Float32Array.from(mask);
    softBad[0] = -0.1;
    await bad(focalTverskyLoss(pred, softBad, [2, 10]));
  });
});
