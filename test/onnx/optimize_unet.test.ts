// `medsynth optimize` on a PET/CT U-Net from `medsynth train petct` (tiny: 6 patients, 32×32
// slices, base 4, 1 epoch): calibration on the training split, Dice and C-index on the held-out
// patients for FP32, INT8 and the magnitude- and channel-pruned (fine-tuned) variants; bad input.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { generatePetCtDataset } from '../../lib/generators/petct/index.js';
import { MultiTaskUNet } from '../../lib/models/unet.js';
import { saveCheckpoint } from '../../lib/nn/checkpoint.js';
import type { OptimizeReport } from '../../lib/onnx/optimize.js';
import { spreadIndices } from '../../lib/onnx/unet_task.js';
import { PETCT_TRAIN_DEFAULTS, trainPetCt } from '../../lib/studies/petct/train.js';
import { tempDir } from '../helpers/tmp.js';
import { cli, expectOptimizeRefuses } from './helpers.js';

const tmp = tempDir('medsynth-optimize-unet-');
const cohort = path.join(tmp.dir, 'cohort');
const best = path.join(tmp.dir, 'run', 'best_model.safetensors');

describe('medsynth optimize on a PET/CT U-Net', () => {
  beforeAll(async () => {
    await generatePetCtDataset({ outputDir: cohort, patients: 6, seed: 3, imageSize: [32, 64, 64], preview: false, gzipLevel: 1 });
    await trainPetCt({ ...PETCT_TRAIN_DEFAULTS, dataDir: cohort, output: path.join(tmp.dir, 'run'), epochs: 1, base: 4, size: 32, batchSize: 4, seed: 1, threads: 1 }, () => {});
    return tmp.cleanup;
  }, 180_000);

  it('spreads calibration slices evenly over the training slices', () => {
    expect(spreadIndices(10, 4)).toEqual([1, 3, 6, 8]);
    expect(spreadIndices(3, 8)).toEqual([0, 1, 2]);
  });

  it('writes FP32, INT8, magnitude- and channel-pruned models with Dice / C-index on the held-out patients', async () => {
    const out = path.join(tmp.dir, 'opt');
    const r = await cli(['optimize', '--model', best, '--data-dir', cohort, '--output', out, '--quantize', '--benchmark', '--prune', '0.5', '--calibration', '8', '--finetune-epochs', '1', '--bench-time', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'benchmark.json', 'benchmark.md', 'model_channels_fp32.onnx', 'model_channels_int8.onnx',
      'model_fp32.onnx', 'model_int8.onnx', 'model_magnitude_fp32.onnx', 'model_magnitude_int8.onnx',
    ]);
    const report = JSON.parse(readFileSync(path.join(out, 'benchmark.json'), 'utf8')) as OptimizeReport;
    expect(report.architecture.name).toBe('MultiTaskUNet');
    expect(report.metrics).toEqual(['dice', 'cIndex']);
    expect(report.data).toMatchObject({ size: [32, 32], trainPatients: 4, heldOutPatients: 2, calibrationSlices: 8 });
    const m = report.models;
    for (const f of Object.keys(m)) {
      expect(m[f].metrics.dice).toBeGreaterThanOrEqual(0);
      expect(m[f].metrics.dice).toBeLessThanOrEqual(1);
      expect(m[f].latency['1'].medianMs).toBeGreaterThan(0);
    }
    expect(m['model_int8.onnx'].int8?.int8Compute).toBeGreaterThan(20);
    expect(m['model_int8.onnx'].bytes * 3).toBeLessThan(m['model_fp32.onnx'].bytes);
    expect(Math.abs(m['model_int8.onnx'].drops.dice)).toBeLessThan(0.05);
    expect(m['model_magnitude_fp32.onnx'].sparsity).toBeGreaterThanOrEqual(0.5);
    expect(m['model_magnitude_fp32.onnx'].gzipBytes).toBeLessThan(m['model_fp32.onnx'].gzipBytes);
    expect(m['model_channels_fp32.onnx'].parameters).toBeLessThan(0.7 * m['model_fp32.onnx'].parameters);
    expect(report.notes.join(' ')).toMatch(/channels .* fine-tuned on the engine for 1 epochs on the \d+ training slices/);
    const findings = report.findings.join('\n');
    expect(findings).toMatch(/Channel \(structured\) pruning (does not make ORT measurably faster|makes ORT faster) \(FP32 .* at 1 thread/);
    expect(findings).toMatch(/Seed 004's .* against model_channels_int8\.onnx: .* faster at 1 thread \((beaten|not reached)\)/);
    const md = readFileSync(path.join(out, 'benchmark.md'), 'utf8');
    if (process.env.MEDSYNTH_SHOW) process.stderr.write(md);
    expect(md).toMatch(/\| model \| parameters \| MB \| gzip MB \| dice \| Δdice \| cIndex \| ΔcIndex \|/);
    expect(md).toMatch(/## What the measurements say/);
    expect(r.stdout).toMatch(/model_int8\.onnx: .* dice /);
  }, 600_000);

  it('bad input: clinical dir for a U-Net, a corrupt or foreign checkpoint, a U-Net not from train petct — one line, nothing written', async () => {
    const corrupt = path.join(tmp.dir, 'corrupt.safetensors');
    writeFileSync(corrupt, readFileSync(best).subarray(0, 200));
    const bare = path.join(tmp.dir, 'bare_unet.safetensors');
    const u = new MultiTaskUNet({ base: 2 });
    saveCheckpoint(bare, u, { architecture: u.architecture() });
    const clinical = path.join(tmp.dir, 'clinical');
    expect((await cli(['clinical', '--n', '8', '--size', '32,32', '--seed', '1', '--out', clinical])).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [['--model', best, '--data-dir', clinical], /--data-dir has no inputs for the PET\/CT U-Net: .* is not a medsynth petct output directory/],
      [['--model', best, '--data-dir', path.join(tmp.dir, 'run')], /--data-dir has no inputs for the PET\/CT U-Net/],
      [['--model', corrupt, '--data-dir', cohort], /corrupt\.safetensors is not a medsynth checkpoint/],
      [['--model', path.join(cohort, 'clinical.csv'), '--data-dir', cohort], /clinical\.csv is not a medsynth checkpoint/],
      [['--model', bare, '--data-dir', cohort], /not a PET\/CT MultiTaskUNet from 'medsynth train petct'/],
      [['--model', best, '--data-dir', cohort, '--calibration', '0'], /calibration set is empty/],
    ];
    await expectOptimizeRefuses(cases, path.join(tmp.dir, 'bad'));
  }, 120_000);
});
