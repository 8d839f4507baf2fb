/** `medsynth nodules gan-train` / `gan-sample`: the seed's 3D WGAN-GP on procedural malignant nodules. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { setThreads } from '../core/threads.js';
import { writeAtomically } from '../io/atomic.js';
import { createH5, createSampleDataset, setAttributes, writeSmallDataset } from '../io/hdf5.js';
import { ganNoduleSource } from '../models/nodule_gan_checkpoint.js';
import { GAN_MASK_THRESHOLD_HU, trainNoduleGan, HU_WINDOW } from '../models/nodule_gan_run.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';

const COMMON: FlagTable = {
  out: { type: 'string', metavar: 'DIR', help: 'output directory (required)' },
  seed: { type: 'string', metavar: 'N', default: '42', help: 'random seed' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const GAN_TRAIN_FLAGS: FlagTable = {
  size: { type: 'string', metavar: 'N', default: '64', help: 'patch side 64 (the seed), 32, 16 or 8; 32 for CPU runs' },
  width: { type: 'string', metavar: 'W', default: '1', help: 'channel multiplier (1: 512/256/128/64 as the seed)' },
  n: { type: 'string', metavar: 'N', default: '200', help: 'procedural malignant nodules to train on' },
  epochs: { type: 'string', metavar: 'E', default: '1000', help: 'epochs (the seed: 1000)' },
  batch: { type: 'string', metavar: 'B', default: '16', help: 'batch size (the seed: 16)' },
  'checkpoint-every': { type: 'string', metavar: 'E', default: '50', help: 'checkpoint every E epochs (the seed: 50)' },
  'eval-every': { type: 'string', metavar: 'E', help: 'Fréchet distance and sample grid every E epochs (default: checkpoint-every)' },
  ...COMMON,
};

export const GAN_SAMPLE_FLAGS: FlagTable = {
  checkpoint: { type: 'string', metavar: 'FILE', help: 'generator checkpoint (generator_epochE.safetensors) (required)' },
  n: { type: 'string', metavar: 'N', default: '100', help: 'nodules to generate' },
  threshold: { type: 'string', metavar: 'HU', default: String(GAN_MASK_THRESHOLD_HU), help: 'mask = voxels above this HU (generated nodules have no exact mask)' },
  ...COMMON,
};

export const GAN_TRAIN_HELP = formatHelp(
  'Usage: medsynth nodules gan-train --out DIR [--size 32] [--width W] [--n N] [--epochs E]',
  "Train seed 002's 3D WGAN-GP (λ 10, n_critic 5, Adam 1e-4 (0.5, 0.999)) on procedural malignant nodules\n" +
    '(HU [-1000, 400] → [-1, 1]). Writes gan_log.csv (losses, GP, Wasserstein estimate, Fréchet distance on\n' +
    'radiomics features with the real-vs-real baseline), samples.png, real.png and checkpoints.',
  GAN_TRAIN_FLAGS,
);

export const GAN_SAMPLE_HELP = formatHelp(
  'Usage: medsynth nodules gan-sample --checkpoint FILE --out DIR [--n N]',
  'Generate malignant nodules from a trained generator: DIR/nodules.h5 (images HU, masks by threshold, malignant).',
  GAN_SAMPLE_FLAGS,
);

function common(flags: Record<string, string | boolean | undefined>): { out: string; seed: number } {
  if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('--out DIR is required');
  if (flags.threads !== undefined) setThreads(numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }));
  mkdirSync(flags.out, { recursive: true });
  return { out: flags.out, seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: 2 ** 31 }) };
}

export async function runGanTrain(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, GAN_TRAIN_FLAGS);
  if (flags.help) {
    process.stdout.write(GAN_TRAIN_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const { out, seed } = common(flags);
  const size = numberFlag(flags, 'size', { integer: true });
  if (![8, 16, 32, 64].includes(size)) throw new UsageError(`--size must be 8, 16, 32 or 64, got ${size}`);
  const checkpointEvery = numberFlag(flags, 'checkpoint-every', { integer: true, min: 1 });
  const options = {
    outputDir: out, size, seed, checkpointEvery,
    width: numberFlag(flags, 'width', { min: 1 / 512, max: 4 }),
    nodules: numberFlag(flags, 'n', { integer: true, min: 4, max: 100_000 }),
    epochs: numberFlag(flags, 'epochs', { integer: true, min: 1, max: 1_000_000 }),
    batchSize: numberFlag(flags, 'batch', { integer: true, min: 1, max: 4096 }),
    evalEvery: flags['eval-every'] === undefined ? checkpointEvery : numberFlag(flags, 'eval-every', { integer: true, min: 1 }),
  };
  if (options.nodules < options.batchSize * 5) throw new UsageError(`--n must be at least 5 batches (${options.batchSize * 5}) for one generator step per epoch`);
  process.stdout.write(`medsynth: WGAN-GP ${size}³ width ${options.width} on ${options.nodules} procedural malignant nodules, ${options.epochs} epochs → ${out}\n`);
  await trainNoduleGan(options, (r) => {
    const empty = r.empty ? ` without ${r.empty} empty samples` : '';
    const fd = r.fd === null ? (r.empty ? `  FD none: ${r.empty} empty samples` : '') : `  FD ${r.fd.toFixed(2)} [${r.fdLower!.toFixed(2)}, ${r.fdUpper!.toFixed(2)}]${empty} (real-vs-real ${r.baseline!.toFixed(2)})`;
    process.stdout.write(`epoch ${r.epoch}  ${r.seconds.toFixed(0)} s  D ${r.critic.toFixed(3)}  G ${r.generator.toFixed(3)}  GP ${r.gp.toFixed(3)}  W ${r.wasserstein.toFixed(3)}${fd}\n`);
  });
  return 0;
}

export async function runGanSample(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, GAN_SAMPLE_FLAGS);
  if (flags.help) {
    process.stdout.write(GAN_SAMPLE_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (typeof flags.checkpoint !== 'string') throw new UsageError('--checkpoint FILE is required');
  const { out, seed } = common(flags);
  const n = numberFlag(flags, 'n', { integer: true, min: 1, max: 1_000_000 });
  const threshold = numberFlag(flags, 'threshold', { min: HU_WINDOW.lo, max: HU_WINDOW.hi });
  const source = ganNoduleSource(flags.checkpoint, seed, undefined, threshold);
  const s = source.generator.shape.size;
  const spacing = source.spacing;
  const h5Path = path.join(out, 'nodules.h5');
  await writeAtomically(h5Path, async (temp) => {
    const file = await createH5(temp);
    try {
      const chunks = [1, s, s, s];
      const images = createSampleDataset(file, { name: 'images', dtype: 'float32', sampleShape: [s, s, s], count: n, chunks, gzipLevel: 0 });
      const masks = createSampleDataset(file, { name: 'masks', dtype: 'uint8', sampleShape: [s, s, s], count: n, chunks, gzipLevel: 4 });
      for (let i = 0; i < n; i++) {
        const { patch } = await source.sample(i);
        images.write_slice([[i, i + 1]], patch.image);
        masks.write_slice([[i, i + 1]], patch.mask);
      }
      writeSmallDataset(file, 'malignant', new Uint8Array(n).fill(1), [n], 'uint8');
      setAttributes(file, {
        generator: 'medsynth nodules gan-sample',
        units: 'HU',
        spacing_mm: spacing,
        mask_labels: JSON.stringify({ 0: 'background', 1: `above ${threshold} HU` }),
        checkpoint: path.basename(flags.checkpoint as string),
        seed: String(seed),
      });
    } finally {
      file.close();
    }
  });
  process.stdout.write(`medsynth: wrote ${n} generated malignant nodules (${s}³) to ${h5Path}\n`);
  return 0;
}
