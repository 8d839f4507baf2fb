/**
 * `medsynth longitudinal`: baseline OCT-like images and NLME follow-up from one latent z per
 * subject (seed 003): images.h5, followup.csv (long), subjects.csv (wide truth), metadata.json,
 * preview.png and latent_traversal.png. Every flag is validated before anything is written.
 */
import { setThreads } from '../core/threads.js';
import { ParametricOctDecoder } from '../generators/longitudinal/decoder.js';
import { writeLongitudinalDataset } from '../generators/longitudinal/dataset.js';
import { LATENT_DIM } from '../generators/longitudinal/latent_map.js';
import { DROPOUT_KINDS, NlmeModel, type DropoutKind, type NlmeOptions } from '../generators/longitudinal/nlme.js';
import { TRAJECTORY_MODELS, type TrajectoryModelName } from '../generators/longitudinal/trajectory_models.js';
import { formatHelp, listFlag, numberFlag, parseArgs, UsageError, type FlagTable, type ParsedArgs } from './args.js';
import { formatSeconds, Progress } from './progress.js';

export const LONGITUDINAL_FLAGS: FlagTable = {
  out: { type: 'string', metavar: 'DIR', default: 'longitudinal_dataset', help: 'output directory' },
  n: { type: 'string', metavar: 'N', default: '500', help: 'number of subjects' },
  visits: { type: 'string', metavar: 'K', help: 'scheduled visits per subject, >= 1 (default 6, or the number of --times)' },
  interval: { type: 'string', metavar: 'YEARS', default: '0.5', help: 'gap between scheduled visits' },
  times: { type: 'string', metavar: 'T0,T1,..', help: 'scheduled visit times in years (non-negative, increasing) instead of --visits/--interval' },
  jitter: { type: 'string', metavar: 'YEARS', help: 'visit times move uniformly within +-J of the schedule (default 0.1 x smallest gap)' },
  model: { type: 'string', metavar: 'NAME', default: 'exponential', help: `trajectory: ${TRAJECTORY_MODELS.join(' | ')}` },
  'explained-variance': { type: 'string', metavar: 'R2', default: '0.5', help: 'share of between-subject variance of theta explained by z, in [0, 1]' },
  're-corr': { type: 'string', metavar: 'RHO', default: '0', help: 'correlation between the random effects' },
  'residual-sd': { type: 'string', metavar: 'SIGMA', help: "residual SD (default: the model's, 3 or 4)" },
  dropout: { type: 'string', metavar: 'KIND', default: 'none', help: `${DROPOUT_KINDS.join(' | ')} (random: MCAR; informative: depends on the last value)` },
  'dropout-rate': { type: 'string', metavar: 'P', help: 'per-visit dropout probability (default 0.1)' },
  'dropout-slope': { type: 'string', metavar: 'GAMMA', default: '1', help: 'informative dropout: log-odds per outcome scale of worse value' },
  size: { type: 'string', metavar: 'H,W', default: '128,256', help: 'image height (depth) and width, each 8-4096' },
  seed: { type: 'string', metavar: 'S', default: '42', help: 'dataset seed' },
  'noise-sd': { type: 'string', metavar: 'SD', default: '0.03', help: 'additive detector noise of the images' },
  traverse: { type: 'string', metavar: 'D,D,D,D', default: '0,1,2,3', help: `latent dimensions (0-${LATENT_DIM - 1}) of latent_traversal.png, one row each` },
  gzip: { type: 'string', metavar: 'LEVEL', default: '0', help: 'gzip level 1-9 for the images, 0 for none' },
  batch: { type: 'string', metavar: 'N', help: 'subjects rendered per chunk (default: ~32 MiB of images)' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  'skip-preview': { type: 'boolean', help: 'do not write preview.png and latent_traversal.png' },
  help: { type: 'boolean', help: 'show this help' },
};

export const LONGITUDINAL_HELP = formatHelp(
  'Usage: medsynth longitudinal [options]',
  'Generate baseline OCT-like B-scans and nonlinear mixed-effects follow-up from one latent z per subject:\n' +
    'theta_i = g(z_i) + eta_i, y_ij = f(t_ij; theta_i) + eps_ij, with the share of variance of theta explained by z set\n' +
    'by --explained-variance. Writes images.h5, followup.csv, subjects.csv, metadata.json, preview.png, latent_traversal.png.\n' +
    "('medsynth longitudinal vae-train' needs the training engine, which this build does not have yet.)",
  LONGITUDINAL_FLAGS,
);

function oneOf<T extends string>(flags: ParsedArgs['flags'], name: string, allowed: readonly T[]): T {
  const v = String(flags[name]);
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

function timesFlag(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) throw new UsageError(`--times must be comma-separated numbers like "0,0.5,1,2", got '${raw}'`);
  const negative = values.find((v) => v < 0);
  if (negative !== undefined) throw new UsageError(`--times must be non-negative (years since baseline), got ${negative}`);
  for (let j = 1; j < values.length; j++) {
    if (!(values[j] > values[j - 1])) throw new UsageError(`--times must be strictly increasing, got '${raw}'`);
  }
  return values;
}

export interface LongitudinalPlan {
  model: NlmeModel;
  decoder: ParametricOctDecoder;
  outputDir: string;
  n: number;
  traverse: number[];
  gzipLevel: number;
  batch?: number;
  threads?: number;
  preview: boolean;
}

/** Parses and validates everything; throws before any file is touched. */
export function parseLongitudinalArgs(argv: readonly string[]): { help: boolean; plan?: LongitudinalPlan } {
  const { flags, positionals } = parseArgs(argv, LONGITUDINAL_FLAGS);
  if (flags.help) return { help: true };
  if (positionals[0] === 'vae-train') {
    throw new UsageError("'longitudinal vae-train' needs the training engine (lib/nn), which this build does not have yet");
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const out = String(flags.out);
  if (out.trim() === '') throw new UsageError('--out must name a directory');
  const seed = numberFlag(flags, 'seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  const [H, W] = listFlag(flags, 'size', 2, { integer: true, above: 0 });
  if (H < 8 || W < 8 || H > 4096 || W > 4096) throw new UsageError(`--size must be two integers in 8-4096, got '${flags.size}'`);
  const options: NlmeOptions = {
    seed,
    model: oneOf<TrajectoryModelName>(flags, 'model', TRAJECTORY_MODELS),
    explainedVariance: numberFlag(flags, 'explained-variance', { min: 0, max: 1 }),
    reCorrelation: numberFlag(flags, 're-corr', { min: -1, max: 1 }),
    dropout: oneOf<DropoutKind>(flags, 'dropout', DROPOUT_KINDS),
    dropoutSlope: numberFlag(flags, 'dropout-slope', { min: -100, max: 100 }),
  };
  if (flags.visits !== undefined) options.visits = numberFlag(flags, 'visits', { integer: true, min: 1, max: 10_000 });
  if (flags.times !== undefined) options.times = timesFlag(String(flags.times));
  else options.interval = numberFlag(flags, 'interval', { min: 0, max: 100 });
  if (options.interval === 0) throw new UsageError('--interval must be > 0, got 0');
  if (flags.jitter !== undefined) options.jitter = numberFlag(flags, 'jitter', { min: 0, max: 1000 });
  if (flags['residual-sd'] !== undefined) options.residualSd = numberFlag(flags, 'residual-sd', { min: 0, max: 1e6 });
  if (flags['dropout-rate'] !== undefined) options.dropoutRate = numberFlag(flags, 'dropout-rate', { min: 0, max: 1 });
  const traverse = listFlag(flags, 'traverse', String(flags.traverse).split(',').length, { integer: true, above: -1 });
  if (traverse.length > 8 || traverse.some((d) => d >= LATENT_DIM)) throw new UsageError(`--traverse must list 1-8 latent dimensions in 0-${LATENT_DIM - 1}, got '${flags.traverse}'`);
  const model = new NlmeModel(options);
  const decoder = new ParametricOctDecoder({ seed, height: H, width: W, noiseSigma: numberFlag(flags, 'noise-sd', { min: 0, max: 10 }) });
  return {
    help: false,
    plan: {
      model,
      decoder,
      outputDir: out,
      n: numberFlag(flags, 'n', { integer: true, min: 1, max: 2 ** 32 }),
      traverse,
      gzipLevel: numberFlag(flags, 'gzip', { integer: true, min: 0, max: 9 }),
      batch: flags.batch === undefined ? undefined : numberFlag(flags, 'batch', { integer: true, min: 1, max: Math.floor(2 ** 31 / (H * W)) }),
      threads: flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }),
      preview: !flags['skip-preview'],
    },
  };
}

export async function runLongitudinal(argv: readonly string[]): Promise<number> {
  const { help, plan } = parseLongitudinalArgs(argv);
  if (help || !plan) {
    process.stdout.write(LONGITUDINAL_HELP);
    return 0;
  }
  if (plan.threads !== undefined) setThreads(plan.threads);
  const log = (s: string) => process.stdout.write(s + '\n');
  const c = plan.model.config;
  log(
    `medsynth: longitudinal: ${plan.n} subjects, ${c.times.length} scheduled visits, ${c.model.name} model, R2 ${c.explainedVariance}, ` +
      `dropout ${c.dropout}, images ${plan.decoder.height}x${plan.decoder.width} (seed ${c.seed}) into ${plan.outputDir}`,
  );
  const progress = new Progress('subjects', plan.n);
  const r = await writeLongitudinalDataset(plan.model, plan.decoder, {
    outputDir: plan.outputDir,
    n: plan.n,
    chunkSubjects: plan.batch,
    gzipLevel: plan.gzipLevel,
    preview: plan.preview,
    traversalDims: plan.preview ? plan.traverse : null,
    onProgress: (done) => progress.update(done),
  });
  log(`medsynth: ${r.n} subjects, ${r.visitsObserved} observed visits (${(r.visitsObserved / r.n).toFixed(2)} per subject) in ${formatSeconds(r.seconds)}`);
  for (const f of r.files) log(`  wrote ${f}`);
  return 0;
}
