import { describe, expect, it } from 'vitest';

import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { MultiTaskUNet } from '../../lib/models/unet.js';
import { entropyThreshold } from '../../lib/onnx/calibrate.js';
import { exportGraph } from '../../lib/onnx/export.js';
import { cloneGraph, encodeModel } from '../../lib/onnx/graph.js';
import { int8Report } from '../../lib/onnx/int8_report.js';
import { activationParams, quantizeWeights } from '../../lib/onnx/quantize.js';
import { quantizeModel } from '../../lib/onnx/quantize_model.js';
import { rewriteConvTranspose } from '../../lib/onnx/rewrite_conv_transpose.js';
import { channelsOf, splitConcatConv } from '../../lib/onnx/split_concat_conv.js';
import { checkWithOnnx, hasOnnxChecker, input, maxAbsDiff, randomizeBatchNorm, runOnnx } from './helpers.js';

function unet(base = 4) {
  const model = new MultiTaskUNet({ base, seed: 11 });
  randomizeBatchNorm(model, 50);
  return model.eval();
}

describe('ConvTranspose rewrite', () => {
  it('2×2/stride-2 ConvTranspose = 1×1 Conv to 4·C + DepthToSpace, exactly', async () => {
    const graph = exportGraph(unet());
    const rewritten = cloneGraph(graph);
    expect(rewriteConvTranspose(rewritten)).toBe(4);
    expect(rewritten.nodes.some((n) => n.op === 'ConvTranspose')).toBe(false);
    const x = input([2, 2, 32, 32], 9);
    const a = await runOnnx(encodeModel(graph), { image: x });
    const b = await runOnnx(encodeModel(rewritten), { image: x });
    expect(maxAbsDiff(a.segmentation.data, b.segmentation.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.risk.data, b.risk.data)).toBeLessThan(1e-5);
  });
});

describe('Concat → Conv split', () => {
  it('Conv(Concat(a, b)) = Conv(a, W_a) + Conv(b, W_b), exactly up to float rounding; named convs are left alone', async () => {
    const graph = exportGraph(unet());
    rewriteConvTranspose(graph);
    const split = cloneGraph(graph);
    expect(channelsOf(split, 'image')).toBe(2);
    expect(channelsOf(split, split.nodes.find((n) => n.name === 'cat1')!.outputs[0])).toBe(8);
    expect(splitConcatConv(split)).toHaveLength(8);
    expect(split.nodes.some((n) => n.op === 'Concat')).toBe(false);
    expect(split.nodes.filter((n) => n.op === 'Add').map((n) => n.name)).toEqual(['dec4.0.sum', 'dec3.0.sum', 'dec2.0.sum', 'dec1.0.sum']);
    const x = input([2, 2, 32, 32], 9);
    const a = await runOnnx(encodeModel(graph), { image: x });
    const b = await runOnnx(encodeModel(split), { image: x });
    expect(maxAbsDiff(a.segmentation.data, b.segmentation.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.risk.data, b.risk.data)).toBeLessThan(1e-5);
    const kept = cloneGraph(graph);
    expect(splitConcatConv(kept, ['dec1.0'])).toHaveLength(6);
    expect(kept.nodes.filter((n) => n.op === 'Concat').map((n) => n.name)).toEqual(['cat1']);
  });
});

describe('quantization helpers', () => {
  it('per-channel symmetric weights: max |w| of each channel maps to ±127, zero stays zero', () => {
    const { q, scales } = quantizeWeights(Float32Array.of(0.5, -0.25, 0, 2, -1, 1), 2);
    expect([...q]).toEqual([127, -64, 0, 127, -64, 64]);
    expect(scales[0]).toBeCloseTo(0.5 / 127, 8);
    expect(scales[1]).toBeCloseTo(2 / 127, 8);
  });

  it('uint8 activation parameters represent 0 exactly and cover the range', () => {
    expect(activationParams({ lo: 0, hi: 5.1 })).toEqual({ scale: Math.fround(0.02), zeroPoint: 0 });
    const p = activationParams({ lo: -1, hi: 3 });
    expect(p.zeroPoint).toBe(64);
    expect(p.scale * (255 - p.zeroPoint)).toBeGreaterThanOrEqual(3 - p.scale);
  });

  it('entropy calibration clips a long thin tail and keeps a compact histogram whole', () => {
    const compact = new Float64Array(2048);
    for (let i = 0; i < 2048; i++) compact[i] = 100;
    expect(entropyThreshold(compact, 1, 128)).toBe(2048);
    const tailed = new Float64Array(2048);
    for (let i = 0; i < 200; i++) tailed[i] = 10000 * Math.exp(-i / 30);
    tailed[2047] = 1;
    expect(entropyThreshold(tailed, 1, 128)).toBeLessThan(600);
  });
});

describe('static INT8 quantization (QDQ)', () => {
  const model = unet(8);
  const fp32 = exportGraph(model);
  const samples = [0, 1, 2, 3].map((s) => ({ image: input([1, 2, 64, 64], 30 + s) }));

  for (const [method, splitConcat] of [['minmax', false], ['percentile', false], ['entropy', false], ['entropy', true]] as const) {
    it(`${method}${splitConcat ? ' with the Concat split' : ''}: the INT8 model runs in ORT and stays close to FP32 on calibration-like data`, async () => {
      const { graph, rewritten } = await quantizeModel(fp32, samples, { method, splitConcat });
      expect(rewritten).toBe(4);
      const bytes = encodeModel(graph);
      const x = { image: input([1, 2, 64, 64], 99) };
      const ref = await runOnnx(encodeModel(fp32), x);
      const q = await runOnnx(bytes, x);
      const range = Math.max(...ref.segmentation.data) - Math.min(...ref.segmentation.data);
      expect(maxAbsDiff(q.segmentation.data, ref.segmentation.data)).toBeLessThan(0.05 * range);
      expect(Math.abs(q.risk.data[0] - ref.risk.data[0])).toBeLessThan(0.05 * Math.abs(ref.risk.data[0]) + 0.002);
    });
  }

  it('ORT runs every conv in int8 (QLinearConv), including the rewritten up-sampling; keep-float leaves named convs float', async () => {
    const { graph } = await quantizeModel(fp32, samples.slice(0, 2));
    const report = await int8Report(encodeModel(graph));
    expect(report.floatCompute).toEqual([]);
    expect(report.ops.QLinearConv).toBe(18 + 4 + 1);
    expect(report.ops.QLinearConcat).toBe(4);
    const kept = await quantizeModel(fp32, samples.slice(0, 2), { keepFloat: ['enc1.0', 'seg_head'] });
    const keptReport = await int8Report(encodeModel(kept.graph));
    expect(keptReport.ops.QLinearConv).toBe(18 + 4 + 1 - 2);
    expect(keptReport.floatCompute.length).toBe(2);
    // With the decoder Concat → Conv split: 4 more QLinearConvs, 4 QLinearAdds, no QLinearConcat.
    const split = await int8Report(encodeModel((await quantizeModel(fp32, samples.slice(0, 2), { splitConcat: true })).graph));
    expect(split.ops.QLinearConv).toBe(18 + 4 + 4 + 1);
    expect(split.ops.QLinearAdd).toBe(4);
    expect(split.ops.QLinearConcat).toBeUndefined();
  });

  it('passes onnx.checker', async () => {
    const { graph } = await quantizeModel(fp32, samples.slice(0, 1));
    if (hasOnnxChecker()) checkWithOnnx(encodeModel(graph));
  });

  it('refuses an empty calibration set and unknown keep-float names', async () => {
    await expect(quantizeModel(fp32, [])).rejects.toThrow(/calibration set is empty/);
    await expect(quantizeModel(fp32, samples.slice(0, 1), { keepFloat: ['nope'] })).rejects.toThrow(/names no node.*nope/);
  });

  it('quantizes SimpleModel (Conv + Gemm) and its logits stay close', async () => {
    const clf = new ClinicalClassifier(5, { seed: 2 }).eval();
    const g = exportGraph(clf);
    const cal = [0, 1, 2].map((s) => ({ x_img: input([4, 1, 16, 16], s), x_tab: input([4, 5], 10 + s) }));
    const { graph } = await quantizeModel(g, cal);
    const x = { x_img: input([4, 1, 16, 16], 7), x_tab: input([4, 5], 17) };
    const ref = await runOnnx(encodeModel(g), x);
    const q = await runOnnx(encodeModel(graph), x);
    expect(maxAbsDiff(q.logits.data, ref.logits.data)).toBeLessThan(0.05);
  });
});
