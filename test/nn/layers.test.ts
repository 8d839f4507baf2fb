import { afterEach, describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { grad, backward } from '../../lib/nn/autograd.js';
import { batchNorm } from '../../lib/nn/ops/batch_norm.js';
import { channelDropout, dropout } from '../../lib/nn/ops/dropout.js';
import { adaptiveAvgPool1, avgPool, maxPool, type PoolOptions } from '../../lib/nn/ops/pool.js';
import { upsampleNearest } from '../../lib/nn/ops/upsample.js';
import { Tensor } from '../../lib/nn/tensor.js';
import {
  referenceAvgPool, referenceBatchNormTrain, referenceMaxPool, referenceUpsampleNearest, type ReferencePool,
} from '../reference/nn/layers.js';
import { expectClose, expectFiniteDifferences, expectTensorClose, fixtureTensor, loadFixture, randomTensor } from './helpers.js';

afterEach(() => setThreads());

type UnaryOp = (x: Tensor) => Tensor;

function opFromFixture(params: Record<string, unknown>): UnaryOp {
  const pool = params as unknown as PoolOptions & { scale: number | number[] };
  switch (params.op) {
    case 'maxPool':
      return (x) => maxPool(x, pool);
    case 'avgPool':
      return (x) => avgPool(x, pool);
    case 'adaptiveAvgPool1':
      return adaptiveAvgPool1;
    case 'upsampleNearest':
      return (x) => upsampleNearest(x, pool.scale);
    default:
      throw new Error(`unknown op ${String(params.op)}`);
  }
}

/** ⟨y, r⟩ in float64: the scalar whose gradient is backward with gradOutput r. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('batch norm, pooling and up-sampling against PyTorch 1.13', () => {
  const cases = loadFixture('layers');

  for (const c of cases.filter((k) => k.params.op === 'batchNorm')) {
    it(`${c.name}: output, running statistics and gradients`, () => {
      const t = c.tensors;
      const x = fixtureTensor(t.x, true), w = fixtureTensor(t.weight, true), b = fixtureTensor(t.bias, true);
      const rm = fixtureTensor(t.running_mean), rv = fixtureTensor(t.running_var);
      const y = batchNorm(x, rm, rv, w, b, { training: c.params.training as boolean });
      expectTensorClose(y, t.y, 'y');
      expectTensorClose(rm, t.running_mean_after, 'running_mean');
      expectTensorClose(rv, t.running_var_after, 'running_var');
      backward(y, { gradOutput: fixtureTensor(t.r) });
      expectTensorClose(x.grad!, t.gx, 'gx');
      expectTensorClose(w.grad!, t.gw, 'gw');
      expectTensorClose(b.grad!, t.gb, 'gb');
    });
  }

  for (const c of cases.filter((k) => k.params.op !== 'batchNorm')) {
    it(`${c.name}: output, gradient and second-order gradient`, () => {
      const t = c.tensors;
      const op = opFromFixture(c.params);
      const x = fixtureTensor(t.x, true);
      const y = op(x);
      expectTensorClose(y, t.y, 'y');
      const r = fixtureTensor(t.r);
      // The gradient's own graph: gx = Pᵀ(g) with g a leaf, differentiated along v gives P(v).
      const g = new Tensor(r.data, r.shape, true);
      const [gx] = grad(y, [x], { gradOutput: g, createGraph: true });
      expectTensorClose(gx, t.gx, 'gx');
      const [pv] = grad(gx, [g], { gradOutput: fixtureTensor(t.v) });
      // PyTorch's ggx = ∂/∂x ⟨∂(Σ y²r)/∂x, v⟩ = Pᵀ(2r ⊙ P v) for these piecewise-linear ops.
      const weighted = Tensor.from(pv.data.map((value, i) => 2 * r.data[i] * value), pv.shape);
      const [ggx] = grad(op(x), [x], { gradOutput: weighted });
      expectTensorClose(ggx, t.ggx, 'ggx');
    });
  }
});

describe('against the float64 references on random input', () => {
  it('batch norm (training) output and gradients, and finite differences', () => {
    const shape = [4, 3, 7, 5];
    const x = randomTensor(shape, 1, { scale: 3, requiresGrad: true });
    const w = randomTensor([3], 2, { requiresGrad: true }), b = randomTensor([3], 3, { requiresGrad: true });
    const r = randomTensor(shape, 4);
    const y = batchNorm(x, null, null, w, b, { training: true });
    backward(y, { gradOutput: r });
    const ref = referenceBatchNormTrain(x.data, shape, w.data, b.data, r.data);
    expectClose(y.data, ref.y, 'y');
    expectClose(x.grad!.data, ref.gx, 'gx', { rtol: 1e-4, atol: 2e-5 });
    expectClose(w.grad!.data, ref.gw, 'gw');
    expectClose(b.grad!.data, ref.gb, 'gb');
    expectFiniteDifferences(
      ([xi, wi, bi]) => dot(batchNorm(xi, null, null, wi, bi, { training: true }).data, r.data),
      [x, w, b], [x.grad, w.grad, b.grad],
    );
  });

  const pools: [string, number[], ReferencePool][] = [
    ['2-D k3 s2 p1', [2, 3, 11, 9], { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }],
    ['3-D k(1,2,2)', [1, 2, 3, 8, 6], { kernel: [1, 2, 2], stride: [1, 2, 2], padding: [0, 0, 0] }],
    ['1-D k4 s3 p2', [3, 2, 17], { kernel: [4], stride: [3], padding: [2] }],
  ];
  for (const [name, shape, p] of pools) {
    it(`max and average pooling ${name}`, () => {
      const x = randomTensor(shape, 5);
      const options = { kernel: p.kernel, stride: p.stride, padding: p.padding };
      expectClose(maxPool(x, options).data, referenceMaxPool(x.data, shape, p).y, 'max');
      expectClose(avgPool(x, options).data, referenceAvgPool(x.data, shape, p), 'avg');
    });
  }

  // 2×2 (×2) stride-2 windows take a fast path; it must choose exactly as the generic walk:
  // ties go to the first element in input order, and a NaN wins its window.
  for (const shape of [[2, 3, 11, 9], [1, 2, 5, 6, 7]]) {
    it(`max pooling 2 on ${JSON.stringify(shape)}: values, ties and NaN as the reference`, () => {
      const dims = shape.length - 2;
      const p = { kernel: new Array(dims).fill(2), stride: new Array(dims).fill(2), padding: new Array(dims).fill(0) };
      const x = new Tensor(randomTensor(shape, 8).data.map((v) => Math.round(v * 1.5)), shape, true);
      x.data[5] = Number.NaN;
      const ref = referenceMaxPool(x.data, shape, p);
      const y = maxPool(x, { kernel: 2 });
      const nan = [...y.data].findIndex((v) => Number.isNaN(v));
      expect(nan, 'the window holding the NaN').toBeGreaterThanOrEqual(0);
      expectClose(y.data.map((v, i) => (i === nan ? ref.y[i] : v)), ref.y, 'max (NaN window aside)');
      const r = randomTensor([...y.shape], 9);
      backward(y, { gradOutput: r });
      const plane = x.size / (shape[0] * shape[1]), outPlane = y.size / (shape[0] * shape[1]);
      const expected = new Float64Array(x.size);
      ref.argmax.forEach((at, o) => (expected[Math.floor(o / outPlane) * plane + (o === nan ? 5 % plane : at)] += r.data[o]));
      expectClose(x.grad!.data, expected, 'gradient routed to the first maximum');
    });
  }

  it('nearest up-sampling by (2, 1, 3)', () => {
    const x = randomTensor([2, 2, 3, 4, 2], 6);
    expectClose(upsampleNearest(x, [2, 1, 3]).data, referenceUpsampleNearest(x.data, [2, 2, 3, 4, 2], [2, 1, 3]), 'upsample');
  });
});

describe('dropout', () => {
  const options = { training: true, seed: 42, step: 3, layer: 1 };

  it('drops a fraction p, scales the rest by 1/(1-p), and is a pure function of (seed, step, layer)', () => {
    const x = Tensor.full([200_000], 1);
    const p = 0.3;
    const y = dropout(x, p, options);
    const dropped = y.data.filter((v) => v === 0).length;
    const se = Math.sqrt((p * (1 - p)) / x.size);
    expect(Math.abs(dropped / x.size - p)).toBeLessThan(3 * se);
    expect(y.data.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6)).toBe(true);
    expect(dropout(x, p, options).data).toEqual(y.data);
    expect(dropout(x, p, { ...options, step: 4 }).data).not.toEqual(y.data);
    expect(dropout(x, p, { ...options, layer: 2 }).data).not.toEqual(y.data);
  });

  it('is the identity in eval mode and at p = 0, and zeros everything at p = 1', () => {
    const x = randomTensor([4, 5], 7);
    expect(dropout(x, 0.5, { ...options, training: false })).toBe(x);
    expect(dropout(x, 0, options)).toBe(x);
    expect(dropout(x, 1, options).data.every((v) => v === 0)).toBe(true);
  });

  it('channel dropout zeroes whole channels; the gradient is the same mask', () => {
    const x = randomTensor([8, 16, 5, 5], 8, { requiresGrad: true });
    const y = channelDropout(x, 0.5, options);
    const r = randomTensor([8, 16, 5, 5], 9);
    backward(y, { gradOutput: r });
    let zeroChannels = 0;
    for (let ch = 0; ch < 8 * 16; ch++) {
      const block = y.data.subarray(ch * 25, ch * 25 + 25);
      const kept = x.data.subarray(ch * 25, ch * 25 + 25);
      if (block.every((v) => v === 0)) {
        zeroChannels++;
        expect(x.grad!.data.subarray(ch * 25, ch * 25 + 25).every((v) => v === 0)).toBe(true);
      } else {
        expectClose(block, kept.map((v) => v * 2), 'kept channel');
        expectClose(x.grad!.data.subarray(ch * 25, ch * 25 + 25), r.data.subarray(ch * 25, ch * 25 + 25).map((v) => v * 2), 'gradient');
      }
    }
    expect(zeroChannels).toBeGreaterThan(30);
    expect(zeroChannels).toBeLessThan(98);
  });
});

describe('determinism and bad input', () => {
  it('gives identical bytes on 1 and 2 threads', () => {
    const run = () => {
      const x = randomTensor([8, 16, 32, 32], 10, { requiresGrad: true });
      const w = randomTensor([16], 11, { requiresGrad: true }), b = randomTensor([16], 12, { requiresGrad: true });
      const y = maxPool(batchNorm(x, null, null, w, b, { training: true }), { kernel: 2 });
      const z = dropout(upsampleNearest(avgPool(y, { kernel: 3, stride: 1, padding: 1 }), 2), 0.2, { training: true, seed: 1, step: 0, layer: 0 });
      backward(z, { gradOutput: randomTensor([...z.shape], 13) });
      return [z.data, x.grad!.data, w.grad!.data, b.grad!.data].map((a) => Buffer.from(a.buffer).toString('base64'));
    };
    setThreads(1);
    const one = run();
    setThreads(2);
    expect(run()).toEqual(one);
  });

  it('refuses mismatched shapes and impossible windows with messages that name them', () => {
    const x = randomTensor([2, 3, 4, 4], 14);
    expect(() => batchNorm(x, null, null, Tensor.zeros([4]), null, { training: true })).toThrow(/weight \[4\] does not match the input's 3 channels \(input \[2, 3, 4, 4\]\)/);
    expect(() => batchNorm(x, null, null, null, null, { training: false })).toThrow(/running statistics/);
    expect(() => maxPool(x, { kernel: 5 })).toThrow(/larger than the padded input/);
    expect(() => maxPool(x, { kernel: 2, padding: 2 })).toThrow(/at most half the kernel/);
    expect(() => maxPool(Tensor.zeros([3, 4]), { kernel: 2 })).toThrow(/\[N, C, \.\.\.\]/);
    expect(() => dropout(x, 1.5, { training: true, seed: 1, step: 0, layer: 0 })).toThrow(/p must be in \[0, 1\]/);
    expect(() => upsampleNearest(x, 0)).toThrow(/scale/);
  });

  it('batch norm keeps its precision on inputs far from zero (x ≈ 1000 ± 1)', () => {
    const shape = [4, 3, 6, 5];
    const x = new Tensor(randomTensor(shape, 19).data.map((v) => 1000 + v), shape, true);
    const w = randomTensor([3], 20, { requiresGrad: true }), b = randomTensor([3], 21, { requiresGrad: true });
    const r = randomTensor(shape, 22);
    const ref = referenceBatchNormTrain(x.data, shape, w.data, b.data, r.data);
    const y = batchNorm(x, null, null, w, b, { training: true });
    expectClose(y.data, ref.y, 'y', { rtol: 1e-4, atol: 1e-4 });
    backward(y, { gradOutput: r });
    expectClose(x.grad!.data, ref.gx, 'gx', { rtol: 1e-4, atol: 1e-4 });
    expectClose(w.grad!.data, ref.gw, 'gw', { rtol: 1e-4, atol: 1e-4 });
  });

  it('batch norm: the composed backward (createGraph) agrees with the fused kernel', () => {
    const x = randomTensor([4, 2, 3, 5], 15, { requiresGrad: true, scale: 2 });
    const w = randomTensor([2], 17, { requiresGrad: true }), b = randomTensor([2], 18, { requiresGrad: true });
    const r = randomTensor([4, 2, 3, 5], 16);
    for (const training of [true, false]) {
      const stats = () => [Tensor.from([0.3, -0.2], [2]), Tensor.from([1.5, 0.7], [2])];
      const [m1, v1] = stats(), [m2, v2] = stats();
      const fused = grad(batchNorm(x, m1, v1, w, b, { training }), [x, w, b], { gradOutput: r });
      const composed = grad(batchNorm(x, m2, v2, w, b, { training }), [x, w, b], { gradOutput: r, createGraph: true });
      fused.forEach((g, i) => expectClose(composed[i].data, g.data, `input ${i} (training ${training})`, { rtol: 1e-4, atol: 1e-5 }));
    }
  });
});
