// The tape hands each gradient buffer back to the arena as soon as backward has used it; a
// buffer still in use (shared by add's two inputs, by reshape, by a leaf) must never be reused.
import { describe, expect, it } from 'vitest';

import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { arenaPooledBytes, clearArena, withArena } from '../../lib/nn/arena.js';
import { backward } from '../../lib/nn/autograd.js';
import { crossEntropy } from '../../lib/nn/ops/loss.js';
import { add, mul, relu } from '../../lib/nn/ops/pointwise.js';
import { sum } from '../../lib/nn/ops/reduce.js';
import { reshape } from '../../lib/nn/ops/shape.js';
import { randomTensor } from './helpers.js';

function gradientsOf(model: ClinicalClassifier, step: () => void): Map<string, Float32Array> {
  model.zeroGrad();
  step();
  return new Map([...model.namedParameters()].map(([name, p]) => [name, Float32Array.from(p.grad!.data)]));
}

describe('gradient buffers released during backward', () => {
  it('give the same gradients as a backward that keeps every buffer, step after step', () => {
    const model = new ClinicalClassifier(5);
    const image = randomTensor([4, 1, 24, 24], 1);
    const tabular = randomTensor([4, 5], 2);
    const labels = Int32Array.from([0, 1, 1, 0]);
    const step = () => backward(crossEntropy(model.forward(image, tabular), labels));
    const plain = gradientsOf(model, step);
    clearArena();
    for (let round = 0; round < 3; round++) {
      // Inside a scope the tape releases buffers, and later steps get them back with stale data.
      const inArena = withArena(() => {
        const pooledBefore = arenaPooledBytes();
        const grads = gradientsOf(model, step);
        // Released during backward: the pool grew (first round) or was drawn from and refilled.
        if (round === 0) expect(arenaPooledBytes()).toBeGreaterThan(pooledBefore);
        return grads;
      });
      expect(inArena).toEqual(plain);
    }
    expect(arenaPooledBytes()).toBeGreaterThan(0);
  });

  it('never reuses a gradient that two inputs share or that a reshape aliases', () => {
    const a = randomTensor([64], 3, { requiresGrad: true });
    const b = randomTensor([64], 4, { requiresGrad: true });
    const run = () => {
      const h = relu(add(a, b));
      const y = sum(mul(reshape(h, [8, 8]), reshape(add(h, a), [8, 8])));
      a.grad = b.grad = null;
      backward(y);
      return [Float32Array.from(a.grad!.data), Float32Array.from(b.grad!.data)];
    };
    const plain = run();
    expect(withArena(run)).toEqual(plain);
    expect(withArena(run)).toEqual(plain);
  });
});
