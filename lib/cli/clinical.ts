/**
 * `medsynth clinical`: a ClinicalSynth dataset (seed 000) as HDF5 (images, tabular, y, truth/),
 * a CSV of the tabular part, an example PNG (lesion vs no lesion, per scanner) and metadata.json.
 * Every flag and the config are validated before anything is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { setThreads } from '../core/threads.js';
import { checkDiskMeasured, checkMemory } from '../core/resources.js';
import { clinicalResourceEstimate, writeClinicalDataset, type ClinicalWriteResult } from '../generators/clinical2d/dataset.js';
import { clinicalExampleGrid } from '../generators/clinical2d/example_grid.js';
import { describeClinicalConfig, type ClinicalConfigInput } from '../generators/clinical2d/config.js';
import { ClinicalSynth, SPLIT_SEEDS } from '../generators/clinical2d/synth.js';
import { handleTerminationSignals } from '../core/signals.js';
import { beginDatasetStage } from '../io/staging.js';
import { medsynthVersion } from '../version.js';
import { formatHelp, listFlag, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { formatSeconds, Progress } from './progress.js';
import { shardBlock, shardFromFlags, SHARD_FLAGS, type ShardSpec } from '../shard/spec.js';
import { writeClinicalShardManifest } from '../shard/merge_clinical.js';
import { SHARD_MANIFEST_NAME } from '../shard/manifest.js';
import { planClinicalRun } from '../generators/clinical2d/dry_run.js';
import { printDryRun } from './dry_run.js';

export const CLINICAL_FLAGS: FlagTable = {
  n: { type: 'string', aliases: ['total-samples'], metavar: 'N', default: '1000', help: 'number of samples' },
  size: { type: 'string', aliases: ['image-size'], metavar: 'H,W', help: 'image height and width, each 8-4096 (default: 256,256 or the config file)' },
  seed: { type: 'string', metavar: 'S', help: 'dataset seed (default: 42 or the config file)' },
  out: { type: 'string', aliases: ['output-dir'], metavar: 'DIR', default: 'clinical_dataset', help: 'output directory' },
  splits: { type: 'string', metavar: 'TR,VA,TE', help: 'write train/val/test.h5 with the seed\'s split seeds 123/456/789 instead of one file (--n, --seed unused)' },
  config: { type: 'string', metavar: 'FILE', help: 'JSON file of config fields (a0, eta_fn, device_blur, …); flags override it' },
  batch: { type: 'string', metavar: 'N', help: 'samples generated per chunk (default: ~32 MiB of images)' },
  gzip: { type: 'string', aliases: ['gzip-level'], metavar: 'LEVEL', default: '0', help: 'gzip level 1-9 for the images, 0 for none' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  'skip-csv': { type: 'boolean', help: 'do not write the CSV' },
  'skip-preview': { type: 'boolean', aliases: ['skip-visualization', 'no-preview'], help: 'do not write examples.png' },
  verbose: { type: 'boolean', help: 'on errors, also print the stack and HDF5 diagnostics' },
  ...SHARD_FLAGS,
  'dry-run': { type: 'boolean', help: 'print the plan (rows per part, disk, memory, time on this machine) and write nothing' },
  help: { type: 'boolean', help: 'show this help' },
};

export const CLINICAL_HELP = formatHelp(
  'Usage: medsynth clinical [options]',
  'Generate a ClinicalSynth dataset: 2D images, radiomics table, noisy clinical labels and the hidden truth\n' +
    '(HDF5 with truth/ group, CSV of the table, examples.png, metadata.json). Defaults are the seed\'s example config.',
  CLINICAL_FLAGS,
);

interface ClinicalPlan {
  outputDir: string;
  /** One entry per file: its stem, generator and sample count. */
  parts: Array<{ name: string; synth: ClinicalSynth; n: number }>;
  batch?: number;
  gzipLevel: number;
  threads?: number;
  csv: boolean;
  preview: boolean;
  /** With --shard: each part writes only this shard's block of its rows. */
  shard?: ShardSpec;
  dryRun: boolean;
}

function readConfigFile(file: string): ClinicalConfigInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--config: cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config: ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config: ${file} must hold a JSON object`);
  return parsed as ClinicalConfigInput;
}

/** Parses and validates everything (config included); throws before any file is touched. */
export function parseClinicalArgs(argv: readonly string[]): { help: boolean; plan?: ClinicalPlan } {
  const { flags, positionals } = parseArgs(argv, CLINICAL_FLAGS);
  if (flags.help) return { help: true };
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const config: ClinicalConfigInput = flags.config === undefined ? {} : { ...readConfigFile(String(flags.config)) };
  if (flags.size !== undefined) [config.H, config.W] = listFlag(flags, 'size', 2, { integer: true, above: 0 });
  if (flags.seed !== undefined) config.seed = numberFlag(flags, 'seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  const out = String(flags.out);
  if (out.trim() === '') throw new UsageError('--out must name a directory');

  let parts: ClinicalPlan['parts'];
  if (flags.splits !== undefined) {
    const [train, val, test] = listFlag(flags, 'splits', 3, { integer: true, above: 0 }) // every split holds samples;
    parts = [
      { name: 'train', n: train, synth: new ClinicalSynth({ ...config, seed: SPLIT_SEEDS.train }) },
      { name: 'val', n: val, synth: new ClinicalSynth({ ...config, seed: SPLIT_SEEDS.val }) },
      { name: 'test', n: test, synth: new ClinicalSynth({ ...config, seed: SPLIT_SEEDS.test }) },
    ];
  } else {
    // An empty dataset has no prevalence to report: at least one sample.
    parts = [{ name: 'clinical', n: numberFlag(flags, 'n', { integer: true, min: 1, max: 2 ** 32 }), synth: new ClinicalSynth(config) }];
  }
  const shard = shardFromFlags(flags);
  if (shard && parts.some((p) => p.n < shard.count)) throw new UsageError(`--shard ${shard.index}/${shard.count}: more shards than samples in a part`);
  const { H, W } = parts[0].synth.config;
  const batch = flags.batch === undefined ? undefined : numberFlag(flags, 'batch', { integer: true, min: 1, max: Math.floor(2 ** 31 / (H * W)) });
  return {
    help: false,
    plan: {
      outputDir: out,
      parts,
      batch,
      gzipLevel: numberFlag(flags, 'gzip', { integer: true, min: 0, max: 9 }),
      threads: flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 }),
      csv: !flags['skip-csv'],
      preview: !flags['skip-preview'],
      shard,
      dryRun: Boolean(flags['dry-run']),
    },
  };
}

function percent(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

export async function runClinical(argv: readonly string[]): Promise<number> {
  const { help, plan } = parseClinicalArgs(argv);
  if (help || !plan) {
    process.stdout.write(CLINICAL_HELP);
    return 0;
  }
  if (plan.threads !== undefined) setThreads(plan.threads);
  const parts = plan.parts.map((p) => ({ ...p, rows: rowsOf(plan, p.n) }));
  if (plan.dryRun) {
    const what = `ClinicalSynth ${plan.parts.map((p) => `${p.name} ${p.n}`).join(', ')} (${plan.parts[0].synth.config.H}×${plan.parts[0].synth.config.W})`;
    return printDryRun(await planClinicalRun(parts, { ...plan, chunkSamples: plan.batch }), what, plan.shard, plan.outputDir);
  }
  // All files together must fit before the first is written; when their uncompressed estimate
  // does not, the dry run's (gzip measured) decides, so the run and its --dry-run agree.
  const estimates = parts.map((p) => clinicalResourceEstimate(p.synth, p.rows.count, { csv: plan.csv, chunkSamples: plan.batch }));
  checkMemory('generating', Math.max(...estimates.map((e) => e.memoryBytes)));
  const rows = parts.reduce((a, p) => a + p.rows.count, 0);
  const bound = estimates.reduce((a, e) => a + e.diskBytes, 0);
  await checkDiskMeasured(bound, rows, plan.outputDir, async () => (await planClinicalRun(parts, { ...plan, chunkSamples: plan.batch })).diskBytes);
  const log = (s: string) => process.stdout.write(s + '\n');
  // Written into a staging directory, moved into place with metadata.json last (lib/io/staging.ts).
  const names = plan.parts.flatMap((p) => [`${p.name}.h5`, ...(plan.csv ? [`${p.name}.csv`] : [])]);
  const stage = beginDatasetStage(plan.outputDir, { outputs: [...names, ...(plan.preview ? ['examples.png'] : [])], replaces: [SHARD_MANIFEST_NAME] });
  const signals = handleTerminationSignals('exit', (sig) => process.stderr.write(`medsynth: interrupted by ${sig}; temporary files removed, ${plan.outputDir} left as it was\n`));
  try {
    const metadata = await writeStagedParts(plan, stage.dir, stage.path('examples.png'), log);
    if (plan.shard) writeClinicalShardManifest(stage.dir, plan.parts, plan, plan.shard);
    const files = stage.commit(metadata);
    for (const f of files) log(`  wrote ${f}`);
    return 0;
  } catch (err) {
    stage.abort();
    throw err;
  } finally {
    signals.dispose();
  }
}

/** The rows [first, first + count) of a part of n samples that this run writes. */
const rowsOf = (plan: ClinicalPlan, n: number) => (plan.shard ? shardBlock({ first: 0, count: n }, plan.shard) : { first: 0, count: n });

/** Writes every part (and examples.png) into the staging directory; returns metadata.json's content. */
async function writeStagedParts(plan: ClinicalPlan, dir: string, examplesPng: string, log: (s: string) => void): Promise<Record<string, unknown>> {
  const { H, W } = plan.parts[0].synth.config;
  const results: Record<string, ClinicalWriteResult> = {};
  for (const part of plan.parts) {
    const rows = rowsOf(plan, part.n);
    log(`medsynth: clinical ${part.name}: ${rows.count} samples of ${H}×${W} (seed ${part.synth.config.seed}) into ${plan.outputDir}`);
    const progress = new Progress(part.name, Math.max(1, rows.count));
    const r = await writeClinicalDataset(part.synth, {
      outputDir: dir,
      name: part.name,
      start: rows.first,
      n: rows.count,
      chunkSamples: plan.batch,
      gzipLevel: plan.gzipLevel,
      csv: plan.csv,
      onProgress: (done) => progress.update(done),
    });
    results[part.name] = r;
    const o = r.oracle;
    log(
      `medsynth: ${part.name}: ${r.n} samples in ${formatSeconds(r.seconds)} (${(r.n / r.seconds).toFixed(0)} samples/s; ` +
        `waited ${r.generateSeconds.toFixed(2)} s on generation, ${r.writeSeconds.toFixed(2)} s writing)`,
    );
    log(
      `  prevalence z ${percent(o.prevalence)} (model ${percent(o.meanPz)}), positive labels y ${percent(o.positiveRate)}; ` +
        `oracle accuracy on y: prior ${percent(o.priorY.accuracy)}, ceiling P(y|z) ${percent(o.ceilingY.accuracy)}, majority ${percent(o.majorityAccuracy)}`,
    );
  }

  const main = plan.parts[0].synth;
  if (plan.preview) {
    const grid = await clinicalExampleGrid(main, { tile: Math.min(192, Math.max(112, Math.max(H, W))), searchLimit: 200_000 });
    writeFileSync(examplesPng, grid.png);
  }
  const metadata = {
    format: 'medsynth-clinical2d',
    format_version: 1,
    medsynth_version: medsynthVersion(),
    config: describeClinicalConfig(main.config),
    columns: [...main.columns],
    scanner_names: [...main.scanners],
    files: Object.fromEntries(
      plan.parts.map((p) => [p.name, { h5: `${p.name}.h5`, csv: plan.csv ? `${p.name}.csv` : null, n: results[p.name].n, seed: p.synth.config.seed, oracle: results[p.name].oracle }]),
    ),
  };
  return metadata;
}
