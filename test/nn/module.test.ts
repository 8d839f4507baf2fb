import { describe, expect, it } from 'vitest';

import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { initialize } from '../../lib/nn/init.js';
import { BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Linear, ReLU, Sequential } from '../../lib/nn/layers/index.js';
import type { StoredTensor } from '../../lib/nn/safetensors.js';
import { loadFixture, randomTensor } from './helpers.js';

describe('Module state dict naming (torch state_dict keys)', () => {
  it("SimpleModel's keys, order and shapes are torch's", () => {
    const c = loadFixture('clinical_step')[0];
    const torchKeys = Object.keys(c.tensors).filter((k) => k.startsWith('init.')).map((k) => k.slice(5));
    const model = new ClinicalClassifier(5);
    const sd = model.stateDict();
    expect([...sd.keys()]).toEqual(torchKeys);
    for (const k of torchKeys) expect([...sd.get(k)!.shape]).toEqual(c.tensors[`init.${k}`].shape);
    expect(model.parameterCount()).toBe(4258);
  });

  it('batch norm buffers follow its parameters; num_batches_tracked is int64', () => {
    const m = new Sequential(new Conv2d(2, 4, 3, { bias: false }), new BatchNorm2d(4), new ReLU(), new Dropout(0.2), new Linear(3, 2));
    const sd = m.stateDict();
    expect([...sd.keys()]).toEqual(['0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '4.weight', '4.bias']);
    expect(sd.get('1.num_batches_tracked')!.dtype).toBe('I64');
    expect(m.parameters()).toHaveLength(5);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['1.running_mean', '1.running_var']);
  });
});

describe('PyTorch default initialisation from Philox', () => {
  it('draws U(±1/√fan_in) for weights and biases, fan_in from dim 1 (ConvTranspose too)', () => {
    const lin = new Linear(400, 300);
    initialize(lin, 11);
    const bound = 1 / Math.sqrt(400);
    let sumSq = 0;
    let max = 0;
    for (const v of lin.weight.data) {
      max = Math.max(max, Math.abs(v));
      sumSq += v * v;
    }
    expect(max).toBeLessThanOrEqual(bound);
    // Var of U(−b, b) is b²/3: 120 000 draws put the estimate within ~1%.
    expect(sumSq / lin.weight.size / (bound * bound / 3)).toBeCloseTo(1, 1);
    const ct = new ConvTranspose2d(3, 5, 2);
    initialize(ct, 1);
    const ctBound = 1 / Math.sqrt(5 * 4);
    expect(Math.max(...ct.weight.data.map(Math.abs))).toBeLessThanOrEqual(ctBound);
    expect(Math.max(...ct.weight.data.map(Math.abs))).toBeGreaterThan(ctBound * 0.8);
  });

  it('is a pure function of the seed', () => {
    const a = new ClinicalClassifier(5, { seed: 3 }).stateDict();
    const b = new ClinicalClassifier(5, { seed: 3 }).stateDict();
    const c = new ClinicalClassifier(5, { seed: 4 }).stateDict();
    for (const [k, t] of a) {
      expect(b.get(k)!.data).toEqual(t.data);
      expect(c.get(k)!.data).not.toEqual(t.data);
    }
  });
});

describe('loadStateDict', () => {
  it('reports missing and unexpected keys and shape mismatches together, and copies nothing', () => {
    const model = new ClinicalClassifier(5);
    const sd = new Map<string, StoredTensor>([...new ClinicalClassifier(6, { seed: 1 }).stateDict()].map(([k, v]) => [k, { ...v, data: v.data.slice() }]) as [string, StoredTensor][]);
    sd.delete('fc.2.bias');
    sd.set('fc.9.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    const before = model.tab.layers[0].stateDict().get('weight')!.data.slice();
    let message = '';
    try {
      model.loadStateDict(sd);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/unexpected keys: fc\.9\.weight/);
    expect(message).toMatch(/missing keys: fc\.2\.bias/);
    expect(message).toMatch(/tab\.0\.weight: shape \[32, 6\] in the checkpoint, \[32, 5\] in the model/);
    expect(model.tab.layers[0].stateDict().get('weight')!.data).toEqual(before);
    const { missing, unexpected } = new ClinicalClassifier(6).loadStateDict(sd, { strict: false });
    expect(missing).toEqual(['fc.2.bias']);
    expect(unexpected).toEqual(['fc.9.weight']);
  });
});

describe('modes', () => {
  it('train / eval / mcDropout reach every descendant', () => {
    const m = new Sequential(new Sequential(new Dropout(0.5), new BatchNorm2d(2)));
    const inner = m.layers[0] as Sequential;
    expect(inner.layers[1].training).toBe(true);
    m.eval();
    expect(inner.layers[0].dropoutActive).toBe(false);
    expect(inner.layers[1].training).toBe(false);
    m.mcDropout();
    expect(inner.layers[0].dropoutActive).toBe(true);
    expect(inner.layers[1].training).toBe(false);
    m.train();
    expect(inner.layers[1].training).toBe(true);
  });
});

describe('layers in their modes', () => {
  it('BatchNorm2d counts training batches and updates running stats only in train mode', () => {
    const bn = new BatchNorm2d(3);
    const x = randomTensor([4, 3, 5, 5], 1, { scale: 2 });
    bn.forward(x);
    bn.forward(x);
    expect(bn.stateDict().get('num_batches_tracked')!.data[0]).toBe(2n);
    const mean = Float32Array.from(bn.runningMean.data);
    expect(mean.some((v) => v !== 0)).toBe(true);
    bn.mcDropout();
    bn.forward(x);
    bn.eval();
    bn.forward(x);
    expect(bn.runningMean.data).toEqual(mean);
    expect(bn.stateDict().get('num_batches_tracked')!.data[0]).toBe(2n);
  });

  it('Dropout: masks keyed by (seed, step, layer) in train and MC-dropout modes, identity in eval', () => {
    const model = new Sequential(new Dropout(0.5), new Dropout(0.5));
    const x = randomTensor([2, 64], 3);
    const pass = (step: number) => {
      model.setDropoutContext({ seed: 7, step });
      return Array.from(model.forward(x).data);
    };
    model.mcDropout();
    expect(pass(1)).toEqual(pass(1));
    expect(pass(1)).not.toEqual(pass(2));
    model.eval();
    expect(pass(1)).toEqual(Array.from(x.data));
  });
});
