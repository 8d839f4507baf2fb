import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { binaryCrossEntropyLoss, softDiceLoss } from '../lib/loss/index.js';
import { type ReferenceBatchLoss, referenceBce, referenceSoftDice } from './reference/losses.js';

type Ref = (pred: ArrayLike<number>, target: ArrayLike<number>, batch: number, size: number) => ReferenceBatchLoss;

function randomCase(batch: number, size: number, seed: number, logits: boolean) {
  const rng = new Rng(seed, 0, 0);
  const pred = Float32Array.from({ length: batch * size }, () => (logits ? rng.range(-6, 6) : rng.range(0.01, 0.99)));
  const mask = Uint8Array.from({ length: batch * size }, () => (rng.uniform() < 0.25 ? 1 : 0));
  const soft = Float32Array.from(mask, (m) => (m ? rng.range(0.7, 1) : rng.range(0, 0.2)));
  return { pred, mask, soft };
}

function finiteDifference(ref: Ref, pred: Float64Array, target: ArrayLike<number>, batch: number, size: number) {
  const h = 1e-6;
  return Float64Array.from(pred, (x, i) => {
    pred[i] = x + h;
    const up = ref(pred, target, batch, size).loss;
    pred[i] = x - h;
    const down = ref(pred, target, batch, size).loss;
    pred[i] = x;
    return (up - down) / (2 * h);
  });
}

/** |a − e| <= rel·|e| + max(abs, rel·1e-2·max|e|) elementwise. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs = 0) {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + Math.max(abs, rel * 1e-2 * scale);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const kernels = [
  {
    name: 'soft Dice',
    fn: softDiceLoss,
    ref: (fromLogits: boolean, smooth = 1): Ref => (p, t, b, s) => referenceSoftDice(p, t, b, s, { smooth, fromLogits }),
  },
  {
    name: 'binary cross-entropy',
    fn: binaryCrossEntropyLoss,
    ref: (fromLogits: boolean): Ref => (p, t, b, s) => referenceBce(p, t, b, s, { fromLogits }),
  },
] as const;

describe.each(kernels)('$name', ({ fn, ref }) => {
  afterEach(() => setThreads());

  for (const fromLogits of [false, true]) {
    it(`reference gradient matches central differences (fromLogits ${fromLogits})`, () => {
      const { pred, soft } = randomCase(2, 30, 21, fromLogits);
      const p64 = Float64Array.from(pred);
      const r = ref(fromLogits)(p64, soft, 2, 30);
      // Central differences of an O(1) loss carry ~1e-10 of absolute rounding noise.
      expectClose(r.grad, finiteDifference(ref(fromLogits), p64, soft, 2, 30), 1e-6, 1e-9);
    });

    it(`native matches the reference on random input (fromLogits ${fromLogits})`, async () => {
      const { pred, mask, soft } = randomCase(3, 5000, 4, fromLogits);
      for (const target of [mask, soft]) {
        const expected = ref(fromLogits)(pred, target, 3, 5000);
        const r = await fn(pred, target, { batch: 3, size: 5000 }, { fromLogits });
        expect(r.loss).toBeCloseTo(expected.loss, 6);
        expectClose(r.perSample, expected.perSample, 1e-6);
        expectClose(r.grad, expected.grad, 1e-4);
      }
    });
  }

  it('is deterministic across thread counts', async () => {
    const { pred, soft } = randomCase(2, 100_000, 8, true);
    setThreads(1);
    const one = await fn(pred, soft, [2, 100_000], { fromLogits: true });
    setThreads(2);
    const two = await fn(pred, soft, [2, 100_000], { fromLogits: true });
    expect(two.loss).toBe(one.loss);
    expect(Buffer.from(two.grad.buffer).equals(Buffer.from(one.grad.buffer))).toBe(true);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const { pred, mask } = randomCase(1, 8, 2, false);
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await bad(fn(pred, mask, [1, 9]));
    await bad(fn(pred, mask, [1, 8], { fromLogits: 'yes' as unknown as boolean }));
    const nan = Float32Array.from(pred);
    nan[3] = NaN;
    await bad(fn(nan, mask, [1, 8]));
    await bad(fn(nan, mask, [1, 8], { fromLogits: true }));
    const out = Float32Array.from(pred);
    out[0] = -0.5;
    await bad(fn(out, mask, [1, 8]));
    await bad(fn(pred, Uint8Array.from(mask, () => 3), [1, 8]));
  });
});

describe('binary cross-entropy special cases', () => {
  it('is stable for large logits', async () => {
    const pred = Float32Array.from([80, -80, 30, -30]);
    const target = Uint8Array.from([1, 0, 0, 1]);
    const r = await binaryCrossEntropyLoss(pred, target, [1, 4], { fromLogits: true });
    // Two confident hits (≈ 0) and two confident misses costing 30 each.
    expect(r.loss).toBeCloseTo(60 / 4, 10);
    expect([...r.grad].map((g) => g * 4)).toEqual([0, 0, 1, -1].map((v) => expect.closeTo(v, 6)));
  });

  it('clamps log(0) at -100 like PyTorch', async () => {
    const r = await binaryCrossEntropyLoss(Float32Array.from([0, 1]), Uint8Array.from([1, 0]), [1, 2]);
    expect(r.loss).toBeCloseTo(100, 10);
    expect(r.grad.every(Number.isFinite)).toBe(true);
  });
});

describe('soft Dice special cases', () => {
  it('is 0 for a perfect binary prediction without smoothing, and empty-vs-empty is perfect', async () => {
    const mask = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0]);
    const r = await softDiceLoss(Float32Array.from(mask), mask, [2, 4], { smooth: 0 });
    expect([...r.perSample]).toEqual([0, 0]);
    expect(r.grad.slice(4).every((g) => g === 0)).toBe(true);
  });
});
