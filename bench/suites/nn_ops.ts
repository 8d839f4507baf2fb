/**
 * nn_ops: the engine's memory-bound ops (issue 12) at the U-Net's first level, 8×32×128×128
 * float32 (64 MiB per tensor), each next to the copy floor of the bytes it moves and PyTorch's
 * time for the same op on this machine (bench/nn_ops_torch.py through Debian's /usr/bin/python3,
 * same thread count; recorded as skipped when absent). Backward cases time what a plain
 * `backward()` runs: the fused native kernels. Buffers come from an arena scope, as in training.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { getThreads } from '../../lib/core/threads.js';
import { packageRoot } from '../../lib/native.js';
import { withArena } from '../../lib/nn/arena.js';
import { grad } from '../../lib/nn/autograd.js';
import { batchNorm } from '../../lib/nn/ops/batch_norm.js';
import { bceWithLogits } from '../../lib/nn/ops/loss.js';
import { add, mul, relu } from '../../lib/nn/ops/pointwise.js';
import { maxPool } from '../../lib/nn/ops/pool.js';
import { sum } from '../../lib/nn/ops/reduce.js';
import { concat } from '../../lib/nn/ops/shape.js';
import { Tensor } from '../../lib/nn/tensor.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

const SHAPE = [8, 32, 128, 128];
const N = SHAPE.reduce((a, b) => a * b, 1);
const F32 = 4;

function random(shape: number[], seed: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return new Tensor(out, shape, requiresGrad);
}

interface Inputs {
  x: Tensor;
  y: Tensor;
  b: Tensor;
  w: Tensor;
  bias: Tensor;
  logits: Tensor;
  target: Tensor;
}

/** [name, bytes moved (for the copy floor), timed op] */
const CASES: [string, number, (t: Inputs) => unknown][] = [
  ['relu fwd', 2 * N * F32, (t) => relu(t.x)],
  ['relu bwd', 3 * N * F32, (t) => grad(relu(t.x), [t.x], { gradOutput: t.y })],
  ['add', 3 * N * F32, (t) => add(t.x, t.y)],
  ['add bias [1,32,1,1]', 2 * N * F32, (t) => add(t.x, t.b)],
  ['mul', 3 * N * F32, (t) => mul(t.x, t.y)],
  ['sum over N,H,W', N * F32, (t) => sum(t.x, [0, 2, 3])],
  ['batchNorm train fwd', 2 * N * F32, (t) => batchNorm(t.x, null, null, t.w, t.bias, { training: true })],
  ['batchNorm fwd+bwd', 6 * N * F32, (t) => grad(batchNorm(t.x, null, null, t.w, t.bias, { training: true }), [t.x, t.w, t.bias], { gradOutput: t.y })],
  ['maxPool 2 fwd', 1.25 * N * F32, (t) => maxPool(t.x, { kernel: 2 })],
  ['maxPool 2 fwd+bwd', 2.75 * N * F32, (t) => {
    const p = maxPool(t.x, { kernel: 2 });
    return grad(p, [t.x], { gradOutput: Tensor.full(p.shape, 1) });
  }],
  ['concat channels', 4 * N * F32, (t) => concat([t.x, t.y], 1)],
  ['bceWithLogits fwd+bwd 8×1×128²', 3 * (N / 32) * F32, (t) => grad(bceWithLogits(t.logits, t.target), [t.logits])],
];

function opCase([name, bytes, op]: (typeof CASES)[number]): BenchCase {
  let t: Inputs | undefined;
  return {
    name,
    size: name.startsWith('bce') ? '8×1×128×128' : SHAPE.join('×'),
    floorBytes: bytes,
    setup: () => {
      t = {
        x: random(SHAPE, 1, true),
        y: random(SHAPE, 2),
        b: random([1, 32, 1, 1], 3),
        w: random([32], 4, true),
        bias: random([32], 5, true),
        logits: random([8, 1, 128, 128], 6, true),
        target: Tensor.full([8, 1, 128, 128], 0.25),
      };
    },
    run: () => withArena(() => op(t!)),
    teardown: () => {
      t = undefined;
    },
  };
}

/** PyTorch's timings for the same cases, or why there are none. */
function torchTimes(): { torch: string; threads: number; ms: Record<string, number> } | string {
  const python = '/usr/bin/python3';
  const script = path.join(packageRoot(), 'bench', 'nn_ops_torch.py');
  if (!existsSync(python) || !existsSync(script)) return `skipped: ${existsSync(python) ? script : python} not found`;
  const r = spawnSync(python, [script, String(getThreads())], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `skipped: torch did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(r.stdout);
}

function summarize(rows: readonly BenchRow[]): string[] {
  const torch = torchTimes();
  const lines = [
    typeof torch === 'string' ? `PyTorch ${torch}` : `PyTorch ${torch.torch} on ${torch.threads} threads, timed in the same run`,
    '',
    '| op | ours ms | × copy floor | PyTorch ms | ours / PyTorch |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const t = typeof torch === 'string' ? undefined : torch.ms[r.name];
    lines.push(
      `| ${r.name} | ${r.nativeMs.toFixed(2)} | ${r.copyMs ? (r.nativeMs / r.copyMs).toFixed(2) : '–'} | ${t?.toFixed(2) ?? '–'} | ${t ? (r.nativeMs / t).toFixed(2) : '–'} |`,
    );
  }
  return lines;
}

export const suite: BenchSuite = { name: 'nn_ops', cases: () => CASES.map(opCase), summarize };
