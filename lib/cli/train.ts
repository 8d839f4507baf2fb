/**
 * `medsynth train <model>`: trains an engine model in a worker thread with a per-epoch progress
 * bar (loss, accuracy, samples/s, ETA; plain lines when not a TTY), the seed's epoch lines, and
 * Ctrl-C saving a checkpoint. `train clinical` is seed 000's notebook with its numbers.
 */
import { CLINICAL_TRAIN_DEFAULTS, type ClinicalTrainOptions, type ClinicalTrainResult, type TrainEvent } from '../models/clinical_training.js';
import { runTrainingJob } from '../nn/worker_runner.js';
import { formatHelp, listFlag, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { Progress } from './progress.js';
import { runTrainPetCt } from './petct_study.js';

const d = CLINICAL_TRAIN_DEFAULTS;

export const TRAIN_CLINICAL_FLAGS: FlagTable = {
  size: { type: 'string', metavar: 'H,W', default: d.size.join(','), help: 'image height and width (the seed: 256,256)' },
  'n-train': { type: 'string', metavar: 'N', default: String(d.nTrain), help: 'training samples (split seed 123)' },
  'n-val': { type: 'string', metavar: 'N', default: String(d.nVal), help: 'validation samples (split seed 456)' },
  'n-test': { type: 'string', metavar: 'N', default: String(d.nTest), help: 'test samples (split seed 789)' },
  epochs: { type: 'string', metavar: 'N', default: String(d.epochs), help: 'training epochs' },
  'batch-size': { type: 'string', metavar: 'N', default: String(d.batchSize), help: 'batch size' },
  lr: { type: 'string', metavar: 'LR', default: String(d.lr), help: 'Adam learning rate' },
  seed: { type: 'string', metavar: 'S', default: String(d.seed), help: 'seed of the initial weights and the shuffles' },
  out: { type: 'string', metavar: 'DIR', default: 'clinical_run', help: 'output directory' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  resume: { type: 'string', metavar: 'FILE', help: 'continue from a checkpoint.safetensors of the same configuration' },
  help: { type: 'boolean', help: 'show this help' },
};

export const TRAIN_HELP =
  formatHelp(
    'Usage: medsynth train clinical [options]',
    "Train seed 000's SimpleModel (CNN + tabular MLP) on ClinicalSynth splits: Adam, cross-entropy, shuffled batches.\n" +
      'Writes model.safetensors (PyTorch state_dict names), checkpoint.safetensors (+ optimizer state),\n' +
      'training_log.csv, predictions.csv and metrics.json (test accuracy and AUC beside the Bayes oracle).',
    TRAIN_CLINICAL_FLAGS,
  );

export function parseTrainClinicalArgs(argv: readonly string[]): ClinicalTrainOptions | null {
  const { flags, positionals } = parseArgs(argv, TRAIN_CLINICAL_FLAGS);
  if (flags.help) return null;
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const [H, W] = listFlag(flags, 'size', 2, { integer: true, above: 0 });
  if (H < 8 || W < 8 || H > 4096 || W > 4096) throw new UsageError(`--size must be between 8 and 4096 per axis, got '${flags.size}'`);
  const out = String(flags.out);
  if (out.trim() === '') throw new UsageError('--out must name a directory');
  const options: ClinicalTrainOptions = {
    size: [H, W],
    nTrain: numberFlag(flags, 'n-train', { integer: true, min: 1, max: 1e7 }),
    nVal: numberFlag(flags, 'n-val', { integer: true, min: 1, max: 1e7 }),
    nTest: numberFlag(flags, 'n-test', { integer: true, min: 1, max: 1e7 }),
    epochs: numberFlag(flags, 'epochs', { integer: true, min: 1, max: 100000 }),
    batchSize: numberFlag(flags, 'batch-size', { integer: true, min: 1, max: 1 << 16 }),
    lr: numberFlag(flags, 'lr', { min: 0 }),
    seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
    out,
  };
  if (!(options.lr > 0)) throw new UsageError(`--lr must be > 0, got ${options.lr}`);
  if (flags.threads !== undefined) options.threads = numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 });
  if (flags.resume !== undefined) options.resume = String(flags.resume);
  const images = Math.max(options.nTrain, options.nVal, options.nTest) * H * W;
  if (images > 2 ** 31 - 1) throw new UsageError(`a split of ${Math.max(options.nTrain, options.nVal, options.nTest)} images of ${H}×${W} exceeds 2^31 values; use fewer samples or a smaller --size`);
  return options;
}

/** Renders the job's events: a progress bar per phase, the seed's epoch lines. */
function eventPrinter(): (event: unknown) => void {
  let bar: Progress | null = null;
  let barKey = '';
  return (raw) => {
    const e = raw as TrainEvent;
    if (e.type === 'info') {
      process.stdout.write(`medsynth: ${e.line}\n`);
    } else if (e.type === 'batch') {
      const p = e.progress;
      const label = e.epoch > e.epochs ? 'Test' : `Epoch ${String(e.epoch).padStart(2, '0')}/${e.epochs} ${p.phase === 'train' ? 'train' : 'val'}`;
      if (label !== barKey) {
        bar = new Progress(label, p.total);
        barKey = label;
      }
      bar!.update(p.done, `loss ${p.loss.toFixed(3)} acc ${p.accuracy.toFixed(3)}`);
    } else if (e.type === 'epoch') {
      process.stdout.write(`${e.line}\n`);
    }
  };
}

export async function runTrainClinical(argv: readonly string[]): Promise<number> {
  const options = parseTrainClinicalArgs(argv);
  if (!options) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  const result = await runTrainingJob<ClinicalTrainResult>('clinical', options, {
    onEvent: eventPrinter(),
    onInterrupt: () => process.stderr.write('\nmedsynth: interrupt: stopping after this step and saving a checkpoint (Ctrl-C again to abort)\n'),
  });
  if (result.interrupted) return 130;
  const m = result.metrics!;
  process.stdout.write(`\nTest accuracy: ${m.test_accuracy.toFixed(3)}\n`);
  process.stdout.write(
    `Test AUC ${m.test_auc.toFixed(3)} (Bayes oracle P(y|z): AUC ${m.oracle_auc.toFixed(3)}, accuracy ${m.oracle_accuracy.toFixed(3)}; ` +
      `covariates-only prior: AUC ${m.prior_auc.toFixed(3)}); ${m.n_test} test samples, ${(100 * m.test_positive_rate).toFixed(1)}% positive\n`,
  );
  process.stdout.write(`trained ${m.epochs} epochs in ${m.train_seconds.toFixed(1)} s (${m.samples_per_second.toFixed(0)} samples/s; data ${m.data_seconds.toFixed(1)} s)\n`);
  for (const f of result.files) process.stdout.write(`  wrote ${f}\n`);
  return 0;
}

/** `medsynth train <model> …` */
export async function runTrain(argv: readonly string[]): Promise<number> {
  const [model, ...rest] = argv;
  if (model === undefined || model === '--help' || model === '-h') {
    process.stdout.write('Usage: medsynth train <model> [options]\n\nModels:\n  clinical   seed 000: CNN + MLP classifier on ClinicalSynth images and radiomics\n  petct      seed 004: multi-task U-Net (tumour segmentation + Cox survival) on a PET/CT cohort\n');
    return model === undefined ? 2 : 0;
  }
  if (model === 'clinical') return runTrainClinical(rest);
  if (model === 'petct') return runTrainPetCt(rest);
  throw new UsageError(`unknown model '${model}' for train (known: clinical, petct)`);
}
