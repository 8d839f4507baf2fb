import { describe, expect, it } from 'vitest';

import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { MultiTaskUNet } from '../../lib/models/unet.js';
import { noGrad } from '../../lib/nn/autograd.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { exportGraph, exportOnnx } from '../../lib/onnx/export.js';
import { decodeModel, encodeModel } from '../../lib/onnx/graph.js';
import { checkWithOnnx, hasOnnxChecker, input, maxAbsDiff, randomizeBatchNorm, runOnnx } from './helpers.js';

const tensor = (a: { data: Float32Array; dims: readonly number[] }) => new Tensor(a.data, a.dims);

describe('ONNX export: SimpleModel', () => {
  const model = new ClinicalClassifier(5, { seed: 3 }).eval();
  const bytes = exportOnnx(model);

  it('ORT output equals the engine forward within 1e-4, for batch 1 and 3 (dynamic axis)', async () => {
    for (const n of [1, 3]) {
      const img = input([n, 1, 16, 16], 10 + n);
      const tab = input([n, 5], 20 + n);
      const expected = noGrad(() => model.forward(tensor(img), tensor(tab)));
      const out = await runOnnx(bytes, { x_img: img, x_tab: tab });
      expect(out.logits.dims).toEqual([n, 2]);
      expect(maxAbsDiff(out.logits.data, expected.data)).toBeLessThan(1e-4);
    }
  });

  it('has named inputs/outputs and passes onnx.checker', () => {
    const decoded = decodeModel(bytes);
    expect(decoded.inputs).toEqual(['x_img', 'x_tab']);
    expect(decoded.outputs).toEqual(['logits']);
    expect(JSON.parse(decoded.metadata.medsynth_architecture)).toEqual(model.architecture());
    if (hasOnnxChecker()) checkWithOnnx(bytes);
  });

  it('export leaves the model untouched (mode and weights)', () => {
    const m = new ClinicalClassifier(4, { seed: 1 });
    const before = m.parameters().map((p) => p.data.slice());
    exportOnnx(m);
    expect(m.mode).toBe('train');
    m.parameters().forEach((p, i) => expect(p.data).toEqual(before[i]));
  });
});

describe('ONNX export: multi-task U-Net', () => {
  const model = new MultiTaskUNet({ base: 4, seed: 7 });
  randomizeBatchNorm(model, 100);
  model.eval();

  it('ORT outputs (segmentation, risk) equal the engine forward within 1e-4', async () => {
    const x = input([2, 2, 32, 32], 5);
    const expected = noGrad(() => model.forwardMultiTask(tensor(x)));
    const out = await runOnnx(exportOnnx(model), { image: x });
    expect(out.segmentation.dims).toEqual([2, 1, 32, 32]);
    expect(out.risk.dims).toEqual([2, 1]);
    expect(maxAbsDiff(out.segmentation.data, expected.segmentation.data)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.risk.data, expected.risk.data)).toBeLessThan(1e-4);
  });

  it('folds every batch norm into its conv, exactly (folded vs unfolded graph in ORT)', async () => {
    const folded = exportGraph(model);
    const unfolded = exportGraph(model, { foldBatchNorm: false });
    expect(unfolded.nodes.filter((n) => n.op === 'BatchNormalization')).toHaveLength(18);
    expect(folded.nodes.filter((n) => n.op === 'BatchNormalization')).toHaveLength(0);
    const x = input([1, 2, 32, 32], 6);
    const a = await runOnnx(encodeModel(folded), { image: x });
    const b = await runOnnx(encodeModel(unfolded), { image: x });
    expect(maxAbsDiff(a.segmentation.data, b.segmentation.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.risk.data, b.risk.data)).toBeLessThan(1e-5);
  });

  it('passes onnx.checker', () => {
    if (hasOnnxChecker()) checkWithOnnx(exportOnnx(model));
  });
});
