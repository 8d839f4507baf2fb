import { binding } from '../../lib/binding.js';
import { afterEach, describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { MedsynthError } from '../../lib/errors.js';
import { grad } from '../../lib/nn/autograd.js';
import { biasGrad, conv, convInputGrad, convTranspose, convWeightGrad, type ConvOptions } from '../../lib/nn/ops/conv.js';
import { gemmIsa, setGemmIsa } from '../../lib/nn/ops/linear.js';
import { mul, square } from '../../lib/nn/ops/pointwise.js';
import { sum } from '../../lib/nn/ops/reduce.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { referenceChannelSum, referenceConvBackwardInput, referenceConvBackwardWeight, referenceConvForward, referenceConvOutputSize, type RefConvParams } from '../reference/nn/conv.js';
import { expectClose, expectFiniteDifferences, expectTensorClose, fixtureTensor, loadFixture, randomTensor } from './helpers.js';

// Σ t² and Σ t·r (r constant) from the op library, so every backward here is differentiable.
const sumSquares = (t: Tensor) => sum(square(t));
const dot = (t: Tensor, r: Tensor) => sum(mul(t, r));

function opOptions(params: Record<string, unknown>): ConvOptions & { outputPadding?: number | number[] } {
  return params as ConvOptions & { outputPadding?: number | number[] };
}

describe('conv / convTranspose against PyTorch 1.13', () => {
  for (const c of loadFixture('conv').filter((c) => c.params.op === 'conv' || c.params.op === 'convTranspose')) {
    it(c.name, () => {
      const x = fixtureTensor(c.tensors.x, true);
      const w = fixtureTensor(c.tensors.w, true);
      const b = c.tensors.b ? fixtureTensor(c.tensors.b, true) : null;
      const y = c.params.op === 'conv' ? conv(x, w, b, opOptions(c.params)) : convTranspose(x, w, b, opOptions(c.params));
      expectTensorClose(y, c.tensors.y, `${c.name} y`);
      const inputs = b ? [x, w, b] : [x, w];
      const grads = grad(y, inputs, { gradOutput: fixtureTensor(c.tensors.gy) });
      expectTensorClose(grads[0], c.tensors.gx, `${c.name} gx`);
      expectTensorClose(grads[1], c.tensors.gw, `${c.name} gw`);
      if (b) expectTensorClose(grads[2], c.tensors.gb, `${c.name} gb`);
    });
  }

  it('double backward: the gradient of ‖∂ sum(conv(x)²)/∂x‖² (a gradient penalty)', () => {
    const c = loadFixture('conv').find((c) => c.params.op === 'doubleBackward')!;
    const x = fixtureTensor(c.tensors.x, true);
    const w = fixtureTensor(c.tensors.w, true);
    const b = fixtureTensor(c.tensors.b, true);
    const y = conv(x, w, b, opOptions(c.params));
    const [gx] = grad(sumSquares(y), [x], { createGraph: true });
    expect(gx.requiresGrad).toBe(true);
    expectTensorClose(gx, c.tensors.inner_gx, 'inner gx');
    const penalty = sumSquares(gx);
    expectClose([penalty.item()], c.tensors.penalty.data, 'penalty');
    const [ggx, ggw, ggb] = grad(penalty, [x, w, b]);
    // Some elements cancel to ~1e-4 of the tensor's scale, so the absolute tolerance follows the
    // scale (1e-6 of the largest element); the fixture is computed in float64.
    const scaled = (t: { data: number[] }) => ({ atol: 1e-6 * Math.max(...t.data.map(Math.abs)) });
    expectTensorClose(ggx, c.tensors.gx, 'd penalty / dx', scaled(c.tensors.gx));
    expectTensorClose(ggw, c.tensors.gw, 'd penalty / dw', scaled(c.tensors.gw));
    expectTensorClose(ggb, c.tensors.gb, 'd penalty / db', scaled(c.tensors.gb));
  });
});

interface Geometry {
  name: string;
  x: number[];
  w: number[];
  p: RefConvParams;
}

const geometries: Geometry[] = [
  { name: '1-D k5 s3 p2 d1', x: [2, 5, 23], w: [6, 5, 5], p: { stride: [3], padding: [2], dilation: [1] } },
  { name: '2-D k3 p1 (stride-1 input gradient as a conv)', x: [2, 19, 15, 13], w: [37, 19, 3, 3], p: { stride: [1, 1], padding: [1, 1], dilation: [1, 1] } },
  { name: '2-D k3 p3 (padding beyond dil·(k−1): scattered input gradient)', x: [1, 4, 9, 9], w: [5, 4, 3, 3], p: { stride: [1, 1], padding: [3, 3], dilation: [1, 1] } },
  { name: '2-D k(3,4) s(2,1) p(1,2) d(1,2)', x: [2, 3, 17, 14], w: [9, 3, 3, 4], p: { stride: [2, 1], padding: [1, 2], dilation: [1, 2] } },
  { name: '2-D 1×1 (no im2col offsets)', x: [3, 17, 7, 9], w: [50, 17, 1, 1], p: { stride: [1, 1], padding: [0, 0], dilation: [1, 1] } },
  { name: '2-D k4 s2 p1 (phases: a stride-1 conv over space-to-depth)', x: [2, 5, 13, 12], w: [7, 5, 4, 4], p: { stride: [2, 2], padding: [1, 1], dilation: [1, 1] } },
  { name: '3-D k(4,4,3) s(2,2,1) p(1,2,0) (phases on two axes)', x: [2, 3, 8, 9, 6], w: [4, 3, 4, 4, 3], p: { stride: [2, 2, 1], padding: [1, 2, 0], dilation: [1, 1, 1] } },
  { name: '3-D k3 s2 p1', x: [2, 3, 7, 8, 6], w: [4, 3, 3, 3, 3], p: { stride: [2, 2, 2], padding: [1, 1, 1], dilation: [1, 1, 1] } },
  { name: '3-D k2 s2 (U-Net down/up sampling)', x: [1, 6, 4, 6, 8], w: [5, 6, 2, 2, 2], p: { stride: [2, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1] } },
  { name: '2-D long reduction (weight gradient in fixed chunks)', x: [2, 3, 70, 70], w: [4, 3, 3, 3], p: { stride: [1, 1], padding: [1, 1], dilation: [1, 1] } },
];

describe('conv kernels against the float64 reference', () => {
  for (const g of geometries) {
    it(g.name, () => {
      const x = randomTensor(g.x, 1);
      const w = randomTensor(g.w, 2, { scale: 0.3 });
      const b = randomTensor([g.w[0]], 3);
      const y = conv(x, w, b, g.p);
      const outShape = [g.x[0], g.w[0], ...referenceConvOutputSize(g.x, g.w, g.p)];
      expect([...y.shape]).toEqual(outShape);
      expectClose(y.data, referenceConvForward(x.data, g.x, w.data, g.w, b.data, g.p), 'y', { atol: 1e-4 });
      const gy = randomTensor(outShape, 4);
      expectClose(convInputGrad(gy, w, g.x, g.p).data, referenceConvBackwardInput(gy.data, w.data, g.w, g.x, g.p), 'gx', { atol: 1e-4 });
      expectClose(convWeightGrad(x, gy, g.w, g.p).data, referenceConvBackwardWeight(x.data, g.x, gy.data, g.w, g.p), 'gw', { atol: 2e-4 });
      expectClose(biasGrad(gy).data, referenceChannelSum(gy.data, outShape), 'gb', { atol: 1e-4 });
    });
  }

  it('input gradient with stride 2 over column ranges that split a sample (bounded column memory)', () => {
    // 3 samples × 12³ positions × 1728 column rows exceed the 2^22-float column buffer, so the
    // column gradients come in three ranges, their boundaries inside samples.
    const p = { stride: [2, 2, 2], padding: [1, 1, 1], dilation: [1, 1, 1] };
    const xShape = [3, 64, 24, 24, 24];
    const w = randomTensor([2, 64, 3, 3, 3], 5, { scale: 0.2 });
    const gy = randomTensor([3, 2, 12, 12, 12], 6);
    expectClose(convInputGrad(gy, w, xShape, p).data, referenceConvBackwardInput(gy.data, w.data, [2, 64, 3, 3, 3], xShape, p), 'gx', { atol: 1e-4 });
  });
});

describe('conv gradients against central differences', () => {
  const cases: { name: string; run: (x: Tensor, w: Tensor, b: Tensor) => Tensor; x: number[]; w: number[] }[] = [
    { name: 'conv2d s2 p1', run: (x, w, b) => conv(x, w, b, { stride: 2, padding: 1 }), x: [2, 3, 7, 6], w: [4, 3, 3, 3] },
    { name: 'convTranspose2d s2 p1 op1', run: (x, w, b) => convTranspose(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), x: [2, 3, 4, 3], w: [3, 2, 3, 3] },
    { name: 'conv1d d2', run: (x, w, b) => conv(x, w, b, { dilation: 2, padding: 1 }), x: [2, 2, 9], w: [3, 2, 3] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const x = randomTensor(c.x, 11, { requiresGrad: true });
      const w = randomTensor(c.w, 12, { scale: 0.4, requiresGrad: true });
      const bias = c.name.startsWith('convTranspose') ? c.w[1] : c.w[0];
      const b = randomTensor([bias], 13, { requiresGrad: true });
      const r = randomTensor([...c.run(x, w, b).shape], 14);
      const f = ([xi, wi, bi]: Tensor[]) => dot(c.run(xi, wi, bi), r).item();
      const analytic = grad(dot(c.run(x, w, b), r), [x, w, b]);
      expectFiniteDifferences(f, [x, w, b], analytic);
    });
  }

  it('the gradient of a gradient (x ↦ ‖∂<conv(x, w), r>/∂w‖²) matches central differences', () => {
    const x = randomTensor([1, 2, 6, 5], 21, { requiresGrad: true });
    const w = randomTensor([3, 2, 3, 3], 22, { scale: 0.4, requiresGrad: true });
    const r = randomTensor([1, 3, 6, 5], 23);
    const penalty = (xi: Tensor, wi: Tensor) => {
      const [gw] = grad(dot(conv(xi, wi, null, { padding: 1 }), r), [wi], { createGraph: true });
      return sumSquares(gw);
    };
    const [gx] = grad(penalty(x, w), [x]);
    expectFiniteDifferences(([xi]) => penalty(xi, w).item(), [x], [gx]);
  });
});

describe('conv determinism', () => {
  afterEach(() => setThreads());

  it('every GEMM kernel set agrees with the reference; the FMA ones (AVX-512, AVX2) to the bit', () => {
    const best = gemmIsa() as 'avx512' | 'avx2' | 'scalar';
    const x = randomTensor([2, 5, 11, 9], 41);
    const w = randomTensor([7, 5, 3, 3], 42, { scale: 0.3 });
    const gy = randomTensor([2, 7, 11, 9], 43);
    const p = { stride: [1, 1], padding: [1, 1], dilation: [1, 1] };
    const results = new Map<string, string>();
    try {
      for (const isa of ['avx512', 'avx2', 'scalar'] as const) {
        if (!setGemmIsa(isa)) continue;
        const y = conv(x, w, null, p);
        const gx = convInputGrad(gy, w, x.shape, p);
        const gw = convWeightGrad(x, gy, w.shape, p);
        expectClose(y.data, referenceConvForward(x.data, x.shape as number[], w.data, w.shape as number[], null, p), `${isa} y`, { atol: 1e-4 });
        expectClose(gx.data, referenceConvBackwardInput(gy.data, w.data, w.shape as number[], x.shape as number[], p), `${isa} gx`, { atol: 1e-4 });
        expectClose(gw.data, referenceConvBackwardWeight(x.data, x.shape as number[], gy.data, w.shape as number[], p), `${isa} gw`, { atol: 1e-4 });
        results.set(isa, [y, gx, gw].map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')).join());
      }
    } finally {
      setGemmIsa(best);
    }
    if (results.has('avx512') && results.has('avx2')) expect(results.get('avx2')).toBe(results.get('avx512'));
  });

  it('gives the same bytes on 1 and 2 threads (forward, input and weight gradients, both input-gradient paths)', () => {
    const run = (threads: number) => {
      setThreads(threads);
      const x = randomTensor([4, 16, 40, 36], 31);
      const w = randomTensor([24, 16, 3, 3], 32, { scale: 0.2 });
      const b = randomTensor([24], 33);
      const out: Float32Array[] = [];
      for (const p of [{ padding: 1 }, { stride: 2, padding: 1 }]) {
        const y = conv(x, w, b, p);
        out.push(y.data, convInputGrad(y, w, x.shape, p).data, convWeightGrad(x, y, w.shape, p).data, biasGrad(y).data);
      }
      const up = convTranspose(x, randomTensor([16, 8, 2, 2], 34), null, { stride: 2 });
      out.push(up.data);
      return out.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'));
    };
    expect(run(2)).toEqual(run(1));
  });
});

describe('conv bad input', () => {
  it('names both shapes when input and weight disagree', () => {
    const x = Tensor.zeros([1, 3, 8, 8]);
    const w = Tensor.zeros([4, 2, 3, 3]);
    expect(() => conv(x, w, null)).toThrow(/conv2d: input \[1, 3, 8, 8\] does not match weight \[4, 2, 3, 3\]/);
    expect(() => conv(Tensor.zeros([1, 2, 8]), w, null)).toThrow(MedsynthError);
    expect(() => convTranspose(x, w, null)).toThrow(/convTranspose2d: input \[1, 3, 8, 8\] does not match weight \[4, 2, 3, 3\]/);
  });

  it('rejects a kernel larger than the padded input, bad options, bias and output padding', () => {
    const w = Tensor.zeros([4, 3, 5, 5]);
    expect(() => conv(Tensor.zeros([1, 3, 3, 3]), w, null)).toThrow(/smaller than the dilated kernel/);
    expect(() => conv(Tensor.zeros([1, 3, 8, 8]), w, null, { stride: 0 })).toThrow(/stride/);
    expect(() => conv(Tensor.zeros([1, 3, 8, 8]), w, null, { padding: [1, 2, 3] })).toThrow(/padding/);
    expect(() => conv(Tensor.zeros([1, 3, 8, 8]), w, Tensor.zeros([3]))).toThrow(/bias \[3\] does not match weight \[4, 3, 5, 5\]/);
    expect(() => convTranspose(Tensor.zeros([1, 4, 3, 3]), w, null, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding/);
    expect(() => conv(Tensor.zeros([1, 3, 8, 8, 8, 8]), Tensor.zeros([4, 3, 1, 1, 1, 1]), null)).toThrow(/3 to 5 axes/);
  });

  it('the binding re-checks lengths and geometry', () => {
    const native = binding();
    const geometry = Int32Array.from([2, 1, 3, 4, 8, 8, 6, 6, 3, 3, 1, 1, 0, 0, 1, 1]);
    const call = (x: number, geo = geometry) => () => native.nnConvForward(new Float32Array(x), new Float32Array(108), null, new Float32Array(144), geo);
    expect(call(192)).not.toThrow();
    expect(call(191)).toThrow(/x has 191 elements but the shape needs 192/);
    const wrongOut = geometry.slice();
    wrongOut[6] = 7;
    expect(call(192, wrongOut)).toThrow(/output size does not match/);
    expect(() => native.nnConvForward(new Float32Array(192), new Float32Array(108), new Float32Array(3), new Float32Array(144), geometry)).toThrow(/b has 3 elements/);
    expect(() => native.nnConvBackwardWeight(new Float32Array(192), new Float32Array(144), new Float32Array(108), Int32Array.from([4]))).toThrow(/geometry/);
  });
});
