import { describe, expect, it } from 'vitest';

import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { MultiTaskUNet } from '../../lib/models/unet.js';
import { noGrad } from '../../lib/nn/autograd.js';
import { exportOnnx } from '../../lib/onnx/export.js';
import { channelPruneUNet, magnitudePrune } from '../../lib/onnx/prune.js';
import { randomTensor } from '../nn/helpers.js';
import { input, randomizeBatchNorm, runOnnx } from './helpers.js';

describe('magnitude pruning', () => {
  it('zeroes exactly the requested share of conv/linear weights under one global threshold, biases untouched', () => {
    const model = new ClinicalClassifier(5, { seed: 4 });
    const biases = model.namedParameters().filter(([n]) => n.endsWith('bias')).map(([, t]) => t.data.slice());
    const weights = model.namedParameters().filter(([n]) => n.endsWith('weight')).map(([, t]) => t.data);
    const before = weights.map((w) => w.slice());
    const r = magnitudePrune(model, 0.5);
    expect(r.zeroed).toBe(Math.floor(0.5 * r.total));
    weights.forEach((w, i) => w.forEach((v, j) => {
      if (v === 0) expect(Math.abs(before[i][j])).toBeLessThanOrEqual(r.threshold);
      else expect(Math.abs(v)).toBeGreaterThanOrEqual(r.threshold);
    }));
    model.namedParameters().filter(([n]) => n.endsWith('bias')).forEach(([, t], i) => expect(t.data).toEqual(biases[i]));
    expect(() => magnitudePrune(model, 1)).toThrow(/sparsity/);
  });
});

describe('structured channel pruning (U-Net)', () => {
  it('keeps half of each block’s inner channels and exports (ONNX equals the engine)', async () => {
    const model = new MultiTaskUNet({ base: 4, seed: 5 });
    randomizeBatchNorm(model, 9);
    model.eval();
    const pruned = channelPruneUNet(model, 0.5);
    expect(pruned.mid.enc1).toBe(2);
    expect(pruned.mid.bottleneck).toBe(32);
    expect(pruned.parameterCount()).toBeLessThan(0.6 * model.parameterCount());
    const x = randomTensor([1, 2, 32, 32], 3);
    const out = noGrad(() => pruned.forwardMultiTask(x));
    expect(out.segmentation.shape).toEqual([1, 1, 32, 32]);
    const onnx = await runOnnx(exportOnnx(pruned), { image: { data: x.data, dims: [1, 2, 32, 32] } });
    expect(Math.abs(onnx.risk.data[0] - out.risk.data[0])).toBeLessThan(1e-4);
  });

  it('is exact when the dropped channels were dead', () => {
    const model = new MultiTaskUNet({ base: 4, seed: 6 });
    randomizeBatchNorm(model, 3);
    model.eval();
    const probe = channelPruneUNet(model, 0.5);
    // Zero γ and β of the channels pruning drops (their ReLU output is then 0), prune again: the
    // kept set is the same and the small network computes the same function, so the weight
    // copying (rows, BN entries, next conv's input columns) is checked exactly.
    for (const [name, m] of model.namedModules()) {
      const block = name.split('.')[0] as keyof typeof probe.mid;
      if (!name.endsWith('.1') || !(block in probe.mid)) continue;
      const bn = m as unknown as { weight: { data: Float32Array }; bias: { data: Float32Array } };
      const scores = [...bn.weight.data.keys()];
      const keepCount = probe.mid[block];
      // Recompute which were kept by matching the probe's BN weights.
      const kept = new Set((probe.namedModules().find(([n]) => n === name)?.[1] as unknown as { weight: { data: Float32Array } }).weight.data);
      let live = 0;
      for (const c of scores) {
        if (kept.has(bn.weight.data[c]) && live < keepCount) live++;
        else {
          bn.weight.data[c] = 0;
          bn.bias.data[c] = 0;
        }
      }
    }
    const x = randomTensor([1, 2, 32, 32], 4);
    const full = noGrad(() => model.forwardMultiTask(x));
    const small = noGrad(() => channelPruneUNet(model, 0.5).forwardMultiTask(x));
    let m = 0;
    full.segmentation.data.forEach((v, i) => (m = Math.max(m, Math.abs(v - small.segmentation.data[i]))));
    expect(m).toBeLessThan(1e-5);
    expect(Math.abs(full.risk.data[0] - small.risk.data[0])).toBeLessThan(1e-5);
  });
});
