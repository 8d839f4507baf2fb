// `train petct` → best_model.safetensors → `evaluate` / `demo` on a tiny cohort and a tiny U-Net
// (6 patients, 32×32 slices, base 4, 1 epoch): the checkpoint reloads to the same predictions,
// MC-dropout passes differ while eval passes repeat, and the study's files are written.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../../lib/cli/main.js';
import { generatePetCtDataset } from '../../lib/generators/petct/index.js';
import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { MultiTaskUNet } from '../../lib/models/unet.js';
import { saveCheckpoint } from '../../lib/nn/checkpoint.js';
import { openPetCtCohort } from '../../lib/studies/petct/cohort.js';
import { TRAINING_LOG_COLUMNS } from '../../lib/studies/petct/figures/training_curves.js';
import { forwardPasses, loadPetCtModel } from '../../lib/studies/petct/model_io.js';
import { demoPetCtModel, evaluatePetCtModel } from '../../lib/studies/petct/run_model.js';
import { loadPatientSlices } from '../../lib/studies/petct/slices.js';
import { PETCT_TRAIN_DEFAULTS, trainPetCt } from '../../lib/studies/petct/train.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('medsynth-petct-train-');
const cohortDir = path.join(tmp.dir, 'cohort');
const runDir = path.join(tmp.dir, 'run');
const best = path.join(runDir, 'best_model.safetensors');
let trained: MultiTaskUNet | null = null;

describe('PET/CT study: train petct, evaluate, demo', () => {
  beforeAll(async () => {
    await generatePetCtDataset({ outputDir: cohortDir, patients: 6, seed: 3, imageSize: [32, 64, 64], preview: false, gzipLevel: 1 });
    const r = await trainPetCt(
      { ...PETCT_TRAIN_DEFAULTS, dataDir: cohortDir, output: runDir, epochs: 1, base: 4, size: 32, batchSize: 4, seed: 1, threads: 1 },
      () => {},
      () => false,
      (m) => (trained = m),
    );
    expect(r.epochs).toBe(1);
    expect(r.bestEpoch).toBe(1);
    return tmp.cleanup;
  }, 120_000);

  it('writes the log with the study columns, the curves and a checkpoint that reloads to identical predictions', async () => {
    const log = readFileSync(path.join(runDir, 'training_log.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe(TRAINING_LOG_COLUMNS.join(','));
    expect(log).toHaveLength(2);
    const row = log[1].split(',').map(Number);
    expect(Number.isFinite(row[1])).toBe(true); // train_loss
    expect(existsSync(path.join(runDir, 'training_curves.png'))).toBe(true);

    const loaded = loadPetCtModel(best);
    expect(loaded.sliceOptions.size).toEqual([32, 32]);
    const cohort = openPetCtCohort(cohortDir);
    const slices = await loadPatientSlices(cohort, cohort.patients[0].id, loaded.sliceOptions);
    const n = Math.min(2, slices.z.length);
    const x = slices.images.subarray(0, n * 2 * 32 * 32);
    const a = forwardPasses(trained!, x, [n, 2, 32, 32], 2, { mc: false });
    const b = forwardPasses(loaded.model, x, [n, 2, 32, 32], 1, { mc: false });
    expect(b.segmentation[0]).toEqual(a.segmentation[0]);
    expect(b.risk[0]).toEqual(a.risk[0]);
    // Eval passes repeat; MC-dropout passes differ (and are reproducible for a seed).
    expect(a.segmentation[1]).toEqual(a.segmentation[0]);
    const mc = forwardPasses(loaded.model, x, [n, 2, 32, 32], 2, { mc: true, seed: 5 });
    expect(mc.segmentation[1]).not.toEqual(mc.segmentation[0]);
    expect(mc.risk[1]).not.toEqual(mc.risk[0]);
    const again = forwardPasses(loaded.model, x, [n, 2, 32, 32], 2, { mc: true, seed: 5 });
    expect(again.segmentation[1]).toEqual(mc.segmentation[1]);
  });

  it('evaluate writes metrics.json, report.md and reliability.png for the held-out patients', async () => {
    const out = path.join(tmp.dir, 'eval');
    const { metrics, files } = await evaluatePetCtModel({ model: best, dataDir: cohortDir, output: out, mcSamples: 3 });
    expect(metrics.mcPasses).toBe(3);
    expect(metrics.patients).toBe(2);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(files.map((f) => path.basename(f))).toEqual(['metrics.json', 'report.md', 'reliability.png']);
  });

  it('demo writes the 6-panel figure of one patient', async () => {
    const out = path.join(tmp.dir, 'demo');
    const r = await demoPetCtModel({ model: best, dataDir: cohortDir, output: out, mcSamples: 3, patient: 'patient_0001' });
    expect(existsSync(r.file)).toBe(true);
    expect(r.risk.lower[0]).toBeLessThanOrEqual(r.risk.upper[0]);
  });

  it('bad input: one line, exit 2 (not a cohort, another architecture, not a checkpoint, unknown patient)', async () => {
    const clinical = path.join(tmp.dir, 'clinical.safetensors');
    const clf = new ClinicalClassifier(3);
    saveCheckpoint(clinical, clf, { architecture: clf.architecture() });
    const bare = path.join(tmp.dir, 'bare_unet.safetensors');
    const u = new MultiTaskUNet({ base: 2 });
    saveCheckpoint(bare, u, { architecture: u.architecture() });
    const common = ['--output', path.join(tmp.dir, 'x'), '--n-mc-samples', '2'];
    const cases = [
      ['evaluate', '--model', best, '--data-dir', runDir, ...common],
      ['evaluate', '--model', clinical, '--data-dir', cohortDir, ...common],
      ['evaluate', '--model', bare, '--data-dir', cohortDir, ...common],
      ['evaluate', '--model', path.join(cohortDir, 'clinical.csv'), '--data-dir', cohortDir, ...common],
      ['demo', '--model', best, '--data-dir', cohortDir, '--patient', 'patient_999', ...common],
    ];
    const write = process.stderr.write;
    for (const argv of cases) {
      let err = '';
      process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
      try {
        expect(await runCli(argv)).toBe(2);
      } finally {
        process.stderr.write = write;
      }
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});
