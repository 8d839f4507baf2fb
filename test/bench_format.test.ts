// What a benchmark run writes (lib/bench/format.ts): every ratio in the JSON, and a partial run
// (`npm run bench -- --suite X`) that replaces only suite X's rows and notes in RESULTS.md.
import { describe, expect, it } from 'vitest';

import { jsonReport, mergeResultsMarkdown, resultsMarkdown, textReport } from '../lib/bench/format.js';
import type { MachineInfo } from '../lib/bench/machine.js';
import { rowRatios, type SuiteResult } from '../lib/bench/runner.js';

const machine: MachineInfo = {
  date: '2026-01-01T00:00:00.000Z',
  cpu: 'Test CPU',
  simd: 'avx2',
  logicalCores: 4,
  physicalCores: 2,
  nativeThreads: 4,
  memoryGiB: 8,
  node: 'v20.0.0',
  platform: 'linux x64',
  gpu: null,
  gpuReason: 'no CUDA device',
  loadAverage: [0.5, 0.4, 0.3],
};

const run = (suite: string, nativeMs: number): SuiteResult => ({
  name: suite,
  rows: [{ suite, name: 'k', size: '8×8×8', nativeMs, copyMs: nativeMs / 2, referenceMs: nativeMs * 10, baselineMs: { CPU: nativeMs * 3 }, publishedMs: { 'seed 001': nativeMs * 40 } }],
  notes: [`${suite} note ${nativeMs}`],
});

describe('bench output', () => {
  it('names every ratio the same way in the table, the JSON and rowRatios', () => {
    const [r] = run('a', 2).rows;
    expect(rowRatios(r)).toEqual({ 'native / copy': 2, 'reference / native': 10, 'CPU / native': 3, 'seed 001 / native': 40 });
    const doc = jsonReport(machine, [run('a', 2)], true) as { statistic: string; suites: Array<{ rows: Array<{ ms: object; ratios: object }> }> };
    expect(doc.statistic).toBe('median');
    expect(doc.suites[0].rows[0].ms).toEqual({ native: 2, copy: 1, reference: 20, CPU: 6 });
    expect(doc.suites[0].rows[0].ratios).toEqual(rowRatios(r));
    const text = textReport(machine, [run('a', 2), { name: 'devices', rows: [], notes: [], skipped: 'no CUDA device' }]);
    expect(text).toMatch(/CPU: Test CPU, 2 cores \/ 4 threads; SIMD used: avx2/);
    expect(text).toMatch(/GPU: none \(no CUDA device\)/);
    expect(text).toMatch(/CPU \/ native 3\.00×; seed 001 \/ native 40\.00×/);
    expect(text).toMatch(/^devices: skipped: no CUDA device$/m);
  });

  it('a partial run replaces only its suites in RESULTS.md', () => {
    const full = resultsMarkdown(machine, [run('a', 1), run('b', 1), run('c', 1)]) + '\n## Hand-written\n\nkept\n';
    const merged = mergeResultsMarkdown(full, { ...machine, date: '2026-02-02T00:00:00.000Z' }, [run('b', 5)]);
    const rows = merged.split('\n').filter((l) => /^\| [abc] \|/.test(l));
    expect(rows.map((l) => l.split(' | ').slice(0, 4).join(' | '))).toEqual(['| a | k | 8×8×8 | 1.00', '| b | k | 8×8×8 | 5.00', '| c | k | 8×8×8 | 1.00']);
    expect(merged).toContain('b note 5');
    expect(merged).not.toContain('b note 1');
    expect(merged).toContain('a note 1');
    expect(merged).toContain('## Hand-written\n\nkept');
    expect(merged).toMatch(/- Re-measured suites b: Date: 2026-02-02/);
    // An older table, without the 'other ratios' column, gets it (empty) on the rows it keeps.
    const old = [
      '## Kernels',
      '',
      '| suite | case | size | native ms | copy floor ms | native / copy | TS reference ms | reference / native |',
      '|---|---|---|---:|---:|---:|---:|---:|',
      '| a | k | 8×8×8 | 1.00 | 0.50 | 2.00 | 10.0 | 10.0× |',
      '| b | k | 8×8×8 | 1.00 | 0.50 | 2.00 | 10.0 | 10.0× |',
      '',
    ].join('\n');
    const upgraded = mergeResultsMarkdown(old, machine, [run('b', 5)]).split('\n');
    expect(upgraded[2]).toMatch(/\| other ratios \|$/);
    expect(upgraded[4]).toBe('| a | k | 8×8×8 | 1.00 | 0.50 | 2.00 | 10.0 | 10.0× | – |');
    expect(upgraded[5]).toMatch(/^\| b \| k \| 8×8×8 \| 5\.00 .*CPU \/ native 3\.00×; seed 001 \/ native 40\.00× \|$/);
  });
});
