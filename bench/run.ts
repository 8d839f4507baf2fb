/**
 * `npm run bench`: the repository's benchmark. Runs the shipped suites (lib/bench/, what
 * `medsynth bench` runs) and the repository's own (bench/suites/: the generators, storage, the
 * engine against PyTorch, …) through lib/bench's runner and writes bench/RESULTS.md; with
 * --suite, only those suites' rows and notes in it are replaced.
 *
 *   node dist/bench/run.js [--suite NAME[,NAME]] [--no-reference] [--out FILE]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { mergeResultsMarkdown, resultsMarkdown } from '../lib/bench/format.js';
import { machineInfo, machineLines } from '../lib/bench/machine.js';
import { REPOSITORY_SUITES } from '../lib/bench/registry.js';
import { runSuites } from '../lib/bench/runner.js';
import type { BenchSuite } from './suite.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const pick = arg('--suite')?.split(',');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = arg('--out') ?? path.join(here, '..', '..', 'bench', 'RESULTS.md');

  const all: BenchSuite[] = [...REPOSITORY_SUITES];
  for (const file of readdirSync(path.join(here, 'suites')).filter((f) => f.endsWith('.js'))) {
    const mod = (await import(path.join(here, 'suites', file))) as { suite?: BenchSuite };
    if (mod.suite) all.push(mod.suite);
  }
  all.sort((a, b) => a.name.localeCompare(b.name));
  const unknown = pick?.find((name) => !all.some((s) => s.name === name));
  if (unknown) {
    process.stderr.write(`bench: unknown suite '${unknown}' (suites: ${all.map((s) => s.name).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  const suites = all.filter((s) => !pick || pick.includes(s.name));

  const machine = machineInfo();
  process.stdout.write(machineLines(machine).join('\n') + '\n\n');
  const results = await runSuites(suites, { quick: false, withReference: !args.includes('--no-reference'), log: (line) => process.stdout.write(`${line}\n`) });
  const text = pick && existsSync(out) ? mergeResultsMarkdown(readFileSync(out, 'utf8'), machine, results) : resultsMarkdown(machine, results);
  writeFileSync(out, text);
  process.stdout.write(`\nwrote ${out}\n`);
}

await main();
