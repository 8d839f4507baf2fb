/**
 * `medsynth bench`: speed on this machine, measured now. Times the suites of lib/bench/ (the code
 * the repository's `npm run bench` runs too) and prints the machine, a table of times and the
 * ratios against baselines measured in the same run; `--json` prints the same as JSON.
 */
import { writeFileAtomicSync } from '../io/atomic.js';
import { jsonReport, resultsMarkdown, textReport } from '../bench/format.js';
import { machineInfo } from '../bench/machine.js';
import { USER_SUITES } from '../bench/registry.js';
import { runSuites } from '../bench/runner.js';
import { formatHelp, parseArgs, UsageError, type FlagTable } from './args.js';

export const BENCH_FLAGS: FlagTable = {
  suite: { type: 'string', metavar: 'NAME[,NAME]', help: `suites to run (default: all): ${USER_SUITES.map((s) => s.suite.name).join(', ')}` },
  quick: { type: 'boolean', help: 'small sizes, few iterations, no PyTorch: under a minute' },
  json: { type: 'boolean', help: 'print JSON (the machine, every time and ratio) instead of the table' },
  out: { type: 'string', metavar: 'FILE', help: 'also write the results to FILE (JSON with --json, else Markdown)' },
  verbose: { type: 'boolean', help: 'on errors, also print the stack' },
  help: { type: 'boolean', help: 'show this help' },
};

export const BENCH_HELP = formatHelp(
  'Usage: medsynth bench [--suite NAME[,NAME]] [--quick] [--json] [--out FILE]',
  'Time medsynth on this machine against baselines measured in the same run. Suites:\n' +
    USER_SUITES.map((s) => `  ${s.suite.name.padEnd(8)} ${s.summary}`).join('\n'),
  BENCH_FLAGS,
);

export async function runBench(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, BENCH_FLAGS);
  if (flags.help) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const names = USER_SUITES.map((s) => s.suite.name);
  const picked = typeof flags.suite === 'string' ? flags.suite.split(',').map((s) => s.trim()) : names;
  const unknown = picked.find((name) => !names.includes(name));
  if (unknown !== undefined) throw new UsageError(`unknown suite '${unknown}' (suites: ${names.join(', ')})`);
  const suites = USER_SUITES.filter((s) => picked.includes(s.suite.name)).map((s) => s.suite);

  const machine = machineInfo();
  // Progress on stderr: stdout is the table, or the JSON document alone.
  const results = await runSuites(suites, { quick: flags.quick === true, log: (line) => process.stderr.write(`${line}\n`) });
  const json = `${JSON.stringify(jsonReport(machine, results, flags.quick === true), null, 2)}\n`;
  process.stdout.write(flags.json ? json : `${textReport(machine, results, flags.quick === true)}\n`);
  if (typeof flags.out === 'string') writeFileAtomicSync(flags.out, flags.json ? json : resultsMarkdown(machine, results, `\`medsynth bench${flags.quick ? ' --quick' : ''}\``, flags.quick === true));
  return 0;
}
