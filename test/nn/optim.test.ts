import { describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { Adam, AdamW, SGD, type Optimizer } from '../../lib/nn/optim/index.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { referenceAdamStep, referenceSgdStep } from '../reference/nn/optim.js';
import { expectClose, fixtureTensor, loadFixture, randomTensor } from './helpers.js';

function make(kind: string, params: Tensor[], p: Record<string, unknown>): Optimizer {
  const lr = p.lr as number;
  if (kind === 'SGD') {
    return new SGD(params, {
      lr,
      momentum: (p.momentum as number) ?? 0,
      dampening: (p.dampening as number) ?? 0,
      weightDecay: (p.weight_decay as number) ?? 0,
      nesterov: (p.nesterov as boolean) ?? false,
    });
  }
  const options = {
    lr,
    betas: (p.betas as [number, number]) ?? undefined,
    eps: (p.eps as number) ?? undefined,
    weightDecay: (p.weight_decay as number) ?? undefined,
  };
  const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return kind === 'Adam' ? new Adam(params, clean) : new AdamW(params, clean);
}

describe('optimizers vs torch.optim (tools/nn_fixtures/optim.py)', () => {
  for (const c of loadFixture('optim')) {
    it(`${c.name}: three steps match PyTorch`, () => {
      const p = fixtureTensor(c.tensors.param0, true);
      const opt = make(c.params.optimizer as string, [p], c.params);
      for (let s = 1; s <= 3; s++) {
        p.grad = fixtureTensor(c.tensors[`grad${s}`]);
        opt.step();
        expectClose(p.data, c.tensors[`param${s}`].data, `${c.name} step ${s}`, { rtol: 1e-5, atol: 1e-7 });
      }
    });
  }
});

describe('optimizers vs the float64 reference on random inputs', () => {
  it('SGD with momentum, dampening, weight decay and Nesterov', () => {
    for (const nesterov of [false, true]) {
      const o = { lr: 0.03, momentum: 0.9, dampening: nesterov ? 0 : 0.2, weightDecay: 1e-2, nesterov };
      const p = randomTensor([1000], 1, { requiresGrad: true });
      const ref = Float64Array.from(p.data);
      let buf: Float64Array | null = null;
      const opt = new SGD([p], o);
      for (let s = 0; s < 5; s++) {
        const g = randomTensor([1000], 10 + s);
        p.grad = g;
        opt.step();
        buf = referenceSgdStep(ref, g.data, buf, o);
      }
      expectClose(p.data, ref, `SGD nesterov=${nesterov}`, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it('Adam and AdamW', () => {
    for (const decoupled of [false, true]) {
      const o = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled };
      const p = randomTensor([5000], 2, { requiresGrad: true });
      const ref = Float64Array.from(p.data);
      const m = new Float64Array(5000);
      const v = new Float64Array(5000);
      const opt = decoupled ? new AdamW([p], { lr: o.lr, weightDecay: o.weightDecay }) : new Adam([p], { lr: o.lr, weightDecay: o.weightDecay });
      for (let s = 1; s <= 6; s++) {
        const g = randomTensor([5000], 20 + s);
        p.grad = g;
        opt.step();
        referenceAdamStep(ref, g.data, m, v, s, o);
      }
      expectClose(p.data, ref, `decoupled=${decoupled}`, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it('skips parameters without a gradient and gives the same bytes on 1 and 2 threads', () => {
    const run = (threads: number) => {
      setThreads(threads);
      const a = randomTensor([70_001], 3, { requiresGrad: true });
      const b = randomTensor([10], 4, { requiresGrad: true });
      const before = Float32Array.from(b.data);
      const opt = new Adam([a, b], { lr: 1e-3 });
      for (let s = 0; s < 3; s++) {
        a.grad = randomTensor([70_001], 30 + s);
        opt.step();
      }
      expect(b.data).toEqual(before);
      return a.data;
    };
    try {
      expect(Buffer.from(run(1).buffer).equals(Buffer.from(run(2).buffer))).toBe(true);
    } finally {
      setThreads();
    }
  });
});

describe('optimizer state dict (resume)', () => {
  it('a restored Adam continues exactly like the original', () => {
    const p1 = randomTensor([64], 5, { requiresGrad: true });
    const p2 = Tensor.from(p1.data, p1.shape, true);
    const a = new Adam([p1], { lr: 1e-2 });
    for (let s = 0; s < 3; s++) {
      p1.grad = randomTensor([64], 40 + s);
      a.step();
    }
    p2.data.set(p1.data);
    const b = new Adam([p2], { lr: 0.5 });
    b.loadStateDict(a.stateDict());
    expect(b.lr).toBe(1e-2);
    const g = randomTensor([64], 50);
    p1.grad = g;
    p2.grad = g;
    a.step();
    b.step();
    expect(p2.data).toEqual(p1.data);
  });

  it('refuses state of another optimizer or parameter shape', () => {
    const p = randomTensor([8], 6, { requiresGrad: true });
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = randomTensor([8], 7);
    sgd.step();
    expect(() => new Adam([p]).loadStateDict(sgd.stateDict())).toThrow(/for SGD, not Adam/);
    const q = randomTensor([9], 6, { requiresGrad: true });
    expect(() => new SGD([q], { lr: 0.1, momentum: 0.9 }).loadStateDict(sgd.stateDict())).toThrow(/shape \[8\].*\[9\]/);
  });

  it('rejects invalid hyper-parameters', () => {
    const p = randomTensor([3], 1, { requiresGrad: true });
    expect(() => new Adam([p], { lr: -1 })).toThrow(/learning rate/);
    expect(() => new Adam([p], { betas: [1, 0.999] })).toThrow(/beta/);
    expect(() => new SGD([p], { nesterov: true })).toThrow(/Nesterov/);
  });
});
