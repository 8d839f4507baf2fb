/**
 * What a benchmark run prints: the terminal table, the JSON document (`--json`) and the Markdown
 * of bench/RESULTS.md. Every ratio comes from rowRatios, so all three say the same thing.
 */
import { machineLines, type MachineInfo } from './machine.js';
import { rowRatios, type SuiteResult } from './runner.js';
import type { BenchRow } from './suite.js';

const ms = (v: number | undefined, digits = 2) => (v === undefined ? '–' : v.toFixed(digits));

/** Ratios other than the copy floor and the reference, as 'CPU / native 3.10×; seed 001 / native 40×'. */
function otherRatios(r: BenchRow): string {
  const rest = Object.entries(rowRatios(r)).filter(([k]) => k !== 'native / copy' && k !== 'reference / native');
  return rest.length ? rest.map(([k, v]) => `${k} ${v.toFixed(2)}×`).join('; ') : '–';
}

/** The terminal's report: the machine, one table of times and ratios, and why a suite was skipped. */
export function textReport(machine: MachineInfo, results: readonly SuiteResult[], quick = false): string {
  const header = ['suite', 'case', 'size', 'ms', 'native / copy', 'reference / native', 'other ratios'];
  const body = results.flatMap((s) =>
    s.rows.map((r) => {
      const ratios = rowRatios(r);
      const f = (k: string) => (ratios[k] === undefined ? '–' : `${ratios[k].toFixed(2)}×`);
      return [s.name, r.name, r.size, ms(r.nativeMs), f('native / copy'), f('reference / native'), otherRatios(r)];
    }),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => (i === 3 || i === 4 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    ...machineLines(machine),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...results.filter((s) => s.skipped).map((s) => `${s.name}: skipped: ${s.skipped}`),
    '',
    'native / copy: the time over a memory copy of the same bytes (floor 1, lower is better); X / native: how many times faster',
    'ours is than X — measured in the same run, except published times (seed 001: its README table).',
    `Times are tinybench ${quick ? 'medians (--quick: few runs)' : 'means'} in ms.`,
  ].join('\n');
}

/** The `--json` document: the machine and, per suite, every row's times (ms) and ratios. */
export function jsonReport(machine: MachineInfo, results: readonly SuiteResult[], quick = false): object {
  return {
    machine,
    statistic: quick ? 'median' : 'mean',
    suites: results.map((s) => ({
      name: s.name,
      ...(s.skipped ? { skipped: s.skipped } : {}),
      rows: s.rows.map((r) => ({
        case: r.name,
        size: r.size,
        ms: {
          native: r.nativeMs,
          ...(r.copyMs === undefined ? {} : { copy: r.copyMs }),
          ...(r.referenceMs === undefined ? {} : { reference: r.referenceMs }),
          ...r.baselineMs,
        },
        ...(r.publishedMs ? { publishedMs: r.publishedMs } : {}),
        ratios: rowRatios(r),
      })),
    })),
  };
}

const TABLE_HEADER = '| suite | case | size | native ms | copy floor ms | native / copy | TS reference ms | reference / native | other ratios |';

function tableRow(r: BenchRow): string {
  return (
    `| ${r.suite} | ${r.name} | ${r.size} | ${ms(r.nativeMs)} | ${ms(r.copyMs)} | ` +
    `${r.copyMs ? (r.nativeMs / r.copyMs).toFixed(2) : '–'} | ${ms(r.referenceMs, 1)} | ` +
    `${r.referenceMs ? (r.referenceMs / r.nativeMs).toFixed(1) + '×' : '–'} | ${otherRatios(r)} |`
  );
}

/** bench/RESULTS.md as a whole run writes it (`medsynth bench --out FILE` writes the same). */
export function resultsMarkdown(machine: MachineInfo, results: readonly SuiteResult[], by = '`npm run bench`', quick = false): string {
  const notes = results.flatMap((s) => (s.notes.length || s.skipped ? [`### ${s.name}`, '', ...(s.skipped ? [`Skipped: ${s.skipped}`] : s.notes), ''] : []));
  return [
    '# Benchmark results',
    '',
    `Written by ${by} (lib/bench/: \`medsynth bench\` and \`npm run bench\` run the same code). Every ratio compares timings taken`,
    'in the same run: "native / copy" is the kernel time over a `TypedArray.set` copy of the same bytes (lower is',
    'better; the floor is 1); "reference / native" is the plain TypeScript reference (lib/reference/,',
    'test/reference/) over the native kernel (the speed-up); "other ratios" are other ways of doing the same',
    `work over ours (published: the seed's own table). Timings are tinybench ${quick ? 'medians (--quick)' : 'means'}.`,
    '',
    '## Machine',
    '',
    ...machineLines(machine),
    '',
    '## Kernels',
    '',
    TABLE_HEADER,
    '|---|---|---|---:|---:|---:|---:|---:|---|',
    ...results.flatMap((s) => s.rows.map(tableRow)),
    '',
    ...(notes.length ? ['## Notes', '', ...notes] : []),
  ].join('\n');
}

/**
 * A partial run (`--suite`) merged into an existing RESULTS.md: the suites that ran replace their
 * table rows and their `### suite` notes; everything else (other suites, hand-written sections)
 * stays, and the machine section records when and where they were re-measured.
 */
export function mergeResultsMarkdown(existing: string, machine: MachineInfo, results: readonly SuiteResult[]): string {
  const ran = new Set(results.map((s) => s.name));
  const lines = existing.split('\n');
  const suiteOf = (line: string) => /^\| ([^|]+?) \|/.exec(line)?.[1];
  const isRow = (line: string) => line.startsWith('| ') && !line.startsWith('| suite |');
  // Table: drop the old rows of the suites that ran, put the new ones where the first of them was.
  const tableStart = lines.findIndex((l) => l.startsWith('| suite | case |'));
  if (tableStart < 0) return resultsMarkdown(machine, results);
  lines[tableStart] = TABLE_HEADER;
  lines[tableStart + 1] = '|---|---|---|---:|---:|---:|---:|---:|---|';
  let end = tableStart + 2;
  while (end < lines.length && isRow(lines[end])) end++;
  const old = lines.slice(tableStart + 2, end).map((l) => (l.split('|').length === 10 ? `${l} – |` : l));
  const at = old.findIndex((l) => ran.has(suiteOf(l) ?? ''));
  const kept = old.filter((l) => !ran.has(suiteOf(l) ?? ''));
  const fresh = results.flatMap((s) => s.rows.map(tableRow));
  kept.splice(at < 0 ? kept.length : at, 0, ...fresh);
  lines.splice(tableStart + 2, end - tableStart - 2, ...kept);
  // Notes: replace each `### suite` block that ran; add the missing ones after '## Notes'.
  for (const s of results) {
    const block = [`### ${s.name}`, '', ...(s.skipped ? [`Skipped: ${s.skipped}`] : s.notes), ''];
    const start = lines.indexOf(`### ${s.name}`);
    if (start >= 0) {
      let stop = start + 1;
      while (stop < lines.length && !/^#{2,3} /.test(lines[stop])) stop++;
      lines.splice(start, stop - start, ...block);
    } else if (s.notes.length || s.skipped) {
      const notes = lines.indexOf('## Notes');
      if (notes < 0) lines.push('## Notes', '', ...block);
      else lines.splice(notes + 2, 0, ...block);
    }
  }
  // Machine: one line per partial run.
  const machineAt = lines.indexOf('## Machine');
  if (machineAt >= 0) {
    let stop = machineAt + 2;
    while (stop < lines.length && lines[stop].startsWith('- ')) stop++;
    const [m0, m1, , m3, m4] = machineLines(machine).map((l) => l.slice(2));
    lines.splice(stop, 0, `- Re-measured suites ${[...ran].join(', ')}: ${m0}; ${m1}; ${m3}; ${m4.replace(/ — .*/, '')}`);
  }
  return lines.join('\n');
}
