import { describe, expect, it } from 'vitest';

import { MultiTaskUNet } from '../../lib/models/unet.js';
import { noGrad } from '../../lib/nn/autograd.js';
import { randomTensor } from '../nn/helpers.js';

describe('MultiTaskUNet', () => {
  it('maps [N, 2, H, W] to a probability map [N, 1, H, W] and a risk [N, 1]', () => {
    const model = new MultiTaskUNet({ base: 4, seed: 1 }).eval();
    const out = noGrad(() => model.forwardMultiTask(randomTensor([3, 2, 32, 48], 2)));
    expect(out.segmentation.shape).toEqual([3, 1, 32, 48]);
    expect(out.risk.shape).toEqual([3, 1]);
    expect(out.segmentation.data.every((p) => p > 0 && p < 1)).toBe(true);
  });

  it('has ~31M parameters at base 64 (the seed says 31.6M) and torch-style names', () => {
    const model = new MultiTaskUNet({ base: 64 });
    const n = model.parameterCount();
    expect(n).toBeGreaterThan(31.0e6);
    expect(n).toBeLessThan(31.7e6);
    const keys = [...model.stateDict().keys()];
    expect(keys.slice(0, 3)).toEqual(['enc1.0.weight', 'enc1.0.bias', 'enc1.1.weight']);
    expect(keys).toContain('up4.weight');
    expect(keys).toContain('survival.5.weight');
    expect(keys).toContain('bottleneck.4.num_batches_tracked');
  });

  it('starts its segmentation head at the tumour prior (bias logit(segPrior)), not at p ≈ 0.5', () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(new MultiTaskUNet({ base: 2, seed: 3 }).segHead.bias!.data[0]).toBeCloseTo(logit(0.01), 6);
    expect(new MultiTaskUNet({ base: 2, seed: 3, segPrior: 0.2 }).segHead.bias!.data[0]).toBeCloseTo(logit(0.2), 6);
    const model = new MultiTaskUNet({ base: 4, seed: 1 }).eval();
    const p = noGrad(() => model.forward(randomTensor([2, 2, 32, 32], 5))).data;
    const median = Float32Array.from(p).sort()[p.length >> 1];
    expect(median).toBeGreaterThan(0.002);
    expect(median).toBeLessThan(0.05);
    for (const bad of [0, 1, -0.1, Number.NaN]) expect(() => new MultiTaskUNet({ base: 2, segPrior: bad })).toThrow(/segPrior has to be a probability/);
  });

  it('refuses inputs whose sides are not multiples of 16 or with the wrong channel count', () => {
    const model = new MultiTaskUNet({ base: 2 });
    expect(() => model.forward(randomTensor([1, 2, 24, 32], 1))).toThrow(/multiples of 16.*\[1, 2, 24, 32\]/);
    expect(() => model.forward(randomTensor([1, 3, 32, 32], 1))).toThrow(/\[N, 2, H, W\]/);
  });

  it('MC-dropout passes differ while eval passes are identical', () => {
    const model = new MultiTaskUNet({ base: 4, seed: 2, dropout: 0.3 });
    const x = randomTensor([1, 2, 32, 32], 3);
    model.eval();
    const a = noGrad(() => model.forward(x)).data.slice();
    const b = noGrad(() => model.forward(x)).data.slice();
    expect(a).toEqual(b);
    model.mcDropout();
    model.setDropoutContext({ seed: 1, step: 0 });
    const c = noGrad(() => model.forward(x)).data.slice();
    model.setDropoutContext({ seed: 1, step: 1 });
    const d = noGrad(() => model.forward(x)).data.slice();
    expect(c).not.toEqual(d);
  });
});
