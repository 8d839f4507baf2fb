/**
 * nn: the training engine's performance core (issue 12). Times, in the same run, our GEMM
 * (GFLOP/s against the machine's practical fp32 peak and against torch.mm), conv2d forward +
 * backward (input, weight and bias gradients) at U-Net shapes, and a whole U-Net training step
 * (bench/unet_step.ts) against PyTorch on this machine (Debian's /usr/bin/python3 with torch,
 * same thread count; recorded as skipped when absent). PyTorch's timings come from
 * bench/nn_torch.py and bench/unet_torch.py, which print their own; the peak memory of one
 * U-Net training process each (ours: node dist/bench/unet_step.js) is their high-water RSS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { getThreads, setThreads } from '../../lib/core/threads.js';
import { packageRoot } from '../../lib/native.js';
import { withArena } from '../../lib/nn/arena.js';
import { channelSum, conv, convInputGrad, convWeightGrad, nnConvNative } from '../../lib/nn/ops/conv.js';
import { gemmIsa } from '../../lib/nn/ops/linear.js';
import { Tensor } from '../../lib/nn/tensor.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';
import { unetTraining, type UNetStepSpec } from '../unet_step.js';

/** fp32 FMA throughput OpenBLAS / torch reach on this machine kind at 2048³ (BUILD-NOTES). */
const PRACTICAL_PEAK_GFLOPS = 185;
const GEMM_SIZES = [256, 512, 1024, 2048];
/** Also timed on one thread: the two vCPUs share their FMA units, so GEMM barely scales. */
const GEMM_ONE_THREAD = [2048];
/** [name, N, Cin, Cout, H, W, k, padding] */
const CONV_SHAPES: [string, number, number, number, number, number, number, number][] = [
  ['conv2d fwd+bwd 32→32 128²', 8, 32, 32, 128, 128, 3, 1],
  ['conv2d fwd+bwd 64→64 64²', 8, 64, 64, 64, 64, 3, 1],
  ['conv2d fwd+bwd 256→256 16²', 8, 256, 256, 16, 16, 3, 1],
];

function random(n: number, seed: number, scale = 1): Float32Array {
  // A cheap LCG: the values only need to be non-degenerate.
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return out;
}

function gemmCase(n: number, oneThread = false): BenchCase {
  let a: Float32Array | undefined, b: Float32Array | undefined, c: Float32Array | undefined;
  const dims = Int32Array.of(n, n, n, 0, 0);
  let threads = 0;
  return {
    name: `gemm ${n}${oneThread ? ' 1 thread' : ''}`,
    size: `${n}×${n}×${n}`,
    floorBytes: 0,
    setup: () => {
      a = random(n * n, 1);
      b = random(n * n, 2);
      c = new Float32Array(n * n);
      threads = getThreads();
      if (oneThread) setThreads(1);
    },
    run: () => nnConvNative().nnGemm(a!, b!, c!, dims, 1, 0),
    teardown: () => {
      a = b = c = undefined;
      if (oneThread) setThreads(threads);
    },
  };
}

function convCase([name, n, cin, cout, h, w, k, pad]: (typeof CONV_SHAPES)[number]): BenchCase {
  let x: Tensor | undefined, weight: Tensor | undefined, bias: Tensor | undefined, gy: Tensor | undefined;
  return {
    name,
    size: `${n}×${cin}×${h}×${w} k${k}`,
    floorBytes: 0,
    setup: () => {
      x = new Tensor(random(n * cin * h * w, 3), [n, cin, h, w]);
      weight = new Tensor(random(cout * cin * k * k, 4, 0.1), [cout, cin, k, k]);
      bias = new Tensor(random(cout, 5), [cout]);
      gy = new Tensor(random(n * cout * h * w, 6), [n, cout, h, w]);
    },
    // Forward, then the three gradients the tape would ask for, with buffers reused across
    // iterations as in a training loop (an arena scope).
    run: () =>
      withArena(() => {
        conv(x!, weight!, bias!, { padding: pad });
        convInputGrad(gy!, weight!, x!.shape, { padding: pad });
        convWeightGrad(x!, gy!, weight!.shape, { padding: pad });
        channelSum(gy!);
      }),
    teardown: () => {
      x = weight = bias = gy = undefined;
    },
  };
}

/** issue 12's U-Net step: 4 levels, base 32, batch 8, 2×128×128, BCE + Cox, Adam. */
const UNET: UNetStepSpec = { batch: 8, size: 128, base: 32 };
const UNET_NAME = 'unet train step';

function unetCase(): BenchCase {
  let step: (() => number) | undefined;
  return {
    name: UNET_NAME,
    size: `${UNET.batch}×2×${UNET.size}² base ${UNET.base}`,
    floorBytes: 0,
    setup: () => {
      step = unetTraining(UNET).step;
      step();
    },
    run: () => step!(),
    teardown: () => {
      step = undefined;
    },
  };
}

interface StepProcess {
  step_ms: number;
  peak_rss_mb: number;
  base_rss_mb: number;
  torch?: string;
}

/** One training process (ours or PyTorch's) reporting its step time and high-water RSS. */
function stepProcess(command: string, args: string[]): StepProcess | string {
  if (!existsSync(command)) return `skipped: ${command} not found`;
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) return `skipped: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as StepProcess;
}

function unetSummary(rows: readonly BenchRow[]): string[] {
  const row = rows.find((r) => r.name === UNET_NAME);
  if (!row) return [];
  const spec = JSON.stringify({ ...UNET, threads: getThreads(), steps: 3 });
  const script = path.join(packageRoot(), 'bench', 'unet_torch.py');
  const torch = existsSync(script) ? stepProcess('/usr/bin/python3', [script, spec]) : `skipped: ${script} not found`;
  const ours = stepProcess(process.execPath, [path.join(packageRoot(), 'dist', 'bench', 'unet_step.js'), spec]);
  const mb = (p: StepProcess | string) => (typeof p === 'string' ? p : `${p.peak_rss_mb.toFixed(0)} MB (process at start ${p.base_rss_mb.toFixed(0)} MB)`);
  const torchMs = typeof torch === 'string' ? undefined : torch.step_ms;
  return [
    '',
    `U-Net training step (${row.size}, BCE + Cox, Adam): ours ${row.nativeMs.toFixed(0)} ms; PyTorch ` +
      (torchMs ? `${torchMs.toFixed(0)} ms (its own timing, 3 steps after 2 warm-up) → ours / PyTorch ${(row.nativeMs / torchMs).toFixed(2)}` : String(torch)),
    '',
    `Peak RSS of one training process: ours ${mb(ours)}; PyTorch ${mb(torch)}.`,
  ];
}

interface TorchTimes {
  torch: string;
  threads: number;
  ms: Record<string, number>;
}

/** PyTorch's timings for the same cases, or why there are none. */
function torchTimes(): TorchTimes | string {
  const python = '/usr/bin/python3';
  const script = path.join(packageRoot(), 'bench', 'nn_torch.py');
  if (!existsSync(python) || !existsSync(script)) return `skipped: ${existsSync(python) ? script : python} not found`;
  const spec = { threads: getThreads(), gemm: GEMM_SIZES, gemmOneThread: GEMM_ONE_THREAD, conv: CONV_SHAPES };
  const r = spawnSync(python, [script, JSON.stringify(spec)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `skipped: torch did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return JSON.parse(r.stdout) as TorchTimes;
}

function summarize(rows: readonly BenchRow[]): string[] {
  const torch = torchTimes();
  const torchMs = (name: string) => (typeof torch === 'string' ? undefined : torch.ms[name]);
  const lines = [
    `GEMM kernel set: ${gemmIsa()}; native threads: ${getThreads()}; ` +
      (typeof torch === 'string' ? `PyTorch ${torch}` : `PyTorch ${torch.torch} on ${torch.threads} threads, timed in the same run`),
    '',
    '| case | ours ms | PyTorch ms | ours / PyTorch | ours GFLOP/s | % of practical peak (185) | PyTorch GFLOP/s |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows.filter((row) => row.name !== UNET_NAME)) {
    const t = torchMs(r.name);
    const gemm = /^gemm (\d+)/.exec(r.name);
    const flops = gemm ? 2 * Number(gemm[1]) ** 3 : convFlops(r.name);
    const ours = flops / (r.nativeMs * 1e6);
    lines.push(
      `| ${r.name} | ${r.nativeMs.toFixed(2)} | ${t?.toFixed(2) ?? '–'} | ${t ? (r.nativeMs / t).toFixed(2) : '–'} | ` +
        `${ours.toFixed(1)} | ${((100 * ours) / PRACTICAL_PEAK_GFLOPS).toFixed(0)}% | ${t ? (flops / (t * 1e6)).toFixed(1) : '–'} |`,
    );
  }
  return [...lines, ...unetSummary(rows)];
}

/** Forward + input gradient + weight gradient: three GEMMs of 2·N·Cout·Cin·k²·H·W flops each. */
function convFlops(name: string): number {
  const shape = CONV_SHAPES.find((s) => s[0] === name);
  if (!shape) return NaN;
  const [, n, cin, cout, h, w, k] = shape;
  return 3 * 2 * n * cout * cin * k * k * h * w;
}

export const suite: BenchSuite = {
  name: 'nn',
  cases: () => [
    ...GEMM_SIZES.map((n) => gemmCase(n)),
    ...GEMM_ONE_THREAD.map((n) => gemmCase(n, true)),
    ...CONV_SHAPES.map(convCase),
    unetCase(),
  ],
  summarize,
};
