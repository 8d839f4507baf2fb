import { afterEach, describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { grad } from '../../lib/nn/autograd.js';
import { linear, matmul } from '../../lib/nn/ops/linear.js';
import { mul } from '../../lib/nn/ops/pointwise.js';
import { sum } from '../../lib/nn/ops/reduce.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { referenceGemm, referenceLinear } from '../reference/nn/linear.js';
import { expectClose, expectFiniteDifferences, expectTensorClose, fixtureTensor, loadFixture, randomTensor } from './helpers.js';

// Σ t·r for a constant r, from the op library.
const dot = (t: Tensor, r: Tensor) => sum(mul(t, r));

describe('linear against PyTorch 1.13', () => {
  for (const c of loadFixture('conv').filter((c) => c.params.op === 'linear')) {
    it(c.name, () => {
      const x = fixtureTensor(c.tensors.x, true);
      const w = fixtureTensor(c.tensors.w, true);
      const b = c.tensors.b ? fixtureTensor(c.tensors.b, true) : null;
      const y = linear(x, w, b);
      expectTensorClose(y, c.tensors.y, 'y');
      const grads = grad(y, b ? [x, w, b] : [x, w], { gradOutput: fixtureTensor(c.tensors.gy) });
      expectTensorClose(grads[0], c.tensors.gx, 'gx');
      expectTensorClose(grads[1], c.tensors.gw, 'gw');
      if (b) expectTensorClose(grads[2], c.tensors.gb, 'gb');
    });
  }
});

describe('linear and matmul against the float64 reference', () => {
  it('linear forward on odd sizes', () => {
    for (const [n, inF, outF] of [[1, 1, 1], [13, 37, 50], [64, 300, 9]]) {
      const x = randomTensor([n, inF], n);
      const w = randomTensor([outF, inF], inF, { scale: 0.2 });
      const b = randomTensor([outF], outF);
      expectClose(linear(x, w, b).data, referenceLinear(x.data, w.data, b.data, n, inF, outF), `${n}×${inF}→${outF}`, { atol: 1e-4 });
      expectClose(linear(x, w, null).data, referenceLinear(x.data, w.data, null, n, inF, outF), `${n}×${inF}→${outF} no bias`, { atol: 1e-4 });
    }
  });

  it('matmul with every transpose combination', () => {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const [m, n, k] = [9, 50, 21];
      const a = randomTensor(transA ? [k, m] : [m, k], 1);
      const b = randomTensor(transB ? [n, k] : [k, n], 2);
      const c = matmul(a, b, { transA, transB });
      expect([...c.shape]).toEqual([m, n]);
      expectClose(c.data, referenceGemm(transA, transB, m, n, k, 1, a.data, b.data, 0, []), `transA ${transA} transB ${transB}`, { atol: 1e-4 });
    }
  });
});

describe('linear and matmul gradients', () => {
  it('linear gradients match central differences', () => {
    const x = randomTensor([4, 6], 3, { requiresGrad: true });
    const w = randomTensor([5, 6], 4, { scale: 0.4, requiresGrad: true });
    const b = randomTensor([5], 5, { requiresGrad: true });
    const r = randomTensor([4, 5], 6);
    const analytic = grad(dot(linear(x, w, b), r), [x, w, b]);
    expectFiniteDifferences(([xi, wi, bi]) => dot(linear(xi, wi, bi), r).item(), [x, w, b], analytic);
  });

  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`matmul transA=${transA} transB=${transB}: gradients and gradients of gradients match central differences`, () => {
      const a = randomTensor(transA ? [5, 3] : [3, 5], 7, { requiresGrad: true });
      const b = randomTensor(transB ? [4, 5] : [5, 4], 8, { requiresGrad: true });
      const r = randomTensor([3, 4], 9);
      const f = (ai: Tensor, bi: Tensor) => dot(matmul(ai, bi, { transA, transB }), r);
      expectFiniteDifferences(([ai, bi]) => f(ai, bi).item(), [a, b], grad(f(a, b), [a, b]));
      // d/da <∂f/∂b, s>: the backward of matmul's backward.
      const s = randomTensor([...b.shape], 10);
      const g = (ai: Tensor) => dot(grad(f(ai, b), [b], { createGraph: true })[0], s);
      expectFiniteDifferences(([ai]) => g(ai).item(), [a], grad(g(a), [a]));
    });
  }
});

describe('linear determinism and bad input', () => {
  afterEach(() => setThreads());

  it('same bytes on 1 and 2 threads', () => {
    const x = randomTensor([70, 300], 1);
    const w = randomTensor([200, 300], 2);
    const run = (threads: number) => {
      setThreads(threads);
      return Buffer.from(linear(x, w, randomTensor([200], 3)).data.buffer).toString('base64');
    };
    expect(run(2)).toBe(run(1));
  });

  it('names both shapes', () => {
    expect(() => linear(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]), null)).toThrow(/linear: input \[2, 3\] does not match weight \[4, 5\]/);
    expect(() => linear(Tensor.zeros([2, 5]), Tensor.zeros([4, 5]), Tensor.zeros([5]))).toThrow(/bias \[5\] does not match weight \[4, 5\]/);
    expect(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))).toThrow(/matmul: \[2, 3\] and \[4, 5\] have inner sizes 3 and 4/);
    expect(() => matmul(Tensor.zeros([2, 3, 1]), Tensor.zeros([3, 5]))).toThrow(/2-D/);
  });
});
