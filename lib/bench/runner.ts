/**
 * Runs benchmark suites: every case is timed with tinybench next to its baselines measured in the
 * same run (a memory copy of the same bytes, the plain TS reference, other ways of doing the same
 * work). `medsynth bench` and `npm run bench` both run suites through here.
 */
import { Bench } from 'tinybench';

import type { BenchCase, BenchContext, BenchRow, BenchSuite } from './suite.js';

export interface RunOptions extends BenchContext {
  /** Time the plain TS references (default true). */
  withReference?: boolean;
  /** One line per measured case as it finishes (the terminal's progress). */
  log?: (line: string) => void;
}

export interface SuiteResult {
  name: string;
  rows: BenchRow[];
  /** The suite's own Markdown lines (summarize). */
  notes: string[];
  /** Why the suite did not run here. */
  skipped?: string;
}

/**
 * Mean ms of `fn` over at least 5 runs and 1.5 s after an untimed warm-up; quick: the median of
 * at least 5 runs and 0.02 s (robust to the odd slow run on a busy machine); `once`: a single run
 * (the slow references).
 */
async function timeTask(name: string, fn: () => unknown, quick: boolean, once = false): Promise<number> {
  const bench = once
    ? new Bench({ time: 0, iterations: 1, warmup: false, throws: true })
    : quick
      ? new Bench({ time: 20, iterations: 5, warmupIterations: 1, warmupTime: 0, throws: true })
      : new Bench({ time: 1500, iterations: 5, warmupIterations: 1, throws: true });
  bench.add(name, fn as () => Promise<void>);
  await bench.run();
  const r = bench.tasks[0].result as { state: string; latency?: { mean: number; p50?: number } };
  if (r.state !== 'completed' || !r.latency) throw new Error(`${name}: ${r.state}`);
  return quick && !once && r.latency.p50 !== undefined ? r.latency.p50 : r.latency.mean;
}

function copyFloor(bytes: number): () => void {
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes).fill(2); // touched: no first-write page faults in the timing
  return () => dst.set(src);
}

/** Every ratio of a row, named by what it divides: 'native / copy', 'reference / native', 'CPU / native', … */
export function rowRatios(r: BenchRow): Record<string, number> {
  const ratios: Record<string, number> = {};
  if (r.copyMs) ratios['native / copy'] = r.nativeMs / r.copyMs;
  if (r.referenceMs) ratios['reference / native'] = r.referenceMs / r.nativeMs;
  for (const [by, ms] of Object.entries(r.baselineMs ?? {})) ratios[`${by} / native`] = ms / r.nativeMs;
  for (const [by, ms] of Object.entries(r.publishedMs ?? {})) ratios[`${by} / native`] = ms / r.nativeMs;
  return ratios;
}

async function runCase(suite: string, c: BenchCase, options: RunOptions): Promise<BenchRow> {
  await c.setup?.();
  try {
    const row: BenchRow = { suite, name: c.name, size: c.size, nativeMs: await timeTask(c.name, c.run, options.quick) };
    if (c.floorBytes > 0) row.copyMs = await timeTask('copy', copyFloor(c.floorBytes), options.quick);
    if (options.withReference !== false && c.reference) row.referenceMs = await timeTask('reference', c.reference, options.quick, true);
    for (const [by, fn] of Object.entries(c.baselines ?? {})) (row.baselineMs ??= {})[by] = await timeTask(by, fn, options.quick);
    for (const [by, ms] of Object.entries((await c.elsewhere?.()) ?? {})) (row.baselineMs ??= {})[by] = ms;
    if (c.published) row.publishedMs = { ...c.published };
    const ratios = Object.entries(rowRatios(row)).map(([k, v]) => `${k} ${v.toFixed(2)}`);
    options.log?.(`${suite.padEnd(12)} ${c.name.padEnd(40)} ${c.size.padEnd(14)} ${row.nativeMs.toFixed(2).padStart(10)} ms  ${ratios.join('  ')}`);
    return row;
  } finally {
    await c.teardown?.();
  }
}

export async function runSuite(suite: BenchSuite, options: RunOptions): Promise<SuiteResult> {
  const skipped = suite.unavailable?.();
  if (skipped) {
    options.log?.(`${suite.name.padEnd(12)} skipped: ${skipped}`);
    return { name: suite.name, rows: [], notes: [], skipped };
  }
  const rows: BenchRow[] = [];
  for (const c of suite.cases(options)) rows.push(await runCase(suite.name, c, options));
  return { name: suite.name, rows, notes: suite.summarize?.(rows) ?? [] };
}

export async function runSuites(suites: readonly BenchSuite[], options: RunOptions): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  for (const s of suites) results.push(await runSuite(s, options));
  return results;
}
