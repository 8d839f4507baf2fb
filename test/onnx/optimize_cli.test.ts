import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ClinicalSynth } from '../../lib/generators/clinical2d/synth.js';
import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { saveCheckpoint } from '../../lib/nn/checkpoint.js';
import type { OptimizeReport } from '../../lib/onnx/optimize.js';
import { cli, expectOptimizeRefuses } from './helpers.js';

let dir = '';
let ckpt = '';
let data = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ms-optimize-'));
  data = path.join(dir, 'data');
  expect((await cli(['clinical', '--n', '96', '--size', '32,32', '--seed', '3', '--out', data])).code).toBe(0);
  const nTab = (await new ClinicalSynth({ H: 32, W: 32 }).sampleRange(0, 1)).columns.length;
  // An untrained (seeded) SimpleModel: the mechanics, not the accuracy, are under test here.
  const model = new ClinicalClassifier(nTab, { seed: 1 });
  ckpt = path.join(dir, 'model.safetensors');
  saveCheckpoint(ckpt, model, { architecture: model.architecture() });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('medsynth optimize', () => {
  it('writes FP32, INT8 and pruned models with a benchmark whose INT8 accuracy is close to FP32', async () => {
    const out = path.join(dir, 'out');
    const r = await cli(['optimize', '--model', ckpt, '--data-dir', data, '--output', out, '--quantize', '--benchmark', '--prune', '0.5', '--calibration', '32', '--bench-time', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['benchmark.json', 'benchmark.md', 'model_fp32.onnx', 'model_int8.onnx', 'model_magnitude_fp32.onnx', 'model_magnitude_int8.onnx']);
    const report = JSON.parse(readFileSync(path.join(out, 'benchmark.json'), 'utf8')) as OptimizeReport;
    expect(report.data.heldOutRows).toBe(64);
    expect(report.metrics).toEqual(['accuracy', 'auc']);
    const fp32 = report.models['model_fp32.onnx'];
    const int8 = report.models['model_int8.onnx'];
    const pruned = report.models['model_magnitude_fp32.onnx'];
    expect(Math.abs(int8.drops.accuracy)).toBeLessThanOrEqual(0.1);
    expect(int8.int8?.int8Compute).toBeGreaterThan(0);
    // Fine-tuned with the zeros re-imposed: still half sparse.
    expect(pruned.sparsity).toBeCloseTo(0.5, 2);
    expect(report.notes.join(' ')).toMatch(/fine-tuned on the engine for 3 epochs/);
    expect(report.findings.join(' ')).toMatch(/Magnitude \(unstructured\) pruning (does not make ORT measurably|makes ORT) faster/);
    expect(report.findings.join(' ')).toMatch(/Seed 004's .* against model_magnitude_int8\.onnx/);
    expect(pruned.gzipBytes).toBeLessThan(fp32.gzipBytes);
    expect(fp32.latency['1'].medianMs).toBeGreaterThan(0);
    expect(int8.speedup['2']).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'benchmark.md'), 'utf8')).toMatch(/\| model_int8.onnx \|/);
  }, 300_000);

  it('bad input: a file that is not ours, an empty calibration set, a data dir without the inputs — one line, nothing written', async () => {
    const junk = path.join(dir, 'junk.safetensors');
    writeFileSync(junk, Buffer.from('definitely not a checkpoint'));
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const cases: [string[], RegExp][] = [
      [['--model', junk, '--data-dir', data], /junk\.safetensors/],
      [['--model', ckpt, '--data-dir', data, '--calibration', '0'], /calibration set is empty/],
      [['--model', ckpt, '--data-dir', empty], /has no SimpleModel inputs/],
      [['--model', path.join(dir, 'missing.safetensors'), '--data-dir', data], /no model file .*missing\.safetensors/],
    ];
    await expectOptimizeRefuses(cases, path.join(dir, 'bad'));
  }, 120_000);
});
