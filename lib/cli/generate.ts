/** `medsynth generate`: the seed 001 command line, plus threads, mask forms, dtype, compression. */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { generateDataset, resolveDatasetOptions, type DatasetOptions } from '../generators/anatomy3d/dataset.js';
import { handleTerminationSignals, SIGNAL_EXIT_CODE } from '../core/signals.js';
import { formatBytes } from '../core/resources.js';
import { planSplits } from '../generators/anatomy3d/plan.js';
import { MedsynthError } from '../errors.js';
import { openDataset } from '../datasets/reader.js';
import { formatHelp, listFlag, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { Progress, formatSeconds } from './progress.js';
import { writePreviewFromDataset } from './preview.js';
import { shardFromFlags, shardLabel, SHARD_FLAGS } from '../shard/spec.js';
import { planDatasetRun } from '../generators/anatomy3d/dry_run.js';
import { formatDryRun } from './dry_run.js';

export const GENERATE_FLAGS: FlagTable = {
  'image-size': { type: 'string', aliases: ['size'], metavar: '"Z,Y,X"', default: '128,128,64', help: '3D image dimensions as "Z,Y,X"' },
  'total-samples': { type: 'string', aliases: ['n'], metavar: 'N', default: '1000', help: 'total number of samples to generate' },
  'output-dir': { type: 'string', aliases: ['out'], metavar: 'DIR', default: '../data/synthetic_medical_dataset_hdf5', help: 'output directory' },
  'validation-split': { type: 'string', metavar: 'F', default: '0.2', help: 'fraction for validation (0.0-1.0)' },
  'test-split': { type: 'string', metavar: 'F', default: '0.1', help: 'fraction for testing (0.0-1.0)' },
  'position-noise': { type: 'string', metavar: 'SD', default: '0.05', help: 'SD of organ position variation (fraction of the volume)' },
  'size-noise': { type: 'string', metavar: 'SD', default: '0.2', help: 'SD of organ size variation' },
  'intensity-noise': { type: 'string', metavar: 'SD', default: '0.15', help: 'SD of organ intensity variation' },
  'skip-generation': { type: 'boolean', help: 'skip dataset creation (test loading only)' },
  'skip-visualization': { type: 'boolean', aliases: ['skip-preview', 'no-preview'], help: 'skip the sample preview PNG' },
  'skip-training-test': { type: 'boolean', help: 'skip the batched read pass that measures samples/s' },
  verbose: { type: 'boolean', help: 'detailed output' },
  seed: { type: 'string', metavar: 'N', default: '42', help: 'random seed for reproducibility' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  device: { type: 'string', metavar: 'D', default: 'cpu', help: "where samples are rendered: cpu|cuda|auto ('auto' falls back to the CPU)" },
  masks: { type: 'string', metavar: 'FORM', default: 'onehot', help: 'mask forms to write: onehot|labels|both|none' },
  dtype: { type: 'string', metavar: 'T', default: 'uint8', help: 'stored image dtype: uint8|int16|float32' },
  compression: { type: 'string', metavar: 'C', default: 'none', help: 'none, gzip, or gzip:LEVEL (1-9)' },
  spacing: { type: 'string', metavar: '"SZ,SY,SX"', default: '1,1,1', help: 'voxel spacing in mm' },
  blur: { type: 'string', metavar: 'MM', default: '0.75', help: 'PSF Gaussian sigma in mm (0: none)' },
  bias: { type: 'string', metavar: 'M', default: '0.1', help: 'bias-field coefficient magnitude (0: none)' },
  'noise-kind': { type: 'string', metavar: 'K', default: 'gaussian', help: 'image noise: gaussian|rician|poisson' },
  'noise-sigma': { type: 'string', metavar: 'S', default: '4', help: 'noise sigma (poisson: counts per unit)' },
  'preview-index': { type: 'string', metavar: 'I,J', default: '0', help: 'train samples to preview' },
  ...SHARD_FLAGS,
  'dry-run': { type: 'boolean', help: 'print the plan (samples per split, disk, memory, time on this machine) and write nothing' },
  help: { type: 'boolean', help: 'show this help' },
};

export const GENERATE_HELP = formatHelp(
  'Usage: medsynth generate [options]',
  'Generate a 3D anatomy dataset (train.h5, val.h5, test.h5, metadata.json) with exactly known masks.',
  GENERATE_FLAGS,
);

const oneOf = <T extends string>(name: string, value: unknown, allowed: readonly T[]): T => {
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
};

export function parseGenerateArgs(argv: readonly string[]) {
  const { flags, positionals } = parseArgs(argv, GENERATE_FLAGS);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const compression = String(flags.compression);
  const match = /^(none|gzip)(?::([1-9]))?$/.exec(compression);
  if (!match || (match[1] === 'none' && match[2])) throw new UsageError(`--compression must be none, gzip or gzip:1..9, got '${compression}'`);
  const val = numberFlag(flags, 'validation-split', { min: 0, max: 1 });
  const test = numberFlag(flags, 'test-split', { min: 0, max: 1 });
  if (val + test >= 1) throw new UsageError(`--validation-split + --test-split must be below 1, got ${val} + ${test} = ${val + test}`);
  const options: DatasetOptions = {
    imageSize: listFlag(flags, 'image-size', 3, { integer: true, above: 0 }) as [number, number, number],
    totalSamples: numberFlag(flags, 'total-samples', { integer: true, min: 1 }),
    outputDir: String(flags['output-dir']),
    validationSplit: val,
    testSplit: test,
    positionNoise: numberFlag(flags, 'position-noise', { min: 0, max: 1 }),
    sizeNoise: numberFlag(flags, 'size-noise', { min: 0, max: 1 }),
    intensityNoise: numberFlag(flags, 'intensity-noise', { min: 0, max: 1 }),
    seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
    threads: flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }),
    masks: oneOf('masks', flags.masks, ['onehot', 'labels', 'both', 'none'] as const),
    device: oneOf('device', flags.device, ['cpu', 'cuda', 'auto'] as const),
    dtype: oneOf('dtype', flags.dtype, ['uint8', 'int16', 'float32'] as const),
    gzipLevel: match[1] === 'gzip' ? Number(match[2] ?? 4) : 0,
    spacing: listFlag(flags, 'spacing', 3, { above: 0 }) as [number, number, number],
    artifacts: {
      blurSigmaMm: numberFlag(flags, 'blur', { min: 0, max: 50 }),
      biasMagnitude: numberFlag(flags, 'bias', { min: 0, max: 2 }),
      noiseKind: oneOf('noise-kind', flags['noise-kind'], ['gaussian', 'rician', 'poisson'] as const),
      noiseSigma: numberFlag(flags, 'noise-sigma', { min: 0 }),
    },
  };
  const previewIndices = String(flags['preview-index']).split(',').map((s) => {
    const v = Number(s.trim());
    if (!Number.isInteger(v) || v < 0) throw new UsageError(`--preview-index must be comma-separated sample indices, got '${flags['preview-index']}'`);
    return v;
  });
  options.shard = shardFromFlags(flags);
  if (options.shard && options.shard.count > options.totalSamples!) throw new UsageError(`--shard ${options.shard.index}/${options.shard.count}: more shards than the ${options.totalSamples} samples`);
  // A shard is one part of a dataset: the preview and the read test belong to the merged set.
  if (options.shard) flags['skip-visualization'] = flags['skip-training-test'] = true;
  // Refused before any work, not after the whole dataset is written.
  const trainCount = planSplits(options.totalSamples!, val, test).find((s) => s.name === 'train')?.count ?? 0;
  if (!flags['skip-visualization'] && !flags['skip-generation']) {
    const bad = previewIndices.find((i) => i >= trainCount);
    if (bad !== undefined) {
      throw new UsageError(`--preview-index ${bad} is out of range: the train split will hold ${trainCount} samples (0..${trainCount - 1}); or pass --skip-visualization`);
    }
  }
  return { flags, options, previewIndices };
}

export async function runGenerate(argv: readonly string[]): Promise<number> {
  const { flags, options, previewIndices } = parseGenerateArgs(argv);
  if (flags.help) {
    process.stdout.write(GENERATE_HELP);
    return 0;
  }
  const verbose = Boolean(flags.verbose);
  const dir = options.outputDir;
  const log = (s: string) => process.stdout.write(s + '\n');
  if (flags['dry-run']) {
    const plan = await planDatasetRun(options);
    const [z, y, x] = options.imageSize!;
    const what = `${options.totalSamples} samples of ${z}×${y}×${x} (${options.dtype}, masks: ${options.masks}, compression: ${flags.compression})`;
    process.stdout.write(formatDryRun({ ...plan, what, probe: `${plan.probe.samples} of the run's samples rendered at ${plan.probe.imageSize.join('×')} (disk: their HDF5 chunks, scaled to full size; time: scaled by voxel count)` }, options.shard, dir));
    return 0;
  }

  if (!flags['skip-generation']) {
    const [z, y, x] = options.imageSize!;
    const count = options.shard ? resolveDatasetOptions(options).splits.reduce((a, s) => a + s.count, 0) : options.totalSamples!;
    const part = options.shard ? `shard ${shardLabel(options.shard)}: ${count} of ` : '';
    log(`medsynth: generating ${part}${options.totalSamples} samples of ${z}×${y}×${x} (${options.dtype}, masks: ${options.masks}) into ${dir}`);
    const progress = new Progress('generate', count);
    const signals = handleTerminationSignals('abort');
    let result;
    try {
      result = await generateDataset(options, {
        onProgress: (p) => progress.update(p.done, verbose ? `[${p.split}]` : ''),
        signal: signals.signal,
      });
    } catch (err) {
      const sig = signals.received();
      if (sig && err instanceof MedsynthError && err.code === 'ABORTED') {
        process.stderr.write(`\nmedsynth: interrupted by ${sig}: stopped, temporary files removed; ${dir} was left as it was\n`);
        return SIGNAL_EXIT_CODE[sig];
      }
      throw err;
    } finally {
      signals.dispose();
    }
    const stale = result.staleRemoved;
    if (stale.removed.length) log(`medsynth: removed ${stale.removed.length} temporary file(s) (${formatBytes(stale.bytes)}) left by interrupted runs`);
    const n = count;
    log(
      `medsynth: wrote ${result.splits.map((s) => `${s.name} ${s.count}`).join(', ')} in ${formatSeconds(result.wallSeconds)} ` +
        `(${(n / result.wallSeconds).toFixed(1)} samples/s; waited ${result.generateSeconds.toFixed(2)} s on generation, ${result.writeSeconds.toFixed(2)} s writing)`,
    );
    if (result.deviceReason) log(`medsynth: ${result.deviceReason}`);
    if (verbose) for (const f of result.files) log(`  ${f}`);
  } else if (!existsSync(path.join(dir, 'train.h5'))) {
    throw new UsageError(`--skip-generation: no dataset in ${dir} (train.h5 missing)`);
  }

  if (!flags['skip-visualization']) {
    for (const index of previewIndices) {
      const out = await writePreviewFromDataset(dir, 'train', index);
      log(`medsynth: preview ${out}`);
    }
  }

  if (!flags['skip-training-test']) {
    const ds = await openDataset(dir, { split: 'train' });
    try {
      const batchSize = 8;
      const started = performance.now();
      let seen = 0;
      let bytes = 0;
      for (const batch of ds.batches(batchSize, { shuffleSeed: 1 })) {
        seen += batch.length;
        for (const item of batch) bytes += item.image.byteLength + (item.masks?.byteLength ?? 0) + (item.labels?.byteLength ?? 0);
      }
      const s = (performance.now() - started) / 1000;
      log(`medsynth: training-loop read test: ${seen} samples in batches of ${batchSize}, ${(seen / s).toFixed(1)} samples/s (${formatBytes(bytes / s)}/s)`);
      if (verbose) {
        for (const [name, d] of Object.entries(ds.classDistribution())) log(`  ${name.padEnd(14)} ${(100 * d.presenceRate).toFixed(1)}% present`);
      }
    } finally {
      ds.close();
    }
  }
  return 0;
}
