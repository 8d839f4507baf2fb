/**
 * `npm run bench`: runs every suite in bench/suites/ with tinybench and rewrites
 * bench/RESULTS.md. Each case is timed next to two baselines measured in the same run: a memory
 * copy of the same bytes (the floor no kernel can beat) and the plain TS reference.
 *
 *   node dist/bench/run.js [--suite NAME[,NAME]] [--no-reference] [--out FILE]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

import { buildInfo, getThreads } from '../lib/core/threads.js';
import type { BenchCase, BenchRow as Row, BenchSuite } from './suite.js';


async function timeTask(name: string, fn: () => unknown, slow: boolean): Promise<number> {
  const bench = slow
    ? new Bench({ time: 0, iterations: 1, warmup: false, throws: true })
    : new Bench({ time: 1500, iterations: 5, warmupIterations: 1, throws: true });
  bench.add(name, fn as () => Promise<void>);
  await bench.run();
  const r = bench.tasks[0].result as { state: string; latency?: { mean: number } };
  if (r.state !== 'completed' || !r.latency) throw new Error(`${name}: ${r.state}`);
  return r.latency.mean;
}

function copyFloor(bytes: number): () => void {
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes).fill(2); // touched: no first-write page faults in the timing
  return () => dst.set(src);
}

async function runCase(suite: string, c: BenchCase, withReference: boolean): Promise<Row> {
  await c.setup?.();
  try {
    const row: Row = { suite, name: c.name, size: c.size, nativeMs: await timeTask(c.name, c.run, false) };
    if (c.floorBytes > 0) row.copyMs = await timeTask('copy', copyFloor(c.floorBytes), false);
    if (withReference && c.reference) row.referenceMs = await timeTask('reference', c.reference, true);
    process.stdout.write(
      `${suite.padEnd(12)} ${c.name.padEnd(34)} ${c.size.padEnd(14)} ${row.nativeMs.toFixed(2).padStart(10)} ms` +
        (row.copyMs ? `  ×copy ${(row.nativeMs / row.copyMs).toFixed(2)}` : '') +
        (row.referenceMs ? `  ref/native ${(row.referenceMs / row.nativeMs).toFixed(1)}` : '') +
        '\n',
    );
    return row;
  } finally {
    await c.teardown?.();
  }
}

function machine(): string[] {
  const cpus = os.cpus();
  const info = buildInfo();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} logical cores; SIMD used: ${info.simd}`,
    `- Native threads: ${getThreads()}; Node ${process.version}; ${os.platform()} ${os.arch()}; ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`,
    `- Load average (1/5/15 min) at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} — ratios are only as good as the machine was quiet`,
  ];
}

function table(rows: Row[]): string[] {
  const out = [
    '| suite | case | size | native ms | copy floor ms | native / copy | TS reference ms | reference / native |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.suite} | ${r.name} | ${r.size} | ${r.nativeMs.toFixed(2)} | ${r.copyMs?.toFixed(2) ?? '–'} | ` +
        `${r.copyMs ? (r.nativeMs / r.copyMs).toFixed(2) : '–'} | ${r.referenceMs?.toFixed(1) ?? '–'} | ` +
        `${r.referenceMs ? (r.referenceMs / r.nativeMs).toFixed(1) + '×' : '–'} |`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pick = args.includes('--suite') ? args[args.indexOf('--suite') + 1].split(',') : undefined;
  const withReference = !args.includes('--no-reference');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(here, '..', '..', 'bench', 'RESULTS.md');

  const suites: BenchSuite[] = [];
  for (const file of readdirSync(path.join(here, 'suites')).filter((f) => f.endsWith('.js')).sort()) {
    const mod = (await import(path.join(here, 'suites', file))) as { suite?: BenchSuite };
    if (mod.suite && (!pick || pick.includes(mod.suite.name))) suites.push(mod.suite);
  }
  const header = machine();
  process.stdout.write(header.join('\n') + '\n\n');
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const s of suites) {
    const own: Row[] = [];
    for (const c of s.cases()) own.push(await runCase(s.name, c, withReference));
    rows.push(...own);
    if (s.summarize) notes.push(`### ${s.name}`, '', ...s.summarize(own), '');
  }
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts). Every ratio compares timings taken in the same run:',
    '"native / copy" is the kernel time over a `TypedArray.set` copy of the same bytes (lower is better;',
    'the floor is 1); "reference / native" is the plain TypeScript reference (test/reference/) over the',
    'native kernel (the speed-up). Timings are tinybench means.',
    '',
    '## Machine',
    '',
    ...header,
    '',
    '## Kernels',
    '',
    ...table(rows),
    '',
    ...(notes.length ? ['## Notes', '', ...notes, ''] : []),
  ].join('\n');
  writeFileSync(out, text);
  process.stdout.write(`\nwrote ${out}\n`);
}

await main();
