import { describe, expect, it } from 'vitest';

import { clipGradNorm } from '../../lib/nn/clip.js';
import { SGD } from '../../lib/nn/optim/index.js';
import { CheckpointBest, CosineAnnealingLR, EarlyStopping, ReduceLROnPlateau } from '../../lib/nn/schedule.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { expectClose, loadFixture } from './helpers.js';

const param = () => Tensor.from([1, 2, 3], [3], true);

describe('schedules vs torch.optim.lr_scheduler (tools/nn_fixtures/schedule.py)', () => {
  const cases = loadFixture('schedule');
  for (const c of cases) {
    it(c.name, () => {
      const opt = new SGD([param()], { lr: 0.1 });
      const metrics = c.tensors.metrics.data;
      const lrs: number[] = [];
      if (c.params.kind === 'plateau') {
        const s = new ReduceLROnPlateau(opt, c.params.options as never);
        for (const m of metrics) {
          s.step(m);
          lrs.push(opt.lr);
        }
      } else {
        const s = new CosineAnnealingLR(opt, c.params.t_max as number, c.params.eta_min as number);
        for (let i = 0; i < metrics.length; i++) lrs.push(s.step());
      }
      expectClose(lrs, c.tensors.lrs.data, c.name, { rtol: 1e-6, atol: 1e-9 });
    });
  }
});

describe('early stopping and checkpoint-best', () => {
  it('stops after patience epochs without improvement', () => {
    const es = new EarlyStopping(2);
    const stops = [1.0, 0.9, 0.95, 0.91, 0.5, 0.6, 0.7].map((m, e) => es.step(m, e));
    expect(stops).toEqual([false, false, false, true, false, false, true]);
    expect(es.bestEpoch).toBe(4);
  });

  it('saves only on improvement (max mode)', () => {
    const saved: number[] = [];
    const cb = new CheckpointBest((epoch) => saved.push(epoch), { mode: 'max' });
    [0.5, 0.6, 0.6, NaN, 0.7, 0.1].forEach((m, e) => cb.step(m, e));
    expect(saved).toEqual([0, 1, 4]);
  });
});

describe('clipGradNorm', () => {
  it('scales gradients to the max norm as torch.nn.utils.clip_grad_norm_', () => {
    const a = Tensor.from([3, 0], [2], true);
    const b = Tensor.from([4], [1], true);
    a.grad = Tensor.from([3, 0], [2]);
    b.grad = Tensor.from([4], [1]);
    const total = clipGradNorm([a, b], 1);
    expect(total).toBeCloseTo(5, 12);
    const c = 1 / (5 + 1e-6);
    expectClose(a.grad.data, [3 * c, 0], 'a', { rtol: 1e-7, atol: 0 });
    expectClose(b.grad.data, [4 * c], 'b', { rtol: 1e-7, atol: 0 });
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 5);
    expectClose(b.grad.data, [4 * c], 'unchanged below max', { rtol: 1e-7, atol: 0 });
  });
});
