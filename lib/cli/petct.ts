/** `medsynth petct`: a PET/CT cohort with tumour masks, clinical covariates and survival outcomes. */
import { handleTerminationSignals } from '../core/signals.js';
import { setThreads } from '../core/threads.js';
import { COVARIATE_NAMES, type CovariateName } from '../generators/petct/covariates.js';
import { generatePetCtDataset, type PetCtDatasetOptions } from '../generators/petct/dataset.js';
import { formatHelp, listFlag, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { formatSeconds, Progress } from './progress.js';
import { shardBlock, shardFromFlags, SHARD_FLAGS } from '../shard/spec.js';
import { planPetCtRun } from '../generators/petct/dry_run.js';
import { printDryRun } from './dry_run.js';

export const PETCT_FLAGS: FlagTable = {
  patients: { type: 'string', aliases: ['n', 'total-samples'], metavar: 'N', default: '50', help: 'number of patients' },
  out: { type: 'string', aliases: ['output-dir'], metavar: 'DIR', help: 'output directory (required)' },
  '2d': { type: 'boolean', help: 'write 2D axial slices through the primary tumour instead of volumes' },
  size: { type: 'string', aliases: ['image-size'], metavar: '"Z,Y,X"', help: 'image size; "Y,X" with --2d (default 96,128,128; 2D 256,256)' },
  spacing: { type: 'string', metavar: '"SZ,SY,SX"', help: 'voxel size in mm (default: 315x420x420 mm field of view / size)' },
  seed: { type: 'string', metavar: 'N', default: '42', help: 'random seed; patient i depends only on (seed, i)' },
  first: { type: 'string', metavar: 'I', default: '0', help: 'index of the first patient (to generate shards)' },
  censoring: { type: 'string', metavar: 'F', default: '0.3', help: 'target censored fraction' },
  beta: { type: 'string', metavar: 'NAME=V,...', help: 'log hazard ratios to change, of log_mtv, suvmax, lesions, age, male, stage (default 0.45,0.2,0.25,0.25,0.2,0.4)' },
  'follow-up': { type: 'string', metavar: 'MONTHS', default: '60', help: 'end of follow-up (administrative censoring)' },
  'ct-noise': { type: 'string', metavar: 'HU', default: '12', help: 'CT noise SD in HU' },
  'pet-fwhm': { type: 'string', metavar: 'MM', default: '6', help: 'PET resolution (FWHM, mm)' },
  'pet-counts': { type: 'string', metavar: 'C', default: '60', help: 'PET counts per ml per SUV unit (higher: less noise)' },
  'gzip-level': { type: 'string', aliases: ['gzip'], metavar: 'L', default: '4', help: 'gzip level of the .nii.gz files (1-9)' },
  'no-preview': { type: 'boolean', aliases: ['skip-preview', 'skip-visualization'], help: 'skip the per-patient preview PNG' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  verbose: { type: 'boolean', help: 'on errors, also print the stack and HDF5 diagnostics' },
  ...SHARD_FLAGS,
  'dry-run': { type: 'boolean', help: 'print the plan (patients, disk, memory, time on this machine) and write nothing' },
  help: { type: 'boolean', help: 'show this help' },
};

export const PETCT_HELP = formatHelp(
  'Usage: medsynth petct --out DIR [--patients N] [--2d] [options]',
  'Generate paired CT (HU) and FDG PET (SUV) NIfTI files with 1-3 tumours per patient, a tumour mask,\n' +
    'clinical.csv (age, sex, stage, time, event) from a known Weibull-Cox model, hidden truth and previews.',
  PETCT_FLAGS,
);

/** `--beta log_mtv=0.9,stage=0.8`: the named log hazard ratios (resolvePetCtOptions checks names and ranges). */
export function parseBeta(text: string): Record<string, number> {
  const beta: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([a-z_]+)\s*=\s*([-+0-9.eE]+)\s*$/.exec(part);
    if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--beta expects NAME=VALUE,... (e.g. log_mtv=0.9,stage=0.8), got '${text}'`);
    if (!(COVARIATE_NAMES as readonly string[]).includes(m[1])) throw new UsageError(`--beta: unknown covariate '${m[1]}' (one of ${COVARIATE_NAMES.join(', ')})`);
    beta[m[1]] = Number(m[2]);
  }
  return beta;
}

export function parsePetctArgs(argv: readonly string[]): { options: PetCtDatasetOptions; threads?: number; help: boolean; dryRun?: boolean } {
  const { flags, positionals } = parseArgs(argv, PETCT_FLAGS);
  if (flags.help) return { options: { patients: 1, outputDir: '' }, help: true };
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('--out DIR is required');
  const is2d = Boolean(flags['2d']);
  const options: PetCtDatasetOptions = {
    mode: is2d ? '2d' : '3d',
    outputDir: flags.out,
    patients: numberFlag(flags, 'patients', { integer: true, min: 1, max: 1_000_000 }),
    first: numberFlag(flags, 'first', { integer: true, min: 0, max: 0xfffffffe }),
    seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
    gzipLevel: numberFlag(flags, 'gzip-level', { integer: true, min: 1, max: 9 }),
    preview: !flags['no-preview'],
    ct: { noiseSigmaHu: numberFlag(flags, 'ct-noise', { min: 0, max: 500 }) },
    pet: {
      fwhmMm: numberFlag(flags, 'pet-fwhm', { min: 0, max: 30 }),
      countDensity: numberFlag(flags, 'pet-counts', { min: 1e-3, max: 1e9 }),
    },
    survival: {
      censoringTarget: numberFlag(flags, 'censoring', { min: 0, max: 0.95 }),
      followUpMonths: numberFlag(flags, 'follow-up', { min: 1e-3, max: 1200 }),
    },
  };
  options.shard = shardFromFlags(flags);
  if (flags.beta !== undefined) options.survival!.beta = parseBeta(String(flags.beta)) as Partial<Record<CovariateName, number>>;
  if (flags.size !== undefined) {
    const size = listFlag(flags, 'size', is2d ? 2 : 3, { integer: true, above: 0 });
    if (size.some((d) => d < 8 || d > 2048)) throw new UsageError(`--size entries must be between 8 and 2048, got '${flags.size}'`);
    options.imageSize = size;
  }
  if (flags.spacing !== undefined) options.spacing = listFlag(flags, 'spacing', 3, { above: 0 }) as [number, number, number];
  const threads = flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 });
  return { options, threads, help: false, dryRun: Boolean(flags['dry-run']) };
}

export async function runPetct(argv: readonly string[]): Promise<number> {
  const { options, threads, help, dryRun } = parsePetctArgs(argv);
  if (help) {
    process.stdout.write(PETCT_HELP);
    return 0;
  }
  if (threads !== undefined) setThreads(threads);
  if (dryRun) return printDryRun(await planPetCtRun(options), `${options.patients} PET/CT patients (${options.mode})`, options.shard, options.outputDir);
  const log = (s: string) => process.stdout.write(s + '\n');
  const progress = new Progress('petct', options.shard ? shardBlock({ first: 0, count: options.patients }, options.shard).count : options.patients);
  const signals = handleTerminationSignals('exit', (sig) => process.stderr.write(`\nmedsynth: interrupted by ${sig}; temporary files removed, ${options.outputDir} left as it was\n`));
  const result = await generatePetCtDataset(options, {
    onPatient: (done, total, patient) => {
      if (done === 1) {
        const d = patient.dims;
        const what = d[0] === 1 ? `2D slices ${d[1]}×${d[2]}` : `volumes ${d.join('×')}`;
        log(`medsynth: ${total} PET/CT patients, ${what} at ${patient.spacing.map((s) => +s.toFixed(4)).join('×')} mm, into ${options.outputDir}`);
      }
      progress.update(done);
    },
  }).finally(() => signals.dispose());
  log(
    `medsynth: wrote ${result.patients} patients (${result.events} events, ${(100 * result.censoredFraction).toFixed(1)}% censored) ` +
      `in ${formatSeconds(result.wallSeconds)}: ${options.outputDir}/clinical.csv, truth.csv, metadata.json and <patient>/{ct,pet,seg}.nii.gz`,
  );
  return 0;
}
