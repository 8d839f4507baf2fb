import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { runCli } from '../../lib/cli/main.js';
import { trainClinical, type ClinicalTrainOptions, type TrainEvent } from '../../lib/models/clinical_training.js';
import { decodeSafetensors } from '../../lib/nn/safetensors.js';
import { BIN, medsynth } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function options(out: string, over: Partial<ClinicalTrainOptions> = {}): ClinicalTrainOptions {
  return { size: [32, 32], nTrain: 64, nVal: 16, nTest: 16, epochs: 2, batchSize: 16, lr: 1e-3, seed: 0, out: path.join(tmp.dir, out), ...over };
}

describe('trainClinical (seed 000 notebook)', () => {
  it('reaches a clearly-better-than-chance test AUC at a small size', async () => {
    const lines: string[] = [];
    const r = await trainClinical(options('quality', { size: [32, 32], nTrain: 1500, nVal: 100, nTest: 1500, epochs: 4, lr: 3e-3 }), (e) => {
      if (e.type === 'epoch') lines.push(e.line);
    });
    const m = r.metrics!;
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Epoch 01 \| Train loss \d\.\d{3} acc \d\.\d{3} \| Val loss \d\.\d{3} acc \d\.\d{3}$/);
    // 1500 test samples, ~26% positive: chance is an AUC of 0.5 ± 0.016 (1 SE). The labels are noisy
    // (eta_fn 0.25, eta_fp 0.2 at ~6% prevalence), so even the Bayes oracle P(y | z) reaches only ~0.58.
    expect(m.test_auc).toBeGreaterThan(0.55);
    expect(Math.abs(m.test_auc - m.oracle_auc)).toBeLessThan(0.05);
    expect(m.test_accuracy).toBeGreaterThanOrEqual(m.majority_accuracy - 0.02);
  }, 600_000);

  it('writes the model, log, predictions and metrics; resuming gives the same weights as one run', async () => {
    const events: TrainEvent[] = [];
    const full = await trainClinical(options('full', { epochs: 3 }), (e) => events.push(e));
    const dir = path.join(tmp.dir, 'full');
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.optim.safetensors', 'checkpoint.safetensors', 'metrics.json', 'model.safetensors', 'predictions.csv', 'training_log.csv']);
    const log = readFileSync(path.join(dir, 'training_log.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds');
    expect(log).toHaveLength(4);
    const preds = readFileSync(path.join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(preds[0]).toBe('index,y,probability');
    expect(preds).toHaveLength(17);
    const metrics = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    for (const k of ['test_accuracy', 'test_auc', 'oracle_auc', 'oracle_accuracy']) expect(k in metrics).toBe(true);
    expect(metrics.test_accuracy).toBe(full.metrics!.test_accuracy);
    expect(events.filter((e) => e.type === 'batch').length).toBeGreaterThanOrEqual(3 * 5);

    await trainClinical(options('part', { epochs: 2 }), () => {});
    const resumed = path.join(tmp.dir, 'resumed');
    await trainClinical(options('resumed', { epochs: 3, resume: path.join(tmp.dir, 'part', 'checkpoint.safetensors') }), () => {});
    const a = decodeSafetensors(readFileSync(path.join(dir, 'model.safetensors'))).tensors;
    const b = decodeSafetensors(readFileSync(path.join(resumed, 'model.safetensors'))).tensors;
    for (const [k, t] of a) expect(b.get(k)!.data, k).toEqual(t.data);
  }, 300_000);

  it('resumes an interrupted epoch exactly where it stopped', async () => {
    let polls = 0;
    const r = await trainClinical(options('interrupted', { epochs: 2 }), () => {}, () => ++polls > 6);
    expect(r.interrupted).toBe(true);
    await trainClinical(options('interrupted-done', { epochs: 2, resume: path.join(tmp.dir, 'interrupted', 'checkpoint.safetensors') }), () => {});
    await trainClinical(options('straight', { epochs: 2 }), () => {});
    const a = decodeSafetensors(readFileSync(path.join(tmp.dir, 'straight', 'model.safetensors'))).tensors;
    const b = decodeSafetensors(readFileSync(path.join(tmp.dir, 'interrupted-done', 'model.safetensors'))).tensors;
    for (const [k, t] of a) expect(b.get(k)!.data, k).toEqual(t.data);
  }, 300_000);

  it('stops on a NaN/Inf loss with a clear message and keeps the last good checkpoint', async () => {
    const out = options('diverged', { lr: 1e30, epochs: 6 });
    await expect(trainClinical(out, () => {})).rejects.toThrow(/training loss became (NaN|Infinity|-Infinity) at step \d+ .*stopped before applying that update; (the last good checkpoint is .*checkpoint\.safetensors|no checkpoint was written)/);
    expect(existsSync(path.join(out.out, 'model.safetensors'))).toBe(false);
  }, 300_000);

  it('refuses to resume another configuration', async () => {
    await expect(trainClinical(options('other', { batchSize: 8, resume: path.join(tmp.dir, 'part', 'checkpoint.safetensors') }), () => {})).rejects.toThrow(/another configuration:\s+batch_size: checkpoint 16, expected 8/);
  });
});

describe('medsynth train clinical (CLI, worker thread)', () => {
  it('prints help with every flag', () => {
    const help = medsynth(['train', 'clinical', '--help']);
    expect(help.status).toBe(0);
    for (const f of ['--size', '--n-train', '--n-val', '--n-test', '--epochs', '--batch-size', '--lr', '--seed', '--out', '--threads', '--resume']) expect(help.stdout).toContain(f);
  });

  it.each([
    [['--size', '4,4'], /--size/],
    [['--epochs', '0'], /--epochs/],
    [['--lr', '0'], /--lr/],
    [['--batch-size', 'x'], /--batch-size/],
    [['--bogus'], /unknown option/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['train', 'clinical', '--out', path.join(tmp.dir, 'x'), ...args])).toBe(2);
      const text = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(text).toMatch(message);
    } finally {
      stderr.mockRestore();
    }
  });

  it('trains in a worker and prints the seed\'s epoch lines and the test accuracy', () => {
    const out = path.join(tmp.dir, 'cli');
    const r = medsynth(['train', 'clinical', '--size', '16,16', '--n-train', '32', '--n-val', '8', '--n-test', '8', '--epochs', '2', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Epoch 01 \| Train loss .* \| Val loss .*\nEpoch 02 \|/);
    expect(r.stdout).toMatch(/Test accuracy: \d\.\d{3}/);
    expect(r.stderr).toMatch(/Epoch 01\/2 train: 32\/32 \(100%\) .*\/s ETA .* loss \d\.\d{3} acc/);
    expect(existsSync(path.join(out, 'model.safetensors'))).toBe(true);
  });

  it('a diverging run stops with TRAINING_DIVERGED, exit code 1, and no model written', () => {
    const out = path.join(tmp.dir, 'cli-diverged');
    const r = medsynth(['train', 'clinical', '--size', '16,16', '--n-train', '32', '--n-val', '8', '--n-test', '8', '--epochs', '6', '--lr', '1e30', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error \[TRAINING_DIVERGED\]: the training loss became .* Try a lower --lr\./);
    expect(existsSync(path.join(out, 'model.safetensors'))).toBe(false);
  });

  it('Ctrl-C saves a checkpoint and exits 130', async () => {
    const out = path.join(tmp.dir, 'sigint');
    const child = spawn(process.execPath, [BIN, 'train', 'clinical', '--size', '32,32', '--n-train', '20000', '--epochs', '3', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/Epoch 01\/3 train/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopping after this step and saving a checkpoint/);
    expect(stdout).toMatch(/interrupted in epoch 1 after \d+ batches; saved .*checkpoint\.safetensors/);
    expect(existsSync(path.join(out, 'checkpoint.safetensors'))).toBe(true);
    expect(existsSync(path.join(out, 'model.safetensors'))).toBe(false);
  }, 120_000);
});
