// The U-Net survival head's pooling option (avg | max | avgmax): the global max pool's values and
// gradient, the ONNX export against the engine, the checkpoint round trip and the CLI flag.
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseTrainPetCtArgs } from '../../lib/cli/petct_study.js';
import { UsageError } from '../../lib/cli/args.js';
import { GlobalAvgMaxPool2d, MultiTaskUNet } from '../../lib/models/unet.js';
import { grad, noGrad } from '../../lib/nn/autograd.js';
import { saveCheckpoint } from '../../lib/nn/checkpoint.js';
import { AdaptiveMaxPool2d } from '../../lib/nn/layers/index.js';
import { mul } from '../../lib/nn/ops/pointwise.js';
import { sum } from '../../lib/nn/ops/reduce.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { exportGraph, exportOnnx } from '../../lib/onnx/export.js';
import { channelPruneUNet } from '../../lib/onnx/prune.js';
import { forwardPasses, loadPetCtModel } from '../../lib/studies/petct/model_io.js';
import { describeSliceOptions, resolveSliceOptions } from '../../lib/studies/petct/slices.js';
import { tempDir } from '../helpers/tmp.js';
import { expectFiniteDifferences, randomTensor } from '../nn/helpers.js';
import { checkWithOnnx, cli, hasOnnxChecker, input, maxAbsDiff, randomizeBatchNorm, runOnnx } from '../onnx/helpers.js';

const tensor = (a: { data: Float32Array; dims: readonly number[] }) => new Tensor(a.data, a.dims);
const dot = (t: Tensor, r: Tensor) => sum(mul(t, r));

describe('global max pool', () => {
  it('AdaptiveMaxPool2d(1) is the per-plane maximum', () => {
    const x = randomTensor([2, 3, 5, 4], 1);
    const y = new AdaptiveMaxPool2d(1).forward(x);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    for (let p = 0; p < 6; p++) expect(y.data[p]).toBe(Math.max(...x.data.subarray(p * 20, (p + 1) * 20)));
    expect(() => new AdaptiveMaxPool2d(1).forward(randomTensor([2, 3, 4], 1))).toThrow(/AdaptiveMaxPool2d.*\[N, \*, \*, \*\]/);
  });

  it('the gradients of max and avg‖max pooling match central differences', () => {
    for (const layer of [new AdaptiveMaxPool2d(1), new GlobalAvgMaxPool2d()]) {
      const x = randomTensor([2, 3, 4, 4], 2, { requiresGrad: true });
      const r = randomTensor([...layer.forward(x).shape], 3);
      const analytic = grad(dot(layer.forward(x), r), [x]);
      expect(analytic[0].data.some((v) => v !== 0)).toBe(true);
      expectFiniteDifferences(([xi]) => dot(layer.forward(xi), r).item(), [x], analytic);
    }
  });

  it('avg‖max puts the average first, then the maximum', () => {
    const x = randomTensor([1, 2, 4, 4], 4);
    const y = new GlobalAvgMaxPool2d().forward(x);
    expect(y.shape).toEqual([1, 4, 1, 1]);
    const plane = (c: number) => [...x.data.subarray(c * 16, (c + 1) * 16)];
    expect(y.data[0]).toBeCloseTo(plane(0).reduce((a, b) => a + b) / 16, 5);
    expect(y.data[3]).toBe(Math.max(...plane(1)));
  });
});

describe('MultiTaskUNet survivalPool', () => {
  it("changes only the head: 'avgmax' widens its first Linear to 32b; 'avg' is today's model", () => {
    const avg = new MultiTaskUNet({ base: 4, seed: 1 });
    const max = new MultiTaskUNet({ base: 4, seed: 1, survivalPool: 'max' });
    const both = new MultiTaskUNet({ base: 4, seed: 1, survivalPool: 'avgmax' });
    expect(max.parameterCount()).toBe(avg.parameterCount());
    expect(both.stateDict().get('survival.2.weight')!.shape).toEqual([16, 128]);
    expect(avg.architecture()).not.toHaveProperty('survival_pool');
    expect(max.architecture()).toMatchObject({ survival_pool: 'max' });
    expect(() => new MultiTaskUNet({ base: 4, survivalPool: 'sum' as never })).toThrow(/survival pool.*avg, max, avgmax.*sum/);
    const x = randomTensor([2, 2, 32, 32], 5);
    avg.eval();
    max.eval();
    const a = noGrad(() => avg.forwardMultiTask(x));
    const m = noGrad(() => max.forwardMultiTask(x));
    expect(m.segmentation.data).toEqual(a.segmentation.data);
    expect(m.risk.data).not.toEqual(a.risk.data);
  });

  for (const pool of ['max', 'avgmax'] as const) {
    it(`${pool}: FP32 ONNX outputs equal the engine forward within 1e-4 and pass onnx.checker`, async () => {
      const model = new MultiTaskUNet({ base: 4, seed: 7, survivalPool: pool });
      randomizeBatchNorm(model, 100);
      model.eval();
      const x = input([2, 2, 32, 32], 5);
      const expected = noGrad(() => model.forwardMultiTask(tensor(x)));
      const bytes = exportOnnx(model);
      const out = await runOnnx(bytes, { image: x });
      expect(out.risk.dims).toEqual([2, 1]);
      expect(maxAbsDiff(out.segmentation.data, expected.segmentation.data)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.risk.data, expected.risk.data)).toBeLessThan(1e-4);
      const ops = exportGraph(model).nodes.map((n) => n.op);
      expect(ops).toContain('GlobalMaxPool');
      expect(ops.includes('GlobalAveragePool')).toBe(pool === 'avgmax');
      if (hasOnnxChecker()) checkWithOnnx(bytes);
    });
  }

  it('channel pruning (medsynth optimize) keeps the pool', () => {
    const model = new MultiTaskUNet({ base: 4, seed: 9, survivalPool: 'avgmax' }).eval();
    const pruned = channelPruneUNet(model, 0.5);
    expect(pruned.survivalPool).toBe('avgmax');
    expect(pruned.stateDict().get('survival.2.weight')!.shape).toEqual([16, 128]);
  });

  it('with clinical covariates too: ORT equals the engine forward', async () => {
    const model = new MultiTaskUNet({ base: 4, seed: 8, clinical: 3, survivalPool: 'avgmax' });
    randomizeBatchNorm(model, 101);
    model.eval();
    const x = input([2, 2, 32, 32], 6);
    const c = input([2, 3], 7);
    const expected = noGrad(() => model.forwardMultiTask(tensor(x), tensor(c)));
    const out = await runOnnx(exportOnnx(model), { image: x, clinical: c });
    expect(maxAbsDiff(out.risk.data, expected.risk.data)).toBeLessThan(1e-4);
  });
});

describe('survival pool in the checkpoint and on the command line', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  it('a checkpoint reloads with its pool, to identical predictions; one without the key is avg', () => {
    const config = { study: 'petct', slices: describeSliceOptions(resolveSliceOptions({ size: [32, 32] })), split: { seed: 0, validationFraction: 0.3 } };
    const x = input([2, 2, 32, 32], 9).data;
    for (const pool of ['avg', 'max', 'avgmax'] as const) {
      const model = new MultiTaskUNet({ base: 4, seed: 3, survivalPool: pool });
      randomizeBatchNorm(model, 102);
      const file = path.join(tmp.dir, `${pool}.safetensors`);
      saveCheckpoint(file, model, { architecture: model.architecture(), config: { ...config, survival_pool: pool }, training: {} });
      const loaded = loadPetCtModel(file);
      expect(loaded.model.survivalPool).toBe(pool);
      const a = forwardPasses(model, x, [2, 2, 32, 32], 1, { mc: false });
      const b = forwardPasses(loaded.model, x, [2, 2, 32, 32], 1, { mc: false });
      expect(b.risk[0]).toEqual(a.risk[0]);
      expect(b.segmentation[0]).toEqual(a.segmentation[0]);
    }
  });

  it('--survival-pool avg|max|avgmax; anything else is a one-line usage error, exit 2', async () => {
    const base = ['--data-dir', 'd', '--output', 'o'];
    expect(parseTrainPetCtArgs(base)!.survivalPool).toBeUndefined();
    expect(parseTrainPetCtArgs([...base, '--survival-pool', 'max'])!.survivalPool).toBe('max');
    expect(parseTrainPetCtArgs([...base, '--survival-pool', 'avgmax'])!.survivalPool).toBe('avgmax');
    expect(() => parseTrainPetCtArgs([...base, '--survival-pool', 'mean'])).toThrow(UsageError);
    const r = await cli(['train', 'petct', ...base, '--survival-pool', 'mean']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--survival-pool must be one of avg, max, avgmax, got 'mean'/);
  });
});
