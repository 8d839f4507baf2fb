/**
 * The machine a benchmark ran on, printed above every table: ratios only mean something next to
 * the CPU, SIMD level, core counts, memory, GPU and how loaded the machine was at the start.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

import { cudaInfo } from '../core/device.js';
import { buildInfo, getThreads } from '../core/threads.js';

export interface MachineInfo {
  date: string;
  cpu: string;
  /** The SIMD level the native kernels dispatch to (avx512, avx2, scalar, …). */
  simd: string;
  logicalCores: number;
  /** Distinct physical cores (Linux /proc/cpuinfo); null where it cannot be read. */
  physicalCores: number | null;
  /** The native pool's thread count (MEDSYNTH_THREADS, default: all cores). */
  nativeThreads: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** The CUDA device the `devices` suite uses, or null and why there is none. */
  gpu: { name: string; computeCapability: string; memoryGiB: number } | null;
  gpuReason?: string;
  /** 1, 5 and 15 minute load averages at the start. */
  loadAverage: [number, number, number];
}

/** Distinct (physical id, core id) pairs in /proc/cpuinfo. */
function physicalCores(): number | null {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const cores = new Set<string>();
    for (const block of text.split(/\n\n+/)) {
      const socket = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
      const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
      if (socket !== undefined && core !== undefined) cores.add(`${socket}:${core}`);
    }
    return cores.size || null;
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const cuda = cudaInfo();
  const d = cuda.available ? cuda.device : undefined;
  const [l1, l5, l15] = os.loadavg();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    simd: buildInfo().simd,
    logicalCores: cpus.length,
    physicalCores: physicalCores(),
    nativeThreads: getThreads(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    gpu: d ? { name: d.name, computeCapability: d.computeCapability, memoryGiB: Number((d.totalMemory / 2 ** 30).toFixed(1)) } : null,
    ...(d ? {} : { gpuReason: cuda.reason ?? 'CUDA is unavailable' }),
    loadAverage: [l1, l5, l15],
  };
}

/** The machine as Markdown list items (RESULTS.md and the terminal). */
export function machineLines(m: MachineInfo): string[] {
  const cores = m.physicalCores ? `${m.physicalCores} cores / ${m.logicalCores} threads` : `${m.logicalCores} logical cores`;
  return [
    `- Date: ${m.date}`,
    `- CPU: ${m.cpu}, ${cores}; SIMD used: ${m.simd}; native threads: ${m.nativeThreads}`,
    `- Memory: ${m.memoryGiB} GiB; Node ${m.node}; ${m.platform}`,
    `- GPU: ${m.gpu ? `${m.gpu.name} (compute capability ${m.gpu.computeCapability}, ${m.gpu.memoryGiB} GiB)` : `none (${m.gpuReason})`}`,
    `- Load average (1/5/15 min) at start: ${m.loadAverage.map((l) => l.toFixed(1)).join(' / ')} — ratios are only as good as the machine was quiet`,
  ];
}
