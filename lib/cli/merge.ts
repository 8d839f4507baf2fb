/**
 * `medsynth merge SHARD_DIR… --output-dir DIR`: joins the shards of one `--shard` run (generate,
 * petct or clinical) into the dataset the unsharded run writes, without regenerating anything.
 * All N shards of one run (same tool, version, seed and options) must be given, each once, and
 * every file must still be what its shard wrote (size and SHA-256 from shard.json).
 */
import { handleTerminationSignals } from '../core/signals.js';
import { collectShards } from '../shard/manifest.js';
import { mergeShards, type MergeResult } from '../shard/merge.js';
import { formatHelp, parseArgs, UsageError, type FlagTable } from './args.js';
import { formatSeconds, Progress } from './progress.js';

const MiB = 2 ** 20;
const VERIFY_PROGRESS_BYTES = 512 * MiB;

export const MERGE_FLAGS: FlagTable = {
  'output-dir': { type: 'string', aliases: ['out'], metavar: 'DIR', help: 'where the merged dataset is written (required)' },
  mode: {
    type: 'string',
    metavar: 'M',
    default: 'copy',
    help: "copy: one file per split, rows copied from the shards. virtual (HDF5 virtual datasets) is not available: h5wasm 0.10.3 cannot create them; readers open the shard list directly instead",
  },
  verbose: { type: 'boolean', help: 'list the files written; on errors, the stack' },
  help: { type: 'boolean', help: 'show this help' },
};

export const MERGE_HELP = formatHelp(
  'Usage: medsynth merge SHARD_DIR... --output-dir DIR [--mode copy]',
  'Join the shards of a --shard run (medsynth generate, petct or clinical) into one dataset, as the unsharded\n' +
    'run writes it. Refuses shards of different runs, and names the shards (and their sample indices) missing or given twice.\n' +
    'Every shard file is first checked against the size and SHA-256 its shard.json records; a missing, truncated or\n' +
    'altered file is named and nothing is written.',
  MERGE_FLAGS,
);

export async function runMerge(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, MERGE_FLAGS);
  if (flags.help) {
    process.stdout.write(MERGE_HELP);
    return 0;
  }
  if (typeof flags['output-dir'] !== 'string' || flags['output-dir'] === '') throw new UsageError('--output-dir DIR is required');
  if (positionals.length === 0) throw new UsageError('name the shard directories to merge');
  if (flags.mode === 'virtual') {
    throw new UsageError(
      '--mode virtual: h5wasm 0.10.3 cannot create HDF5 virtual datasets (it has no H5Pset_virtual); use --mode copy, ' +
        'or read the shards in place: openDataset([dir0, dir1, ...]) in Node',
    );
  }
  if (flags.mode !== 'copy') throw new UsageError(`--mode must be copy or virtual, got '${flags.mode}'`);
  const out = flags['output-dir'];
  const set = collectShards(positionals);
  const log = (s: string) => process.stdout.write(s + '\n');
  const started = performance.now();
  log(`medsynth: merging ${set.dirs.length} '${set.tool}' shards into ${out}`);
  const progress = new Progress('merge', Math.max(1, Object.values(set.run).reduce((a, r) => a + r.count, 0)));
  // Hashing the shard files comes first, counted in MiB (they can be GBs); below ~1 s of reading, no bar.
  let verify: Progress | undefined;
  const onVerify = (done: number, total: number) => {
    if (total >= VERIFY_PROGRESS_BYTES) (verify ??= new Progress('verify (MiB)', Math.ceil(total / MiB))).update(Math.ceil(done / MiB));
  };
  const signals = handleTerminationSignals('exit', (sig) => process.stderr.write(`\nmedsynth: interrupted by ${sig}; temporary files removed, ${out} left as it was\n`));
  let result: MergeResult;
  try {
    result = await mergeShards(set.dirs, out, (done) => progress.update(done), onVerify);
  } finally {
    signals.dispose();
  }
  log(`medsynth: merged ${result.splits.map((s) => `${s.name} ${s.count}`).join(', ')} in ${formatSeconds((performance.now() - started) / 1000)} into ${out}`);
  if (flags.verbose) for (const f of result.files) log(`  ${f}`);
  return 0;
}
