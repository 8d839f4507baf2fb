/**
 * The element-wise ops, sums, shape ops and losses against the float64 references on random
 * inputs, central finite differences, bad input, and identical bytes on 1 and 2 threads.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { coxLoss as coxLossApi, focalTverskyLoss } from '../../lib/loss/index.js';
import { backward, grad } from '../../lib/nn/autograd.js';
import { bceWithLogits, coxLoss, crossEntropy, focalTversky, mse } from '../../lib/nn/ops/loss.js';
import * as pw from '../../lib/nn/ops/pointwise.js';
import { expand, mean, sum } from '../../lib/nn/ops/reduce.js';
import { concat, flatten, narrow, reshape, slice } from '../../lib/nn/ops/shape.js';
import { Tensor } from '../../lib/nn/tensor.js';
import {
  referenceBceWithLogits, referenceBinary, referenceConcat, referenceCrossEntropy, referenceSum, referenceUnary,
} from '../reference/nn/ops.js';
import { expectClose, expectFiniteDifferences, randomTensor } from './helpers.js';

afterEach(() => setThreads());

const UNARY: [string, (x: Tensor) => Tensor, number, number, (v: number) => number][] = [
  ['neg', pw.neg, 0, 0, (v) => v],
  ['square', pw.square, 0, 0, (v) => v],
  ['sqrt', pw.sqrt, 0, 0, (v) => Math.abs(v) + 0.2],
  ['exp', pw.exp, 0, 0, (v) => v * 3],
  ['log', pw.log, 0, 0, (v) => Math.abs(v) + 0.05],
  ['pow', (x) => pw.pow(x, 2.5), 2.5, 0, (v) => Math.abs(v) + 0.1],
  ['addScalar', (x) => pw.addScalar(x, -0.4), -0.4, 0, (v) => v],
  ['mulScalar', (x) => pw.mulScalar(x, 3), 3, 0, (v) => v],
  ['relu', pw.relu, 0, 0, (v) => v],
  ['leakyRelu', (x) => pw.leakyRelu(x, 0.1), 0.1, 0, (v) => v],
  ['sigmoid', pw.sigmoid, 0, 0, (v) => v * 6],
  ['tanh', pw.tanh, 0, 0, (v) => v * 3],
  ['softplus', (x) => pw.softplus(x, 1.5, 4), 1.5, 4, (v) => v * 4],
];

describe('element-wise ops against the float64 references', () => {
  for (const [name, op, a, b, domain] of UNARY) {
    it(`${name}: forward and gradient on 40 000 values (several parallel chunks)`, () => {
      const base = randomTensor([200, 200], 11);
      const x = new Tensor(base.data.map(domain), base.shape, true);
      const g = randomTensor([200, 200], 12);
      const y = op(x);
      const ref = referenceUnary[name];
      expectClose(y.data, Float64Array.from(x.data, (v) => ref.f(v, a, b)), `${name} y`, { rtol: 1e-5, atol: 1e-6 });
      backward(y, { gradOutput: g });
      expectClose(x.grad!.data, Float64Array.from(x.data, (v, i) => g.data[i] * ref.df(v, a, b)), `${name} gx`, { rtol: 1e-5, atol: 1e-6 });
    });
  }

  it('tanh and softplus at the ends of their ranges (the vectorised forms switch branches there)', () => {
    const xs = [0, 1e-7, -1e-4, 0.01, 0.3, -0.6, 0.625, 0.6251, -0.65, 2, -9, 20, 50, -88, 200];
    expectClose(pw.tanh(Tensor.from(xs, [xs.length])).data, xs.map(Math.tanh), 'tanh', { rtol: 1e-6, atol: 0 });
    const special = pw.tanh(Tensor.from([Infinity, -Infinity, Number.NaN], [3])).data;
    expect([...special.slice(0, 2)]).toEqual([1, -1]);
    expect(Number.isNaN(special[2])).toBe(true);
    const sp = [-120, -40, -17, -1e-3, 0, 3, 19.9, 30, 79, 81, 95];
    const softplusRef = (v: number) => (v > 100 ? v : v > 30 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
    expectClose(pw.softplus(Tensor.from(sp, [sp.length]), 1, 100).data, sp.map(softplusRef), 'softplus, threshold 100', { rtol: 1e-6, atol: 1e-44 });
  });

  const pairs: [number[], number[]][] = [
    [[3, 40, 50], [3, 40, 50]],
    [[3, 40, 50], [40, 1]],
    [[50], [3, 40, 50]],
    [[3, 1, 50], [1, 40, 1]],
    [[6, 7], []],
    [[1, 5, 1, 7], [4, 1, 6, 1]],
  ];
  for (const [sa, sb] of pairs) {
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      it(`${op} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}: broadcast forward and reduced gradients`, () => {
        const a = randomTensor(sa, 21, { requiresGrad: true });
        const raw = randomTensor(sb, 22);
        const b = new Tensor(raw.data.map((v) => (op === 'div' ? Math.sign(v) * (Math.abs(v) + 0.5) : v)), sb, true);
        const y = pw[op](a, b);
        const g = randomTensor([...y.shape], 23);
        const ref = referenceBinary(op, a.data, sa, b.data, sb, [...y.shape], g.data);
        expectClose(y.data, ref.y, 'y', { rtol: 1e-6, atol: 1e-7 });
        const [ga, gb] = grad(y, [a, b], { gradOutput: g });
        expectClose(ga.data, ref.ga, 'ga');
        expectClose(gb.data, ref.gb, 'gb');
      });
    }
  }
});

describe('sums, expand and shape ops against the references', () => {
  const shape = [3, 4, 5, 6];
  for (const dims of [[0], [1], [3], [0, 2], [1, 3], [0, 1, 2, 3], [0, 2, 3]]) {
    it(`sum over ${JSON.stringify(dims)}; its gradient is the broadcast`, () => {
      const x = randomTensor(shape, 31, { requiresGrad: true });
      const y = sum(x, dims, true);
      expect([...y.shape]).toEqual(shape.map((d, i) => (dims.includes(i) ? 1 : d)));
      expectClose(y.data, referenceSum(x.data, shape, dims), 'sum', { rtol: 1e-6, atol: 1e-6 });
      const g = randomTensor([...y.shape], 32);
      backward(y, { gradOutput: g });
      expectClose(x.grad!.data, expand(g, shape).data, 'gx');
    });
  }

  it('sums long rows and long columns (blocked float64 partial sums) to the float64 value', () => {
    for (const [s, dims] of [[[3, 100_000], [1]], [[100_000, 3], [0]], [[2, 50_000, 3], [0, 1]], [[300_000], [0]]] as [number[], number[]][]) {
      const x = randomTensor(s, 33);
      expectClose(sum(x, dims).data, referenceSum(x.data, s, dims), `sum ${JSON.stringify(s)}`, { rtol: 1e-6, atol: 1e-4 });
    }
  });

  it('mean, negative axes, keepDim, and the scalar sum', () => {
    const x = randomTensor([2, 3, 4], 34);
    expectClose(mean(x, -1).data, Float64Array.from(referenceSum(x.data, [2, 3, 4], [2]), (v) => v / 4), 'mean');
    expect([...mean(x, [0, -1]).shape]).toEqual([3]);
    expect([...sum(x).shape]).toEqual([]);
    expectClose(sum(x).data, referenceSum(x.data, [2, 3, 4], [0, 1, 2]), 'sum all', { rtol: 1e-6, atol: 1e-6 });
  });

  it('concat, narrow and slice move the right values, with gradients split back', () => {
    const xs = [randomTensor([2, 3, 4], 41, { requiresGrad: true }), randomTensor([2, 1, 4], 42, { requiresGrad: true }), randomTensor([2, 5, 4], 43, { requiresGrad: true })];
    const y = concat(xs, 1);
    expect([...y.shape]).toEqual([2, 9, 4]);
    expectClose(y.data, referenceConcat(xs, 1), 'concat');
    const g = randomTensor([2, 9, 4], 44);
    backward(y, { gradOutput: g });
    expectClose(xs[1].grad!.data, narrow(g, 1, 3, 1).data, 'gradient of the middle part');
    expectClose(xs[2].grad!.data, slice(g, -2, 4, 9).data, 'gradient of the last part');
    expectClose(concat(xs.map((x) => x.grad!), 1).data, g.data, 'gradients reassemble g');
    expectClose(concat([xs[0], xs[0]], 0).data, referenceConcat([xs[0], xs[0]], 0), 'concat on axis 0');
    expectClose(concat([xs[0], xs[0]], 2).data, referenceConcat([xs[0], xs[0]], 2), 'concat on the last axis');
  });

  it('reshape and flatten share data; their gradients come back in the input shape', () => {
    const x = randomTensor([2, 3, 4], 45, { requiresGrad: true });
    const f = flatten(x);
    expect([...f.shape]).toEqual([2, 12]);
    expect(f.data).toBe(x.data);
    expect([...reshape(x, [4, -1]).shape]).toEqual([4, 6]);
    backward(sum(pw.mul(f, f)));
    expectClose(x.grad!.data, Float64Array.from(x.data, (v) => 2 * v), 'gx');
    expect([...x.grad!.shape]).toEqual([2, 3, 4]);
  });
});

describe('losses against the references', () => {
  it('cross-entropy and its gradient', () => {
    const logits = randomTensor([37, 5], 51, { requiresGrad: true, scale: 3 });
    const target = Int32Array.from({ length: 37 }, (_, i) => (i * 7) % 5);
    const loss = crossEntropy(logits, target);
    const ref = referenceCrossEntropy(logits.data, target, 37, 5);
    expectClose(loss.data, [ref.loss], 'loss', { rtol: 1e-6, atol: 1e-6 });
    backward(pw.mulScalar(loss, 2));
    expectClose(logits.grad!.data, ref.grad.map((v) => 2 * v), 'grad');
  });

  it('BCE with logits and its gradient; stable for large logits', () => {
    const x = randomTensor([4, 3, 7, 5], 52, { requiresGrad: true, scale: 3 });
    const t = new Tensor(randomTensor([4, 3, 7, 5], 53).data.map((v) => 1 / (1 + Math.exp(-v))), x.shape);
    const loss = bceWithLogits(x, t);
    const ref = referenceBceWithLogits(x.data, t.data);
    expectClose(loss.data, [ref.loss], 'loss', { rtol: 1e-6, atol: 1e-6 });
    backward(loss);
    expectClose(x.grad!.data, ref.grad, 'grad');
    // Where e^{−|x|} is below float epsilon (log1p's small-argument branch), per element.
    for (const v of [-25, -18, -9, 9, 18, 25]) {
      for (const target of [0, 0.3, 1]) {
        const ref = referenceBceWithLogits([v], [target]).loss;
        expectClose(bceWithLogits(Tensor.from([v], [1]), Tensor.from([target], [1])).data, [ref], `bce(${v}, ${target})`, { rtol: 1e-6, atol: 1e-12 });
      }
    }
    const big = bceWithLogits(Tensor.from([200, -200], [2]), Tensor.from([1, 1], [2]));
    expect(big.item()).toBeCloseTo(100, 5);
  });

  it('MSE', () => {
    const a = randomTensor([5, 6], 54), b = randomTensor([5, 6], 55);
    let s = 0;
    for (let i = 0; i < 30; i++) s += (a.data[i] - b.data[i]) ** 2;
    expectClose(mse(a, b).data, [s / 30], 'mse', { rtol: 1e-6, atol: 1e-7 });
  });

  it('focal Tversky and Cox wrap the loss kernels: the same values, gradients times gradOutput', async () => {
    const logits = randomTensor([3, 1, 8, 8], 56, { requiresGrad: true, scale: 2 });
    const mask = Uint8Array.from(randomTensor([3 * 64], 57).data, (v) => (v > 0.8 ? 1 : 0));
    const ft = focalTversky(logits, mask, { fromLogits: true, gamma: 1.3 });
    const api = await focalTverskyLoss(logits.data, mask, [3, 1, 8, 8], { fromLogits: true, gamma: 1.3 });
    expectClose(ft.data, [api.loss], 'focal Tversky', { rtol: 1e-6, atol: 1e-7 });
    backward(pw.mulScalar(ft, 3));
    expectClose(logits.grad!.data, api.grad.map((v) => 3 * v), 'focal Tversky grad', { rtol: 1e-6, atol: 1e-9 });

    // Probabilities and a soft float mask as a Tensor.
    const prob = new Tensor(randomTensor([2, 30], 59).data.map((v) => 1 / (1 + Math.exp(-v))), [2, 30], true);
    const soft = new Tensor(randomTensor([2, 30], 60).data.map((v) => (v > 0 ? 0.9 : 0.1)), [2, 30]);
    const fp = focalTversky(prob, soft);
    const fpApi = await focalTverskyLoss(prob.data, soft.data, [2, 30]);
    expectClose(fp.data, [fpApi.loss], 'focal Tversky on probabilities', { rtol: 1e-6, atol: 1e-7 });
    backward(fp);
    expectClose(prob.grad!.data, fpApi.grad, 'focal Tversky grad on probabilities', { rtol: 1e-6, atol: 1e-9 });

    const risk = randomTensor([20, 1], 58, { requiresGrad: true });
    const time = Float32Array.from({ length: 20 }, (_, i) => (i * 13) % 7);
    const event = Uint8Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    for (const ties of ['efron', 'breslow'] as const) {
      risk.grad = null;
      const cl = coxLoss(risk, time, event, { ties });
      const ref = await coxLossApi(risk.data, time, event, { ties });
      expectClose(cl.data, [ref.loss], `cox ${ties}`, { rtol: 1e-6, atol: 1e-7 });
      backward(cl);
      expectClose(risk.grad!.data, ref.grad, `cox ${ties} grad`, { rtol: 1e-6, atol: 1e-9 });
    }
  });
});

describe('finite differences', () => {
  it('a chain of every activation, broadcasting and a sum', () => {
    const x = randomTensor([3, 4], 61, { requiresGrad: true });
    const w = randomTensor([4], 62, { requiresGrad: true });
    const f = ([xi, wi]: Tensor[]) => {
      const h = pw.add(pw.mul(xi, wi), pw.tanh(xi));
      const act = pw.add(pw.add(pw.relu(h), pw.leakyRelu(h, 0.3)), pw.add(pw.sigmoid(h), pw.softplus(h)));
      return sum(pw.div(pw.square(act), pw.addScalar(pw.exp(pw.mulScalar(w, 0.1)), 1)));
    };
    const y = f([x, w]);
    const g = grad(y, [x, w]);
    expectFiniteDifferences((t) => f(t).item(), [x, w], g, { eps: 1e-3 });
  });

  it('cross-entropy and BCE with logits', () => {
    const logits = randomTensor([6, 4], 63, { requiresGrad: true });
    const target = Int32Array.of(0, 1, 2, 3, 1, 0);
    const t = new Tensor(Float32Array.from({ length: 24 }, (_, i) => (i % 3) / 2), [6, 4]);
    const f = ([l]: Tensor[]) => pw.add(crossEntropy(l, target), bceWithLogits(l, t));
    expectFiniteDifferences((x) => f(x).item(), [logits], grad(f([logits]), [logits]), { eps: 1e-3 });
  });
});

describe('bad input', () => {
  it('names the op and both shapes', () => {
    expect(() => pw.add(Tensor.zeros([2, 3]), Tensor.zeros([4]))).toThrow(/add: shapes \[2, 3\] and \[4\] do not broadcast/);
    expect(() => pw.mul(Tensor.zeros([2, 3]), Tensor.zeros([3, 2]))).toThrow(/mul: shapes \[2, 3\] and \[3, 2\]/);
    expect(() => bceWithLogits(Tensor.zeros([2, 3]), Tensor.zeros([6]))).toThrow(/bceWithLogits: logits \[2, 3\] and target \[6\]/);
    expect(() => mse(Tensor.zeros([2]), Tensor.zeros([3]))).toThrow(/mse: input \[2\] and target \[3\]/);
    expect(() => expand(Tensor.zeros([2, 3]), [3, 3])).toThrow(/expand: \[2, 3\] cannot be broadcast to \[3, 3\]/);
    expect(() => reshape(Tensor.zeros([2, 3]), [4, 2])).toThrow(/reshape: cannot view \[2, 3\]/);
    expect(() => concat([Tensor.zeros([2, 3]), Tensor.zeros([3, 3])], 1)).toThrow(/concat: \[3, 3\] does not match \[2, 3\]/);
    expect(() => sum(Tensor.zeros([2, 3]), 2)).toThrow(/sum: axis 2 is out of range for shape \[2, 3\]/);
    expect(() => narrow(Tensor.zeros([2, 3]), 1, 2, 2)).toThrow(/narrow: \[2, 4\) is out of range/);
  });

  it('refuses bad targets and parameters', () => {
    expect(() => crossEntropy(Tensor.zeros([2, 3]), Int32Array.of(0, 3))).toThrow(/target\[1\] = 3 is not a class of logits \[2, 3\]/);
    expect(() => crossEntropy(Tensor.zeros([2, 3]), Int32Array.of(0))).toThrow(/2 class indices/);
    expect(() => crossEntropy(Tensor.zeros([6]), Int32Array.of(0))).toThrow(/\[N, C\]/);
    expect(() => pw.leakyRelu(Tensor.zeros([2]), Number.NaN)).toThrow(/slope/);
    expect(() => pw.softplus(Tensor.zeros([2]), 0)).toThrow(/beta/);
    expect(() => focalTversky(Tensor.zeros([2, 4]), new Uint8Array(6))).toThrow(/target 6 values does not match pred \[2, 4\]/);
    expect(() => coxLoss(Tensor.zeros([3, 2]), new Float32Array(6), new Uint8Array(6))).toThrow(/risk must be \[n\] or \[n, 1\]/);
    expect(() => coxLoss(Tensor.zeros([3]), new Float32Array(3), new Uint8Array(3))).toThrow();
  });
});

describe('determinism', () => {
  it('gives identical bytes on 1 and 2 threads', () => {
    const run = () => {
      const x = randomTensor([4, 8, 64, 65], 71, { requiresGrad: true });
      const b = randomTensor([8, 1, 1], 72, { requiresGrad: true });
      const h = pw.sigmoid(pw.mul(pw.relu(pw.add(x, b)), b));
      const t = new Tensor(Float32Array.from(h.data, (v, i) => (i % 5 === 0 ? 1 : 0)), h.shape);
      const loss = pw.add(pw.add(bceWithLogits(h, t), mean(sum(h, [0, 2]))), crossEntropy(reshape(h, [4 * 8 * 64, 65]), new Int32Array(4 * 8 * 64).fill(3)));
      const grads = grad(loss, [x, b]);
      return [loss.data, sum(x, [0, 2, 3]).data, sum(x, [3]).data, ...grads.map((g) => g.data)].map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    };
    setThreads(1);
    const one = run();
    setThreads(2);
    const two = run();
    one.forEach((bytes, i) => expect(bytes.equals(two[i]), `output ${i}`).toBe(true));
  });
});
