/**
 * `medsynth longitudinal vae-train`: trains the ConvVAE (lib/models/conv_vae.ts) on a
 * `medsynth longitudinal` output's images.h5. Flags are validated before anything is read or written.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type { VaeTrainEvent, VaeTrainOptions, VaeTrainResult } from '../models/vae_training.js';
import { runTrainingJob } from '../nn/worker_runner.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { formatSeconds } from './progress.js';

export const VAE_TRAIN_FLAGS: FlagTable = {
  data: { type: 'string', metavar: 'DIR', help: 'a `medsynth longitudinal` output (reads DIR/images.h5)' },
  out: { type: 'string', metavar: 'DIR', default: 'vae_run', help: 'output directory' },
  epochs: { type: 'string', metavar: 'N', default: '20', help: 'training epochs' },
  'batch-size': { type: 'string', metavar: 'N', default: '32', help: 'images per step' },
  lr: { type: 'string', metavar: 'LR', default: '0.001', help: 'Adam learning rate' },
  'latent-dim': { type: 'string', metavar: 'D', default: '8', help: 'latent dimensions (the generator has 8)' },
  beta: { type: 'string', metavar: 'B', default: '1', help: 'weight of the KL term (beta-VAE)' },
  limit: { type: 'string', metavar: 'N', help: 'use only the first N subjects' },
  seed: { type: 'string', metavar: 'S', default: '0', help: 'seeds the weights, the shuffles and the reparameterisation noise' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const VAE_TRAIN_HELP = formatHelp(
  'Usage: medsynth longitudinal vae-train --data DIR [options]',
  'Train a convolutional VAE (loss = per-image summed BCE + beta*KL) on the baseline images of a longitudinal dataset;\n' +
    'the last 20% of subjects are held out. Writes model.safetensors, training_log.csv, reconstructions.png,\n' +
    'latent_traversal.png (the learned decoder, 4 most active latent dims x 7 values) and vae_summary.json\n' +
    '(including the held-out R2 of each true z dimension regressed on the posterior means).',
  VAE_TRAIN_FLAGS,
);

export function parseVaeTrainArgs(argv: readonly string[]): { help: boolean; options?: VaeTrainOptions; threads?: number } {
  const { flags, positionals } = parseArgs(argv, VAE_TRAIN_FLAGS);
  if (flags.help) return { help: true };
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (flags.data === undefined) throw new UsageError('--data DIR is required (a `medsynth longitudinal` output)');
  const data = String(flags.data);
  if (!existsSync(path.join(data, 'images.h5'))) throw new UsageError(`--data: ${data}/images.h5 does not exist`);
  const out = String(flags.out);
  if (out.trim() === '') throw new UsageError('--out must name a directory');
  return {
    help: false,
    threads: flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }),
    options: {
      data,
      out,
      epochs: numberFlag(flags, 'epochs', { integer: true, min: 1, max: 100_000 }),
      batchSize: numberFlag(flags, 'batch-size', { integer: true, min: 1, max: 65_536 }),
      lr: numberFlag(flags, 'lr', { min: 1e-12, max: 10 }),
      latentDim: numberFlag(flags, 'latent-dim', { integer: true, min: 1, max: 256 }),
      beta: numberFlag(flags, 'beta', { min: 0, max: 1e6 }),
      seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: 0xffffffff }),
      limit: flags.limit === undefined ? undefined : numberFlag(flags, 'limit', { integer: true, min: 10, max: 2 ** 31 }),
    },
  };
}

export async function runVaeTrain(argv: readonly string[]): Promise<number> {
  const { help, options, threads } = parseVaeTrainArgs(argv);
  if (help || !options) {
    process.stdout.write(VAE_TRAIN_HELP);
    return 0;
  }
  const log = (s: string) => process.stdout.write(`medsynth: ${s}\n`);
  // In a worker, as `medsynth train clinical`: Ctrl-C stops after the current step and still writes the outputs.
  const r = await runTrainingJob<VaeTrainResult>('vae', { ...options, threads }, {
    onEvent: (e) => log((e as VaeTrainEvent).line),
    onInterrupt: () => process.stderr.write('\nmedsynth: interrupt: stopping after this step and writing the outputs (Ctrl-C again to abort)\n'),
  });
  if (r.interrupted) log(`interrupted after ${r.rows.length} epochs`);
  log(`trained in ${formatSeconds(r.seconds)}; held-out R2 of true z on posterior means: ${r.r2.map((v, j) => `z${j} ${v.toFixed(2)}`).join(', ')}`);
  for (const f of r.files) log(`  wrote ${f}`);
  return r.interrupted ? 130 : 0;
}
