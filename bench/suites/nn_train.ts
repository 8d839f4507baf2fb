/**
 * nn-train: the training engine above the ops (issue 12). Times, in the same run, one training
 * step of seed 000's SimpleModel (forward, cross-entropy, backward, Adam — in an arena scope, as
 * the trainer runs it) against PyTorch's step on this machine (bench/nn_train_torch.py, Debian's
 * /usr/bin/python3; skipped when absent), and the fixed cost of one synchronous native call
 * (the per-op overhead the worker-thread design relies on being negligible).
 */
import { binding } from '../../lib/binding.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { getThreads } from '../../lib/core/threads.js';
import { ClinicalClassifier } from '../../lib/models/clinical_classifier.js';
import { packageRoot } from '../../lib/native.js';
import { crossEntropy } from '../../lib/nn/ops/loss.js';
import { Adam } from '../../lib/nn/optim/adam.js';
import { Tensor } from '../../lib/nn/tensor.js';
import { Trainer } from '../../lib/nn/trainer.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

/** [name, N, H, W, n_tab]: the seed's batch at its 256² and at the quality run's 64². */
const STEPS: [string, number, number, number, number][] = [
  ['SimpleModel step b16 256²', 16, 256, 256, 5],
  ['SimpleModel step b16 64²', 16, 64, 64, 5],
];
const CALLS = 10_000;

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function stepCase([name, n, h, w, nTab]: (typeof STEPS)[number]): BenchCase {
  let run: (() => void) | undefined;
  return {
    name,
    size: `${n}×1×${h}×${w}`,
    floorBytes: 0,
    setup: () => {
      const model = new ClinicalClassifier(nTab, { seed: 1 });
      const trainer = new Trainer(model, new Adam(model.parameters(), { lr: 1e-3 }), { seed: 0 });
      const img = new Tensor(random(n * h * w, 2), [n, 1, h, w]);
      const tab = new Tensor(random(n * nTab, 3), [n, nTab]);
      const y = Int32Array.from({ length: n }, (_, i) => i % 2);
      run = () => trainer.trainStep(() => ({ loss: crossEntropy(model.forward(img, tab), y), count: n }));
    },
    run: () => run!(),
    teardown: () => {
      run = undefined;
    },
  };
}

/** CALLS synchronous calls of the smallest native kernel (one Adam update of one value). */
function callOverheadCase(): BenchCase {
  const p = new Float32Array(1);
  const g = Float32Array.of(0.1);
  const m = new Float32Array(1);
  const v = new Float32Array(1);
  const options = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1, decoupled: false };
  const native = binding();
  return {
    name: `native call ×${CALLS}`,
    size: 'nnAdamStep n=1',
    floorBytes: 0,
    run: () => {
      for (let i = 0; i < CALLS; i++) native.nnAdamStep(p, g, m, v, options);
    },
  };
}

function torchTimes(): { torch: string; threads: number; ms: Record<string, number> } | string {
  const python = '/usr/bin/python3';
  const script = path.join(packageRoot(), 'bench', 'nn_train_torch.py');
  if (!existsSync(python) || !existsSync(script)) return `skipped: ${existsSync(python) ? script : python} not found`;
  const r = spawnSync(python, [script, JSON.stringify({ threads: getThreads(), steps: STEPS })], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `skipped: torch did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(r.stdout);
}

function summarize(rows: readonly BenchRow[]): string[] {
  const torch = torchTimes();
  const lines = [
    `native threads: ${getThreads()}; ` + (typeof torch === 'string' ? `PyTorch ${torch}` : `PyTorch ${torch.torch} on ${torch.threads} threads, timed in the same run`),
    '',
    '| case | ours ms | PyTorch ms | ours / PyTorch |',
    '|---|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.name.startsWith('native call')) {
      lines.push(`| one synchronous native call (${r.size}) | ${((r.nativeMs * 1000) / CALLS).toFixed(2)} µs | – | – |`);
      continue;
    }
    const t = typeof torch === 'string' ? undefined : torch.ms[r.name];
    lines.push(`| ${r.name} | ${r.nativeMs.toFixed(1)} | ${t?.toFixed(1) ?? '–'} | ${t ? (r.nativeMs / t).toFixed(2) : '–'} |`);
  }
  return lines;
}

export const suite: BenchSuite = {
  name: 'nn-train',
  cases: () => [callOverheadCase(), ...STEPS.map(stepCase)],
  summarize,
};
