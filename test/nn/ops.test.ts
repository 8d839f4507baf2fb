/**
 * The element-wise ops, activations, sums, losses and batch norm against PyTorch 1.13
 * (tools/nn_fixtures/ops.py): forward, every gradient on both backward paths (plain, i.e. the
 * fused kernels, and recorded, i.e. the composed ops), and a second-order gradient (Hessian-
 * vector product) through the recorded backward; plus the WGAN-GP gradient penalty.
 */
import { describe, expect, it } from 'vitest';

import { grad } from '../../lib/nn/autograd.js';
import { batchNorm } from '../../lib/nn/ops/batch_norm.js';
import { bceWithLogits, crossEntropy, mse } from '../../lib/nn/ops/loss.js';
import * as pw from '../../lib/nn/ops/pointwise.js';
import { expand, mean, sum } from '../../lib/nn/ops/reduce.js';
import { reshape } from '../../lib/nn/ops/shape.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { expectTensorClose, fixtureTensor, loadFixture, type FixtureCase } from './helpers.js';

type Op = (inputs: Record<string, Tensor>, c: FixtureCase) => Tensor;

const p = (c: FixtureCase, k: string) => c.params[k] as number;

const OPS: Record<string, Op> = {
  add: ({ a, b }) => pw.add(a, b),
  sub: ({ a, b }) => pw.sub(a, b),
  mul: ({ a, b }) => pw.mul(a, b),
  div: ({ a, b }) => pw.div(a, b),
  neg: ({ x }) => pw.neg(x),
  square: ({ x }) => pw.square(x),
  sqrt: ({ x }) => pw.sqrt(x),
  exp: ({ x }) => pw.exp(x),
  log: ({ x }) => pw.log(x),
  pow: ({ x }, c) => pw.pow(x, p(c, 'p')),
  addScalar: ({ x }, c) => pw.addScalar(x, p(c, 's')),
  mulScalar: ({ x }, c) => pw.mulScalar(x, p(c, 's')),
  relu: ({ x }) => pw.relu(x),
  leakyRelu: ({ x }, c) => (c.params.slope === undefined ? pw.leakyRelu(x) : pw.leakyRelu(x, p(c, 'slope'))),
  sigmoid: ({ x }) => pw.sigmoid(x),
  tanh: ({ x }) => pw.tanh(x),
  softplus: ({ x }, c) => (c.params.beta === undefined ? pw.softplus(x) : pw.softplus(x, p(c, 'beta'), p(c, 'threshold'))),
  sum: ({ x }, c) => sum(x, (c.params.dims as number[] | null) ?? undefined, c.params.keepDim as boolean),
  mean: ({ x }, c) => mean(x, (c.params.dims as number[] | null) ?? undefined, c.params.keepDim as boolean),
  expand: ({ x }, c) => expand(x, c.params.shape as number[]),
  crossEntropy: ({ logits }, c) => crossEntropy(logits, Int32Array.from(c.tensors.target.data)),
  bceWithLogits: ({ logits, target }) => bceWithLogits(logits, target),
  mse: ({ a, b }) => mse(a, b),
  batchNorm: ({ x, weight, bias }, c) =>
    batchNorm(x, fixtureTensor(c.tensors.running_mean), fixtureTensor(c.tensors.running_var), weight, bias, {
      training: c.params.training as boolean,
    }),
};

/** The differentiable inputs of a case: those PyTorch gave a gradient, minus constants of ours. */
function leafNames(c: FixtureCase): string[] {
  return Object.keys(c.tensors)
    .filter((k) => k.startsWith('g') && !k.startsWith('gg') && c.tensors[k.slice(1)])
    .map((k) => k.slice(1))
    .filter((k) => !(c.params.op === 'crossEntropy' && k === 'target') && !k.startsWith('running_'));
}

function run(c: FixtureCase) {
  const names = leafNames(c);
  const inputs: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.tensors)) inputs[k] = fixtureTensor(t, names.includes(k));
  const y = OPS[c.params.op as string](inputs, c);
  return { names, inputs, y, leaves: names.map((k) => inputs[k]) };
}

describe('ops against PyTorch 1.13: forward, gradients, second-order gradients', () => {
  for (const c of loadFixture('ops').filter((k) => k.params.op !== 'gp')) {
    it(c.name, () => {
      const { names, y, leaves } = run(c);
      expectTensorClose(y, c.tensors.y, 'y');
      const r = fixtureTensor(c.tensors.r);
      // Plain backward: fused kernels where an op has one.
      grad(y, leaves, { gradOutput: r }).forEach((g, i) => expectTensorClose(g, c.tensors[`g${names[i]}`], `g${names[i]} (plain)`));
      // Recorded backward: the composed ops, then differentiated once more.
      const first = grad(y, leaves, { gradOutput: r, createGraph: true });
      first.forEach((g, i) => expectTensorClose(g, c.tensors[`g${names[i]}`], `g${names[i]} (recorded)`));
      const second = names.filter((k) => c.tensors[`gg${k}`]);
      const terms = first
        .map((g, i) => [g, names[i]] as const)
        .filter(([g, k]) => c.tensors[`gg${k}`] && g.requiresGrad)
        .map(([g, k]) => sum(pw.mul(g, fixtureTensor(c.tensors[`v${k}`]))));
      if (terms.length === 0) {
        // torch's second derivative is zero here (or its gradient needs no graph): ours too.
        for (const k of second) expect(c.tensors[`gg${k}`].data.every((v) => v === 0), `gg${k} is zero`).toBe(true);
        return;
      }
      const m = terms.reduce((a, b) => pw.add(a, b));
      grad(m, leaves).forEach((g, i) => {
        if (c.tensors[`gg${names[i]}`]) expectTensorClose(g, c.tensors[`gg${names[i]}`], `gg${names[i]}`, { rtol: 2e-4, atol: 2e-5 });
      });
    });
  }
});

describe('WGAN-GP gradient penalty through a small critic, against torch.autograd.grad(create_graph=True)', () => {
  it('d/dθ of mean((‖∂D/∂x‖₂ − 1)²) matches PyTorch', () => {
    const c = loadFixture('ops').find((k) => k.params.op === 'gp')!;
    const t = c.tensors;
    const x = fixtureTensor(t.x, true);
    const names = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'];
    const params = Object.fromEntries(names.map((k) => [k, fixtureTensor(t[k], true)]));
    // x·wᵀ + b from broadcasting: [N, 1, in] · [out, in] summed over in.
    const dense = (h: Tensor, w: Tensor, b: Tensor) => pw.add(sum(pw.mul(reshape(h, [h.shape[0], 1, h.shape[1]]), w), 2), b);
    let h = pw.tanh(dense(x, params.w1, params.b1));
    h = pw.leakyRelu(dense(h, params.w2, params.b2), 0.2);
    h = pw.mul(pw.softplus(h), pw.sigmoid(h));
    const d = dense(h, params.w3, params.b3);
    expectTensorClose(d, t.d, 'D(x)');
    const [gx] = grad(sum(d), [x], { createGraph: true });
    expectTensorClose(gx, t.gx, '∂D/∂x');
    const norms = pw.sqrt(sum(pw.square(gx), 1));
    const gp = mean(pw.square(pw.addScalar(norms, -1)));
    expectTensorClose(gp, t.gp, 'gradient penalty');
    grad(gp, names.map((k) => params[k])).forEach((g, i) => expectTensorClose(g, t[`g${names[i]}`], `d gp / d ${names[i]}`, { rtol: 2e-4, atol: 2e-5 }));
  });
});
