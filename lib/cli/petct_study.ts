/**
 * The PET/CT study's commands (seed 004): `medsynth train petct` (in the engine's worker),
 * `medsynth evaluate` (MC-dropout metrics, report.md, reliability.png) and `medsynth demo`
 * (the 6-panel figure of one patient).
 */
import { SURVIVAL_POOLS, type SurvivalPool } from '../models/unet.js';
import { PETCT_TRAIN_DEFAULTS, type PetCtTrainEvent, type PetCtTrainOptions, type PetCtTrainResult } from '../studies/petct/train.js';
import { demoPetCtModel, evaluatePetCtModel } from '../studies/petct/run_model.js';
import { runTrainingJob } from '../nn/worker_runner.js';
import { setThreads } from '../core/threads.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { Progress } from './progress.js';

const d = PETCT_TRAIN_DEFAULTS;

export const TRAIN_PETCT_FLAGS: FlagTable = {
  'data-dir': { type: 'string', metavar: 'DIR', help: "a 'medsynth petct' cohort (clinical.csv + NIfTI per patient)" },
  output: { type: 'string', metavar: 'DIR', default: 'petct_run', help: 'output directory' },
  epochs: { type: 'string', metavar: 'N', default: String(d.epochs), help: 'maximum epochs' },
  'batch-size': { type: 'string', metavar: 'N', default: String(d.batchSize), help: 'slices per batch' },
  'seg-weight': { type: 'string', metavar: 'W', default: String(d.segWeight), help: 'weight of the focal Tversky loss' },
  'surv-weight': { type: 'string', metavar: 'W', default: String(d.survWeight), help: 'weight of the Cox partial likelihood' },
  base: { type: 'string', metavar: 'N', default: String(d.base), help: 'U-Net base width (the seed: 64)' },
  size: { type: 'string', metavar: 'N', default: String(d.size), help: 'slice size, a multiple of 16 (the seed: 256)' },
  lr: { type: 'string', metavar: 'LR', default: String(d.lr), help: 'Adam learning rate' },
  seed: { type: 'string', metavar: 'S', default: String(d.seed), help: 'seed of the split, slices, weights, shuffles and dropout' },
  patience: { type: 'string', metavar: 'N', default: String(d.patience), help: 'early-stopping patience (epochs)' },
  'max-tumour-slices': { type: 'string', metavar: 'N', help: 'at most N tumour slices per patient (default: all)' },
  'clinical-covariates': { type: 'boolean', help: 'also feed standardised age, male, stage (clinical.csv) to the survival head' },
  'survival-pool': { type: 'string', metavar: 'P', default: 'avg', help: "survival head's pooling of the bottleneck: avg (the seed), max or avgmax (both concatenated)" },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  help: { type: 'boolean', help: 'show this help' },
};

const MODEL_FLAGS: FlagTable = {
  model: { type: 'string', metavar: 'FILE', help: "best_model.safetensors from 'medsynth train petct'" },
  'data-dir': { type: 'string', metavar: 'DIR', help: 'the cohort the model was trained on' },
  output: { type: 'string', metavar: 'DIR', default: 'petct_results', help: 'output directory' },
  'n-mc-samples': { type: 'string', metavar: 'T', default: '30', help: 'MC-dropout passes' },
  'batch-size': { type: 'string', metavar: 'N', default: '8', help: 'slices per forward pass' },
  threads: { type: 'string', metavar: 'N', help: 'native threads' },
  help: { type: 'boolean', help: 'show this help' },
};
const DEMO_FLAGS: FlagTable = { ...MODEL_FLAGS, patient: { type: 'string', metavar: 'ID', help: 'patient id, e.g. patient_001' } };

function required(flags: Record<string, unknown>, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function parseTrainPetCtArgs(argv: readonly string[]): PetCtTrainOptions | null {
  const { flags, positionals } = parseArgs(argv, TRAIN_PETCT_FLAGS);
  if (flags.help) return null;
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const o: PetCtTrainOptions = {
    dataDir: required(flags, 'data-dir'),
    output: required(flags, 'output'),
    epochs: numberFlag(flags, 'epochs', { integer: true, min: 1, max: 100000 }),
    batchSize: numberFlag(flags, 'batch-size', { integer: true, min: 2, max: 4096 }),
    segWeight: numberFlag(flags, 'seg-weight', { min: 0 }),
    survWeight: numberFlag(flags, 'surv-weight', { min: 0 }),
    base: numberFlag(flags, 'base', { integer: true, min: 1, max: 1024 }),
    size: numberFlag(flags, 'size', { integer: true, min: 16, max: 4096 }),
    lr: numberFlag(flags, 'lr', { min: 0 }),
    seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
    patience: numberFlag(flags, 'patience', { integer: true, min: 1, max: 100000 }),
  };
  if (o.size % 16) throw new UsageError(`--size must be a multiple of 16, got ${o.size}`);
  if (!(o.lr > 0)) throw new UsageError(`--lr must be > 0, got ${o.lr}`);
  if (!(o.segWeight + o.survWeight > 0)) throw new UsageError('--seg-weight and --surv-weight cannot both be 0');
  if (flags['max-tumour-slices'] !== undefined) o.maxTumourSlices = numberFlag(flags, 'max-tumour-slices', { integer: true, min: 1, max: 1e6 });
  if (flags.threads !== undefined) o.threads = numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 });
  if (flags['clinical-covariates']) o.clinicalCovariates = true;
  const pool = String(flags['survival-pool']);
  if (!(SURVIVAL_POOLS as readonly string[]).includes(pool)) throw new UsageError(`--survival-pool must be one of ${SURVIVAL_POOLS.join(', ')}, got '${pool}'`);
  if (pool !== 'avg') o.survivalPool = pool as SurvivalPool;
  return o;
}

function eventPrinter(): (event: unknown) => void {
  let bar: Progress | null = null;
  let key = '';
  return (raw) => {
    const e = raw as PetCtTrainEvent;
    if (e.type === 'info') process.stdout.write(`medsynth: ${e.line}\n`);
    else if (e.type === 'epoch') process.stdout.write(`${e.line}\n`);
    else {
      const p = e.progress;
      const label = `Epoch ${String(e.epoch).padStart(2, '0')}/${e.epochs} ${p.phase === 'train' ? 'train' : 'val'}`;
      if (label !== key) {
        bar = new Progress(label, p.total);
        key = label;
      }
      bar!.update(p.done, `loss ${p.loss.toFixed(4)}`);
    }
  };
}

export async function runTrainPetCt(argv: readonly string[]): Promise<number> {
  const o = parseTrainPetCtArgs(argv);
  if (!o) {
    process.stdout.write(
      formatHelp(
        'Usage: medsynth train petct --data-dir DIR --output DIR [options]',
        "Train seed 004's multi-task U-Net (segmentation + Cox survival) on a PET/CT cohort: loss seg·focal Tversky\n" +
          '(α 0.3, β 0.7, γ 0.75) + surv·Cox partial likelihood, Adam, best-checkpoint, ReduceLROnPlateau, early stopping.\n' +
          'Writes best_model.safetensors, training_log.csv and training_curves.png.',
        TRAIN_PETCT_FLAGS,
      ),
    );
    return 0;
  }
  const r = await runTrainingJob<PetCtTrainResult>('petct', o, {
    onEvent: eventPrinter(),
    onInterrupt: () => process.stderr.write('\nmedsynth: interrupt: stopping after this step (best_model.safetensors keeps the best epoch)\n'),
  });
  process.stdout.write(`trained ${r.epochs} epochs in ${r.seconds.toFixed(1)} s; best epoch ${r.bestEpoch} (val loss ${r.bestValLoss.toFixed(4)})\n`);
  for (const f of r.files) process.stdout.write(`  wrote ${f}\n`);
  return r.interrupted ? 130 : 0;
}

function parseModelArgs(argv: readonly string[], table: FlagTable) {
  const { flags, positionals } = parseArgs(argv, table);
  if (flags.help) return null;
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (flags.threads !== undefined) setThreads(numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }));
  return {
    flags,
    options: {
      model: required(flags, 'model'),
      dataDir: required(flags, 'data-dir'),
      output: required(flags, 'output'),
      mcSamples: numberFlag(flags, 'n-mc-samples', { integer: true, min: 1, max: 10000 }),
      batchSize: numberFlag(flags, 'batch-size', { integer: true, min: 1, max: 4096 }),
    },
  };
}

export async function runEvaluate(argv: readonly string[]): Promise<number> {
  const parsed = parseModelArgs(argv, MODEL_FLAGS);
  if (!parsed) {
    process.stdout.write(formatHelp('Usage: medsynth evaluate --model FILE --data-dir DIR --output DIR [--n-mc-samples 30]', "Evaluate a 'train petct' model on its held-out patients with MC dropout: metrics.json, report.md, reliability.png.", MODEL_FLAGS));
    return 0;
  }
  const { metrics: m, files } = await evaluatePetCtModel(parsed.options);
  process.stdout.write(`${m.patients} held-out patients, ${m.slices} slices, ${m.mcPasses} MC passes\n`);
  for (const t of m.targets) process.stdout.write(`  ${JSON.stringify(t)}\n`);
  for (const f of files) process.stdout.write(`  wrote ${f}\n`);
  return 0;
}

export async function runDemo(argv: readonly string[]): Promise<number> {
  const parsed = parseModelArgs(argv, DEMO_FLAGS);
  if (!parsed) {
    process.stdout.write(formatHelp('Usage: medsynth demo --model FILE --data-dir DIR --patient ID --output DIR', "The 6-panel figure of one patient's largest-tumour slice: CT, PET, truth, MC-mean prediction, entropy, risk.", DEMO_FLAGS));
    return 0;
  }
  const r = await demoPetCtModel({ ...parsed.options, patient: required(parsed.flags, 'patient') });
  process.stdout.write(`slice z=${r.z}: Dice ${r.dice.toFixed(3)}, risk ${r.risk.mean[0].toFixed(3)} [${r.risk.lower[0].toFixed(3)}, ${r.risk.upper[0].toFixed(3)}]\n  wrote ${r.file}\n`);
  return 0;
}
