/**
 * nn-train: the training engine above the ops (issue 12). Times, in the same run, one training
 * step of seed 000's SimpleModel (forward, cross-entropy, backward, Adam — in an arena scope, as
 * the trainer runs it) against PyTorch's step on this machine (bench/nn_train_torch.py, shipped
 * with the package, through /usr/bin/python3 or the python3 on PATH; skipped when there is none
 * or it lacks torch, and with --quick), and the fixed cost of one synchronous native call (the
 * per-op overhead the worker-thread design relies on being negligible).
 */
import { binding } from '../../binding.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { getThreads } from '../../core/threads.js';
import { ClinicalClassifier } from '../../models/clinical_classifier.js';
import { packageRoot } from '../../native.js';
import { crossEntropy } from '../../nn/ops/loss.js';
import { Adam } from '../../nn/optim/adam.js';
import { Tensor } from '../../nn/tensor.js';
import { Trainer } from '../../nn/trainer.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

/** [name, N, H, W, n_tab]: the seed's batch at its 256² and at the quality run's 64². */
const STEPS: [string, number, number, number, number][] = [
  ['SimpleModel step b16 256²', 16, 256, 256, 5],
  ['SimpleModel step b16 64²', 16, 64, 64, 5],
];
/** `--quick`: a smaller batch at 64². */
const QUICK_STEPS: typeof STEPS = [['SimpleModel step b4 64²', 4, 64, 64, 5]];
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

function stepCase([name, n, h, w, nTab]: (typeof STEPS)[number], torch: () => TorchRun): BenchCase {
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
    elsewhere: (): Record<string, number> => {
      const t = torch();
      return typeof t === 'string' || t.ms[name] === undefined ? {} : { PyTorch: t.ms[name] };
    },
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

/** PyTorch's step times on this machine, or why there are none. */
type TorchRun = { torch: string; threads: number; ms: Record<string, number> } | string;

function torchTimes(steps: typeof STEPS): TorchRun {
  // Debian's interpreter first (where this project finds torch), else whatever python3 is on PATH.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = path.join(packageRoot(), 'bench', 'nn_train_torch.py');
  if (!existsSync(script)) return `skipped: ${script} not found`;
  const r = spawnSync(python, [script, JSON.stringify({ threads: getThreads(), steps })], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `skipped: ${python} with torch did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(r.stdout);
}

/** This run's PyTorch times: measured once, when the first step case asks (--quick: never). */
let torchRun: TorchRun = 'not run';

function summarize(rows: readonly BenchRow[]): string[] {
  const torch = torchRun;
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
    const t = r.baselineMs?.PyTorch;
    lines.push(`| ${r.name} | ${r.nativeMs.toFixed(1)} | ${t?.toFixed(1) ?? '–'} | ${t ? (r.nativeMs / t).toFixed(2) : '–'} |`);
  }
  return lines;
}

export const suite: BenchSuite = {
  name: 'nn-train',
  cases: ({ quick }) => {
    torchRun = quick ? 'skipped with --quick' : 'not run';
    const steps = quick ? QUICK_STEPS : STEPS;
    let measured = false;
    const torch = () => {
      if (!measured && !quick) torchRun = torchTimes(steps);
      measured = true;
      return torchRun;
    };
    return [callOverheadCase(), ...steps.map((s) => stepCase(s, torch))];
  },
  summarize,
};
