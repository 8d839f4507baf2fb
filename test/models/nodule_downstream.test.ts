import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { binaryMetrics, youdenThreshold } from '../../lib/generators/nodules/classification_metrics.js';
import {
  GAN_SOURCE, TEST_OFFSET, VALIDATION_OFFSET, cohortEntries, evaluationSplits, renderPatchSet, trainingPlan,
} from '../../lib/generators/nodules/downstream.js';
import { resolveNoduleOptions } from '../../lib/generators/nodules/options.js';
import { huToUnit } from '../../lib/models/nodule_gan_run.js';
import { NoduleCritic, NoduleGenerator } from '../../lib/models/nodule_wgan.js';
import { saveCheckpoint } from '../../lib/nn/checkpoint.js';
import { medsynth } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('medsynth-downstream-');
afterAll(() => tmp.cleanup());

/** A randomly initialised generator (size 8) and a critic, saved as gan-train would. */
function ganFiles(): { generator: string; critic: string; generator16: string } {
  const generator = path.join(tmp.dir, 'generator8.safetensors');
  const critic = path.join(tmp.dir, 'critic8.safetensors');
  const generator16 = path.join(tmp.dir, 'generator16.safetensors');
  if (!existsSync(generator)) {
    const g = new NoduleGenerator({ size: 8, width: 1 / 64 }, { seed: 1 });
    saveCheckpoint(generator, g, { architecture: g.architecture() });
    const c = new NoduleCritic({ size: 8, width: 1 / 64 }, { seed: 2 });
    saveCheckpoint(critic, c, { architecture: c.architecture() });
    const g16 = new NoduleGenerator({ size: 16, width: 1 / 64 }, { seed: 1 });
    saveCheckpoint(generator16, g16, { architecture: g16.architecture() });
  }
  return { generator, critic, generator16 };
}

describe('downstream experiment data', () => {
  const o = resolveNoduleOptions({ patchSize: [8, 8, 8], seed: 5 });

  it('training, validation and test sets share no nodule', async () => {
    const train = trainingPlan(o, 60, 'procedural');
    const { validation, test } = evaluationSplits(o, 40, 60);
    const trainIndices = train.filter((e) => e.source === 'cohort' || e.source === 'procedural').map((e) => e.index);
    expect(Math.max(...trainIndices)).toBeLessThan(VALIDATION_OFFSET);
    expect(validation.every((e, i) => e.index === VALIDATION_OFFSET + i)).toBe(true);
    expect(test.every((e, i) => e.index === TEST_OFFSET + i)).toBe(true);
    // Augmented copies are of training-cohort nodules only.
    for (const e of train.filter((x) => x.source === 'augmented')) expect(e.parentIndex!).toBeLessThan(60);
    // And the rendered patches differ: no test patch equals a training patch.
    const render = (entries: typeof train) => renderPatchSet(o, entries, { scale: huToUnit });
    const [a, b] = [await render(train), await render(test)];
    const keys = new Set(a.patches.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64')));
    for (const p of b.patches) expect(keys.has(Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64'))).toBe(false);
  });

  it('balanced training sets are 1:1; the cohort and the test set keep the generated prevalence', () => {
    for (const arm of ['procedural', 'gan'] as const) {
      const plan = trainingPlan(o, 130, arm);
      const malignant = plan.filter((e) => e.malignant).length;
      expect(malignant * 2, arm).toBe(plan.length);
      expect(plan.slice(0, 130)).toEqual(cohortEntries(o, 0, 130));
      if (arm === 'gan') expect(plan.slice(130).every((e) => e.source === GAN_SOURCE && e.malignant)).toBe(true);
    }
    expect(trainingPlan(o, 130, 'none')).toEqual(cohortEntries(o, 0, 130));
    // Prevalence 1/13 of a 12:1 model, within 3 standard errors, on labels alone.
    const n = 3000;
    const { test } = evaluationSplits(o, 40, n);
    const p = test.filter((e) => e.malignant).length / n;
    expect(Math.abs(p - 1 / 13)).toBeLessThan(3 * Math.sqrt((1 / 13) * (12 / 13) / n));
  });

  it('a set too small to hold a malignant nodule is refused', () => {
    // At 1000:1 a handful of nodules holds no malignant one.
    const rare = resolveNoduleOptions({ patchSize: [8, 8, 8], seed: 5, malignantRatio: 1000 });
    expect(cohortEntries(rare, 0, 3).some((e) => e.malignant)).toBe(false);
    expect(() => trainingPlan(rare, 3, 'none')).toThrow(/malignant and benign nodules \(0 malignant of 3/);
    expect(() => evaluationSplits(rare, 3, 3)).toThrow(/nVal/);
  });
});

describe('classification metrics', () => {
  it('match a direct count on a small case', () => {
    const scores = [0.9, 0.4, 0.6, 0.2, 0.5];
    const labels = [1, 1, 0, 0, 1];
    const m = binaryMetrics(scores, labels, 0.5);
    expect([m.tp, m.fn, m.fp, m.tn]).toEqual([2, 1, 1, 1]);
    expect(m.accuracy).toBeCloseTo(3 / 5, 15);
    expect(m.sensitivity).toBeCloseTo(2 / 3, 15);
    expect(m.specificity).toBeCloseTo(1 / 2, 15);
    // Pairs (malignant, benign) ranked correctly: 0.9>0.6, 0.9>0.2, 0.4>0.2, 0.5>0.2 of 6.
    expect(m.auc).toBeCloseTo(4 / 6, 15);
    expect(youdenThreshold(scores, labels)).toBe(0.4);
    expect(binaryMetrics(scores, [0, 0, 0, 0, 0]).sensitivity).toBeNaN();
    expect(() => youdenThreshold(scores, [1, 1, 1, 1, 1])).toThrow(/both classes/);
  });

  it("Youden's threshold maximises sensitivity + specificity over every candidate (random scores with ties)", () => {
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const n = 40;
      const labels = Array.from({ length: n }, (_, i) => (i < 8 || rand() < 0.2 ? 1 : 0));
      const scores = labels.map((y) => Math.round((rand() + 0.3 * y) * 10) / 10);
      const j = (t: number) => {
        const m = binaryMetrics(scores, labels, t);
        return m.sensitivity + m.specificity;
      };
      const best = Math.max(...scores.map(j));
      expect(j(youdenThreshold(scores, labels))).toBeCloseTo(best, 12);
    }
  });
});

describe('medsynth nodules classify', () => {
  const base = ['--n-train', '40', '--n-val', '40', '--n-test', '60', '--size', '8', '--width', '2', '--epochs', '1', '--seeds', '2', '--batch', '8', '--seed', '5', '--threads', '1'];

  it('writes metrics.json, results.md, training_log.csv and predictions.csv, the metrics those of the predictions', () => {
    const out = path.join(tmp.dir, 'run');
    const { generator } = ganFiles();
    const r = medsynth(['nodules', 'classify', '--out', out, ...base, '--balance', 'none,procedural,gan', '--gan-checkpoint', generator]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.runs).toHaveLength(6);
    expect(metrics.summary.map((s: { arm: string }) => s.arm)).toEqual(['none', 'procedural', 'gan']);
    const [header, ...rows] = readFileSync(path.join(out, 'predictions.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(rows).toHaveLength(60);
    const labels = rows.map((row) => Number(row[1]));
    expect(metrics.test.malignant).toBe(labels.reduce((a, b) => a + b, 0));
    expect(rows.every((row, i) => Number(row[0]) === TEST_OFFSET + i)).toBe(true);
    for (const run of metrics.runs) {
      const column = header.indexOf(`${run.arm}_seed${run.seed}`);
      const scores = rows.map((row) => Number(row[column]));
      expect(run.at_0_5).toEqual(binaryMetrics(scores, labels, 0.5));
      expect(run.at_validation_threshold).toEqual(binaryMetrics(scores, labels, run.validation_threshold));
    }
    expect(metrics.oracle.at_0_5).toEqual(binaryMetrics(rows.map((row) => Number(row[2])), labels, 0.5));
    expect(metrics.summary[1].train_malignant * 2).toBe(metrics.summary[1].train_size);
    const log = readFileSync(path.join(out, 'training_log.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('arm,seed,epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds');
    expect(log).toHaveLength(1 + 6);
    const table = readFileSync(path.join(out, 'results.md'), 'utf8');
    for (const s of ['imbalanced', 'procedural + augmented', 'WGAN-GP', 'oracle', 'val. Youden', '| accuracy | sensitivity | specificity | AUC |']) expect(table).toContain(s);
  });

  it('bad input: one-line errors, exit 2, nothing written', () => {
    const { generator, critic, generator16 } = ganFiles();
    const notCheckpoint = path.join(tmp.dir, 'not_a_checkpoint.safetensors');
    writeFileSync(notCheckpoint, 'hello');
    const cases: Array<[string[], RegExp]> = [
      [['--balance', 'none,smote'], /unknown training set 'smote'/],
      [['--balance', 'gan'], /needs --gan-checkpoint/],
      [['--balance', 'none', '--gan-checkpoint', generator], /--balance gan only/],
      [['--balance', 'gan', '--gan-checkpoint', path.join(tmp.dir, 'missing.safetensors')], /does not exist/],
      [['--balance', 'gan', '--gan-checkpoint', critic], /NoduleCritic, not a NoduleGenerator/],
      [['--balance', 'gan', '--gan-checkpoint', notCheckpoint], /not a nodule WGAN generator checkpoint/],
      [['--balance', 'gan', '--gan-checkpoint', generator16], /generates 16³ nodules/],
      [['--n-train', '3', '--malignant-ratio', '1000'], /0 malignant of 3.*nTrain/],
      [['--n-test', '2'], /nTest/],
      [['--size', '10'], /multiple of 4/],
    ];
    for (const [extra, message] of cases) {
      const out = path.join(tmp.dir, `bad-${extra.join('_').replace(/[^a-z0-9-]/gi, '')}`);
      const r = medsynth(['nodules', 'classify', '--out', out, ...base, ...extra]);
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), extra.join(' ')).toHaveLength(1);
      expect(r.stderr, extra.join(' ')).toMatch(message);
      expect(existsSync(out), extra.join(' ')).toBe(false);
    }
  });
});

describe('medsynth nodules --balance --balance-source gan', () => {
  it('balances 1:1 with generated nodules from a checkpoint, and refuses a foreign one', () => {
    const { generator, critic } = ganFiles();
    const out = path.join(tmp.dir, 'gan-balanced');
    const r = medsynth(['nodules', '--out', out, '--n', '30', '--size', '8', '--seed', '5', '--balance', '--balance-source', 'gan', '--gan-checkpoint', generator, '--no-preview']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const m = /wrote (\d+) nodules \((\d+) malignant\)/.exec(r.stdout)!;
    expect(Number(m[1])).toBe(2 * Number(m[2]));
    const cases: Array<[string[], RegExp]> = [
      [['--balance', '--balance-source', 'gan'], /needs --gan-checkpoint/],
      [['--balance', '--balance-source', 'gan', '--gan-checkpoint', critic], /not a NoduleGenerator/],
      [['--balance', '--balance-source', 'gan', '--gan-checkpoint', generator, '--size', '16'], /generates 8³ nodules/],
      [['--balance', '--balance-source', 'smote'], /procedural or gan/],
      [['--balance-source', 'gan', '--gan-checkpoint', generator], /goes with --balance/],
    ];
    for (const [extra, message] of cases) {
      const bad = path.join(tmp.dir, `bad-balance-${extra.join('_').replace(/[^a-z0-9-]/gi, '')}`);
      const res = medsynth(['nodules', '--out', bad, '--n', '10', '--size', '8', ...extra]);
      expect(res.status, extra.join(' ')).toBe(2);
      expect(res.stderr.trim().split('\n'), extra.join(' ')).toHaveLength(1);
      expect(res.stderr, extra.join(' ')).toMatch(message);
      expect(existsSync(bad), extra.join(' ')).toBe(false);
    }
  });
});
