// The survival head with clinical covariates (`train petct --clinical-covariates`): the model's
// second input and its ONNX twin, a tiny trained checkpoint that reloads to identical
// predictions and runs through evaluate and demo, and the one-line errors around it; plus
// `medsynth petct --beta`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { parseBeta, parsePetctArgs } from '../../lib/cli/petct.js';
import { runCli } from '../../lib/cli/main.js';
import { UsageError } from '../../lib/cli/args.js';
import { generatePetCtDataset } from '../../lib/generators/petct/index.js';
import { MultiTaskUNet } from '../../lib/models/unet.js';
import { noGrad } from '../../lib/nn/autograd.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { exportOnnx } from '../../lib/onnx/export.js';
import { decodeModel } from '../../lib/onnx/graph.js';
import { openPetCtCohort } from '../../lib/studies/petct/cohort.js';
import { forwardPasses, loadPetCtModel } from '../../lib/studies/petct/model_io.js';
import { demoPetCtModel, evaluatePetCtModel } from '../../lib/studies/petct/run_model.js';
import { loadPatientSlices } from '../../lib/studies/petct/slices.js';
import { PETCT_TRAIN_DEFAULTS, trainPetCt } from '../../lib/studies/petct/train.js';
import { input, maxAbsDiff, randomizeBatchNorm, runOnnx } from '../onnx/helpers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('medsynth-petct-clinical-');
const cohortDir = path.join(tmp.dir, 'cohort');
const runDir = path.join(tmp.dir, 'run');
const best = path.join(runDir, 'best_model.safetensors');
let trained: MultiTaskUNet | null = null;
const tensor = (a: { data: Float32Array; dims: readonly number[] }) => new Tensor(a.data, a.dims);

async function cliLines(argv: string[]): Promise<{ code: number; err: string }> {
  const write = process.stderr.write;
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(argv), err };
  } finally {
    process.stderr.write = write;
  }
}

describe('MultiTaskUNet with clinical covariates', () => {
  it('takes [N, clinical] beside the image; the covariates move the risk, not the segmentation', () => {
    const model = new MultiTaskUNet({ base: 2, seed: 4, clinical: 3 }).eval();
    expect(model.architecture().clinical).toBe(3);
    expect(new MultiTaskUNet({ base: 2 }).architecture()).not.toHaveProperty('clinical');
    const x = input([2, 2, 16, 16], 3);
    const a = noGrad(() => model.forwardMultiTask(tensor(x), Tensor.from(Float32Array.of(0, 0, 0, 1, 1, 1), [2, 3])));
    const b = noGrad(() => model.forwardMultiTask(tensor(x), Tensor.from(Float32Array.of(2, 0, -1, 1, 1, 1), [2, 3])));
    expect(b.segmentation.data).toEqual(a.segmentation.data);
    expect(b.risk.data[0]).not.toBe(a.risk.data[0]);
    expect(b.risk.data[1]).toBe(a.risk.data[1]);
    expect(() => model.forwardMultiTask(tensor(x))).toThrow(/clinical covariates \[2, 3\], got none/);
    expect(() => model.forwardMultiTask(tensor(x), Tensor.from(new Float32Array(4), [2, 2]))).toThrow(/\[2, 3\]/);
    expect(() => new MultiTaskUNet({ base: 2 }).forwardMultiTask(tensor(x), Tensor.from(new Float32Array(6), [2, 3]))).toThrow(/no clinical/);
  });

  it('exports to ONNX with a second input `clinical`; ORT equals the engine forward', async () => {
    const model = new MultiTaskUNet({ base: 4, seed: 9, clinical: 3 });
    randomizeBatchNorm(model, 101);
    model.eval();
    const bytes = exportOnnx(model);
    expect(decodeModel(bytes).inputs).toEqual(['image', 'clinical']);
    const x = input([2, 2, 32, 32], 7);
    const c = input([2, 3], 8);
    const expected = noGrad(() => model.forwardMultiTask(tensor(x), tensor(c)));
    const out = await runOnnx(bytes, { image: x, clinical: c });
    expect(maxAbsDiff(out.segmentation.data, expected.segmentation.data)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.risk.data, expected.risk.data)).toBeLessThan(1e-4);
  });
});

describe('train petct --clinical-covariates, evaluate, demo', () => {
  beforeAll(async () => {
    await generatePetCtDataset({ outputDir: cohortDir, patients: 6, seed: 3, imageSize: [32, 64, 64], preview: false, gzipLevel: 1 });
    await trainPetCt(
      { ...PETCT_TRAIN_DEFAULTS, dataDir: cohortDir, output: runDir, epochs: 1, base: 4, size: 32, batchSize: 4, seed: 1, threads: 1, clinicalCovariates: true },
      () => {},
      () => false,
      (m) => (trained = m),
    );
    return tmp.cleanup;
  }, 120_000);

  it('records the covariates; the checkpoint reloads to identical predictions', async () => {
    const loaded = loadPetCtModel(best);
    expect(loaded.model.clinical).toBe(3);
    expect(loaded.config.clinical_covariates).toEqual(['age', 'male', 'stage']);
    const cohort = openPetCtCohort(cohortDir);
    const p = cohort.patients[0];
    const slices = await loadPatientSlices(cohort, p.id, loaded.sliceOptions);
    const n = Math.min(2, slices.z.length);
    const x = slices.images.subarray(0, n * 2 * 32 * 32);
    const clinical = Float32Array.from({ length: 3 * n }, (_, i) => p.clinical![i % 3]);
    const a = forwardPasses(trained!, x, [n, 2, 32, 32], 1, { mc: false, clinical });
    const b = forwardPasses(loaded.model, x, [n, 2, 32, 32], 1, { mc: false, clinical });
    expect(b.segmentation[0]).toEqual(a.segmentation[0]);
    expect(b.risk[0]).toEqual(a.risk[0]);
    expect(() => forwardPasses(loaded.model, x, [n, 2, 32, 32], 1, { mc: false })).toThrow(/clinical/);
  });

  it('evaluate and demo run on it (and on the image-only model of the same cohort)', async () => {
    const { metrics, files } = await evaluatePetCtModel({ model: best, dataDir: cohortDir, output: path.join(tmp.dir, 'eval'), mcSamples: 2 });
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(metrics.survival.imageOracleCIndex === null || typeof metrics.survival.imageOracleCIndex === 'number').toBe(true);
    const json = JSON.parse(readFileSync(files[0], 'utf8'));
    expect(json.config.clinical_covariates).toEqual(['age', 'male', 'stage']);
    const r = await demoPetCtModel({ model: best, dataDir: cohortDir, output: path.join(tmp.dir, 'demo'), mcSamples: 2, patient: 'patient_0002' });
    expect(existsSync(r.file)).toBe(true);
    expect(r.risk.lower[0]).toBeLessThanOrEqual(r.risk.upper[0]);

    const plainRun = path.join(tmp.dir, 'plain');
    await trainPetCt({ ...PETCT_TRAIN_DEFAULTS, dataDir: cohortDir, output: plainRun, epochs: 1, base: 4, size: 32, batchSize: 4, seed: 1, threads: 1 }, () => {});
    const plain = path.join(plainRun, 'best_model.safetensors');
    expect(loadPetCtModel(plain).model.clinical).toBe(0);
    const e = await evaluatePetCtModel({ model: plain, dataDir: cohortDir, output: path.join(tmp.dir, 'eval_plain'), mcSamples: 2 });
    expect(e.metrics.patients).toBe(2);
    const d = await demoPetCtModel({ model: plain, dataDir: cohortDir, output: path.join(tmp.dir, 'demo_plain'), mcSamples: 2, patient: 'patient_0002' });
    expect(existsSync(d.file)).toBe(true);
  }, 120_000);

  it('bad input: one line, exit 2', async () => {
    // A cohort whose clinical.csv has no age / sex / stage: the clinical model cannot run on it,
    // and training with --clinical-covariates refuses it.
    const bare = path.join(tmp.dir, 'bare_cohort');
    const { cpSync } = await import('node:fs');
    cpSync(cohortDir, bare, { recursive: true });
    const rows = readFileSync(path.join(cohortDir, 'clinical.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    writeFileSync(path.join(bare, 'clinical.csv'), rows.map((r) => [r[0], r[4], r[5]].join(',')).join('\n') + '\n');
    const common = ['--output', path.join(tmp.dir, 'x'), '--n-mc-samples', '2'];
    const cases = [
      ['evaluate', '--model', best, '--data-dir', bare, ...common],
      ['demo', '--model', best, '--data-dir', bare, '--patient', 'patient_0001', ...common],
      ['demo', '--model', best, '--data-dir', cohortDir, '--patient', 'patient_0099', ...common],
      ['evaluate', '--model', best, '--data-dir', tmp.dir, ...common],
      ['train', 'petct', '--data-dir', bare, '--output', path.join(tmp.dir, 'y'), '--epochs', '1', '--base', '2', '--size', '32', '--clinical-covariates'],
      ['petct', '--out', path.join(tmp.dir, 'z'), '--beta', 'tumour=1'],
    ];
    for (const argv of cases) {
      const { code, err } = await cliLines(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  }, 120_000);
});

describe('medsynth petct --beta', () => {
  it('parses named log hazard ratios into survival.beta', () => {
    expect(parseBeta('log_mtv=0.9, stage=0.8,age=-0.1')).toEqual({ log_mtv: 0.9, stage: 0.8, age: -0.1 });
    expect(parsePetctArgs(['--out', 'x', '--beta', 'suvmax=0.4']).options.survival?.beta).toEqual({ suvmax: 0.4 });
    expect(parsePetctArgs(['--out', 'x']).options.survival?.beta).toBeUndefined();
    expect(() => parseBeta('log_mtv')).toThrow(UsageError);
    expect(() => parseBeta('log_mtv=abc')).toThrow(UsageError);
    expect(() => parseBeta('tumour=1')).toThrow(/unknown covariate 'tumour'/);
  });
});
