/** `medsynth nodules classify`: seed 002's downstream experiment (imbalanced vs balanced training, imbalanced test, oracle). */
import { BALANCE_ARMS, type BalanceArm } from '../generators/nodules/downstream.js';
import { DOWNSTREAM_DEFAULTS, downstreamTable, runDownstreamExperiment, type DownstreamOptions } from '../models/nodule_downstream.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { formatSeconds, Progress } from './progress.js';

const D = DOWNSTREAM_DEFAULTS;

export const CLASSIFY_FLAGS: FlagTable = {
  out: { type: 'string', metavar: 'DIR', help: 'output directory (required)' },
  'n-train': { type: 'string', metavar: 'N', default: String(D.nTrain), help: 'imbalanced training cohort (the seed: 2,600 nodules, 200 malignant)' },
  'n-val': { type: 'string', metavar: 'N', default: String(D.nVal), help: 'imbalanced validation split (threshold choice, per-epoch loss)' },
  'n-test': { type: 'string', metavar: 'N', default: String(D.nTest), help: 'imbalanced test set, disjoint from training' },
  balance: { type: 'string', metavar: 'A,A', default: D.arms.join(','), help: `training sets to compare: ${BALANCE_ARMS.join(', ')} (gan needs --gan-checkpoint)` },
  'gan-checkpoint': { type: 'string', metavar: 'FILE', help: 'generator_epochE.safetensors of medsynth nodules gan-train (the gan arm)' },
  seeds: { type: 'string', metavar: 'K', default: String(D.seeds), help: 'training seeds per arm (mean ± sd)' },
  epochs: { type: 'string', metavar: 'E', default: String(D.epochs), help: 'epochs per training run' },
  batch: { type: 'string', metavar: 'B', default: String(D.batchSize), help: 'batch size' },
  lr: { type: 'string', metavar: 'LR', default: String(D.lr), help: 'Adam learning rate' },
  size: { type: 'string', metavar: 'N', default: String(D.size), help: 'patch side N×N×N (51.2 mm field of view; the GAN size when one is used)' },
  width: { type: 'string', metavar: 'W', default: String(D.width), help: "channels of the classifier's first convolution (then 2W, 4W)" },
  'malignant-ratio': { type: 'string', metavar: 'R', default: String(D.malignantRatio), help: 'benign:malignant ratio of the generated cohorts' },
  seed: { type: 'string', metavar: 'N', default: String(D.datasetSeed), help: 'dataset seed (every nodule and GAN latent)' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const CLASSIFY_HELP = formatHelp(
  'Usage: medsynth nodules classify --out DIR [--n-train N] [--n-test N] [--balance none,procedural,gan] [--gan-checkpoint FILE]',
  "Seed 002's downstream experiment: a small 3D CNN predicts malignancy from nodule patches, trained on the\n" +
    'imbalanced cohort and on 1:1 balanced versions of it, evaluated on a disjoint imbalanced test set:\n' +
    'accuracy, sensitivity, specificity, AUC at threshold 0.5 and at a threshold chosen on the validation\n' +
    "split (Youden's J), beside the oracle (the risk model's true probability). Writes metrics.json,\n" +
    'results.md, training_log.csv and predictions.csv.',
  CLASSIFY_FLAGS,
);

export function parseClassifyArgs(argv: readonly string[]): { options: DownstreamOptions; help: boolean } {
  const { flags, positionals } = parseArgs(argv, CLASSIFY_FLAGS);
  if (flags.help) return { options: { ...D, outputDir: '' }, help: true };
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('--out DIR is required');
  const arms = String(flags.balance).split(',').map((a) => a.trim());
  for (const a of arms) if (!(BALANCE_ARMS as readonly string[]).includes(a)) throw new UsageError(`--balance: unknown training set '${a}' (choose from ${BALANCE_ARMS.join(', ')})`);
  if (new Set(arms).size !== arms.length) throw new UsageError(`--balance lists a training set twice ('${flags.balance}')`);
  const gan = flags['gan-checkpoint'];
  if (arms.includes('gan') && typeof gan !== 'string') throw new UsageError('--balance gan needs --gan-checkpoint FILE');
  if (!arms.includes('gan') && gan !== undefined) throw new UsageError('--gan-checkpoint is used by --balance gan only');
  const ratio = numberFlag(flags, 'malignant-ratio', { max: 1e6 });
  if (!(ratio > 0)) throw new UsageError(`--malignant-ratio must be > 0, got ${ratio}`);
  const options: DownstreamOptions = {
    outputDir: flags.out,
    nTrain: numberFlag(flags, 'n-train', { integer: true, min: 2, max: 1_000_000 }),
    nVal: numberFlag(flags, 'n-val', { integer: true, min: 2, max: 1_000_000 }),
    nTest: numberFlag(flags, 'n-test', { integer: true, min: 2, max: 1_000_000 }),
    arms: arms as BalanceArm[],
    ganCheckpoint: typeof gan === 'string' ? gan : undefined,
    seeds: numberFlag(flags, 'seeds', { integer: true, min: 1, max: 1000 }),
    epochs: numberFlag(flags, 'epochs', { integer: true, min: 1, max: 100_000 }),
    batchSize: numberFlag(flags, 'batch', { integer: true, min: 1, max: 4096 }),
    lr: numberFlag(flags, 'lr', { min: 1e-12, max: 10 }),
    size: numberFlag(flags, 'size', { integer: true, min: 8, max: 512 }),
    width: numberFlag(flags, 'width', { integer: true, min: 1, max: 256 }),
    malignantRatio: ratio,
    datasetSeed: numberFlag(flags, 'seed', { integer: true, min: 0, max: 2 ** 31 }),
    threads: flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }),
  };
  if (options.size % 4 !== 0) throw new UsageError(`--size must be a multiple of 4, got ${options.size}`);
  return { options, help: false };
}

export async function runClassify(argv: readonly string[]): Promise<number> {
  const { options, help } = parseClassifyArgs(argv);
  if (help) {
    process.stdout.write(CLASSIFY_HELP);
    return 0;
  }
  let progress: { label: string; bar: Progress } | undefined;
  const result = await runDownstreamExperiment(options, (e) => {
    if (e.type === 'info') process.stdout.write(`${e.line}\n`);
    else {
      if (progress?.label !== e.label) progress = { label: e.label, bar: new Progress(e.label, e.total) };
      progress.bar.update(e.done);
    }
  });
  process.stdout.write(`\n${downstreamTable(result)}\nmedsynth: wrote ${result.files.length} files under ${options.outputDir} in ${formatSeconds(result.seconds.total)}\n`);
  return 0;
}
