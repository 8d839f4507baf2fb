/**
 * `npm run bench:gpu`: the CUDA twins against the CPU kernels on this machine, per kernel and for
 * a whole anatomy sample, at 128×256×256 and 256×512×512. For each: device time (CUDA events),
 * effective bandwidth (the bytes the kernel must move over the device time) against the device's
 * measured copy bandwidth, the time including the copies between host and device, and the ratio
 * of the CPU path's time on the same machine. Writes bench/RESULTS-gpu.md.
 *
 *   node dist/bench/gpu.js [--sizes small|large|all] [--repeats N] [--out FILE]
 *
 * Without a CUDA device it says why and exits 0 without writing. (Where there is no Node, the
 * native tool gives the same table: medsynth_gpu_check --bench --markdown bench/RESULTS-gpu.md.)
 * The calls are lib/bench/suites/devices.ts's (what `medsynth bench --suite devices` times).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cudaInfo, type CudaTiming } from '../lib/core/device.js';
import { buildInfo, getThreads } from '../lib/core/threads.js';
import { kernelCalls, type Dims3 } from '../lib/bench/suites/devices.js';
import { binding } from '../lib/binding.js';

interface Row {
  name: string;
  size: string;
  deviceMs: number;
  totalMs: number;
  cpuMs: number;
  /** Bytes the kernel must read and write. */
  bytes: number;
}


/** Best of `repeats` after a warm-up: the CUDA call's device and total times. */
async function timeCuda(repeats: number, fn: () => Promise<CudaTiming>): Promise<{ deviceMs: number; totalMs: number }> {
  await fn();
  let deviceMs = Infinity;
  let totalMs = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = await fn();
    deviceMs = Math.min(deviceMs, t.deviceMs);
    totalMs = Math.min(totalMs, t.totalMs);
  }
  return { deviceMs, totalMs };
}

async function timeCpu(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function benchSize(dims: Dims3, repeats: number, rows: Row[]): Promise<void> {
  const n = dims[0] * dims[1] * dims[2];
  for (const k of kernelCalls(dims)) {
    const gpu = await timeCuda(repeats, () => k.call('cuda') as Promise<CudaTiming>);
    const cpuMs = await timeCpu(Math.max(1, Math.floor(repeats / 2)), () => k.call('cpu'));
    rows.push({ name: k.name, size: dims.join('×'), ...gpu, cpuMs, bytes: k.bytesPerVoxel * n });
    report(rows[rows.length - 1]);
  }
}

function report(r: Row): void {
  process.stdout.write(
    `${r.name.padEnd(30)} ${r.size.padEnd(13)} device ${r.deviceMs.toFixed(3).padStart(9)} ms` +
      `  with copies ${r.totalMs.toFixed(2).padStart(9)} ms  cpu ${r.cpuMs.toFixed(2).padStart(9)} ms\n`,
  );
}

function table(rows: Row[], copyGBs: number): string[] {
  const out = [
    '| kernel | size | device ms | GB/s | % of copy | with copies ms | CPU ms | CPU / device | CPU / with copies |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const gbs = r.bytes / (r.deviceMs * 1e-3) / 1e9;
    out.push(
      `| ${r.name} | ${r.size} | ${r.deviceMs.toFixed(3)} | ${gbs.toFixed(0)} | ${((100 * gbs) / copyGBs).toFixed(0)}% | ` +
        `${r.totalMs.toFixed(2)} | ${r.cpuMs.toFixed(2)} | ${(r.cpuMs / r.deviceMs).toFixed(1)}× | ${(r.cpuMs / r.totalMs).toFixed(1)}× |`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const sizes = arg('--sizes') ?? 'all';
  const repeats = Math.max(1, Number(arg('--repeats') ?? 5));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = arg('--out') ?? path.join(here, '..', '..', 'bench', 'RESULTS-gpu.md');

  const info = cudaInfo();
  if (!info.available) {
    process.stdout.write(`bench:gpu skipped: CUDA is unavailable: ${info.reason}\n`);
    return;
  }
  const copyGBs = (await binding().cudaCopyBandwidth({ bytes: 2 ** 30, repeats: 10 })) as number;
  const d = info.device!;
  const cpus = os.cpus();
  const header = [
    `- Date: ${new Date().toISOString()}`,
    `- GPU: ${d.name} (compute capability ${d.computeCapability}, ${d.multiprocessors} SMs, ${(d.totalMemory / 2 ** 30).toFixed(1)} GiB); ` +
      `CUDA runtime ${info.runtimeVersion}, driver ${info.driverVersion}`,
    `- Measured device copy bandwidth (1 GiB, read + write): ${copyGBs.toFixed(0)} GB/s`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} logical cores; native threads ${getThreads()}; SIMD ${buildInfo().simd}`,
    `- Node ${process.version}; times are the best of ${repeats} runs after a warm-up`,
  ];
  process.stdout.write(header.join('\n') + '\n\n');
  const rows: Row[] = [];
  if (sizes !== 'large') await benchSize([128, 256, 256], repeats, rows);
  if (sizes !== 'small') await benchSize([256, 512, 512], repeats, rows);
  const text = [
    '# GPU benchmark results',
    '',
    'Written by `npm run bench:gpu` (bench/gpu.ts). device ms: the kernels alone (CUDA events). GB/s: the bytes',
    'a kernel must read and write per voxel (elementwise 8, cast 5, blur 3 passes × 8, rasterize 10, whole',
    'sample 60) over the device time; % of copy: against the device-to-device copy bandwidth measured in the',
    'same run. with copies ms: the whole call from host memory to host memory (pinned staging, overlapped',
    'with the kernels). CPU ms: the CPU kernels on the same machine; the ratios are CPU time over CUDA time.',
    '',
    '## Machine',
    '',
    ...header,
    '',
    '## Kernels and whole samples',
    '',
    ...table(rows, copyGBs),
    '',
  ].join('\n');
  process.stdout.write('\n' + table(rows, copyGBs).join('\n') + '\n');
  writeFileSync(out, text);
  process.stdout.write(`\nwrote ${out}\n`);
}

await main();
