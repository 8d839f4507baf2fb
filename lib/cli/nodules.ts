/** `medsynth nodules`: procedural lung nodules (HDF5 + preview), optionally balanced and inserted into CT. */
import { setThreads } from '../core/threads.js';
import { MedsynthError } from '../errors.js';
import { readNifti } from '../io/nifti.js';
import { generateNoduleDataset, type NoduleDatasetOptions } from '../generators/nodules/dataset.js';
import type { HostCt } from '../generators/nodules/host_ct.js';
import { GAN_SOURCE } from '../generators/nodules/downstream.js';
import { NODULE_KINDS, type NoduleKind } from '../generators/nodules/kinds.js';
import { DEFAULT_FOV_MM } from '../generators/nodules/options.js';
import { ganNoduleSource } from '../models/nodule_gan_checkpoint.js';
import { formatHelp, listFlag, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import { runClassify } from './nodules_classify.js';
import { runGanSample, runGanTrain } from './nodules_gan.js';
import { formatSeconds, Progress } from './progress.js';

export const NODULES_FLAGS: FlagTable = {
  out: { type: 'string', metavar: 'DIR', help: 'output directory (required)' },
  n: { type: 'string', metavar: 'N', default: '100', help: 'nodules in the cohort' },
  kinds: { type: 'string', metavar: 'K,K', help: `kinds to draw (default all: ${NODULE_KINDS.join(',')})` },
  'malignant-ratio': { type: 'string', metavar: 'R', default: '12', help: 'benign:malignant ratio R:1 (prevalence 1/(1+R))' },
  diameter: { type: 'string', metavar: 'MIN,MAX', default: '4,30', help: 'nodule diameter range in mm' },
  size: { type: 'string', metavar: 'N', default: '64', help: 'patch size N×N×N voxels' },
  spacing: { type: 'string', metavar: 'MM', help: 'voxel size in mm (default 51.2 mm / size: 0.8 mm at 64)' },
  seed: { type: 'string', metavar: 'N', default: '42', help: 'random seed; nodule i depends only on (seed, i)' },
  balance: { type: 'boolean', help: 'add malignant nodules until malignant = benign (1:1), from --balance-source' },
  'balance-source': { type: 'string', metavar: 'S', default: 'procedural', help: "--balance's malignant nodules: procedural (half new draws, half augmented copies) or gan" },
  'gan-checkpoint': { type: 'string', metavar: 'FILE', help: 'generator_epochE.safetensors of medsynth nodules gan-train (--balance-source gan; its size is --size)' },
  insert: { type: 'string', metavar: 'K', default: '0', help: 'also write K CT volumes, nodule k inserted into CT k (NIfTI)' },
  'ct-size': { type: 'string', metavar: 'Z,Y,X', default: '160,256,256', help: 'size of the anatomy host CTs (320×420×420 mm field of view)' },
  ct: { type: 'string', metavar: 'FILE', help: 'insert into this CT (NIfTI, HU) instead of anatomy CTs; needs --ct-labels' },
  'ct-labels': { type: 'string', metavar: 'FILE', help: 'label map (NIfTI, uint8) of --ct' },
  'lung-labels': { type: 'string', metavar: 'L,L', default: '1,2', help: 'labels of the left and right lung in --ct-labels' },
  noise: { type: 'string', metavar: 'HU', default: '20', help: 'parenchyma noise SD in the patches' },
  'gzip-level': { type: 'string', metavar: 'L', default: '4', help: 'gzip level of the masks (0-9)' },
  'no-preview': { type: 'boolean', help: 'skip preview.png' },
  threads: { type: 'string', metavar: 'N', help: 'native threads (default: MEDSYNTH_THREADS or all cores)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const NODULES_HELP = formatHelp(
  'Usage: medsynth nodules --out DIR [--n N] [--kinds K,K] [--malignant-ratio R] [--balance [--balance-source gan --gan-checkpoint FILE]] [--insert K]',
  'Generate procedural lung nodule patches (HU) with exact masks and a malignancy label from a Brock-style\n' +
    'risk model: nodules.h5 (images, masks, malignant, table/<column>, params_json) and preview.png.\n' +
    '--balance adds malignant nodules to reach 1:1; --insert writes CT volumes with a nodule in the lung.\n' +
    'Subcommands: gan-train, gan-sample (the 3D WGAN-GP), classify (the downstream experiment); each has --help.',
  NODULES_FLAGS,
);

function userHost(ctPath: string, labelsPath: string, lungs: number[]): HostCt {
  const ct = readNifti(ctPath);
  const labels = readNifti(labelsPath);
  if (ct.dims.length !== 3 || labels.dims.join() !== ct.dims.join()) {
    throw new UsageError(`--ct and --ct-labels must be 3D volumes of the same size (${ct.dims.join('×')} vs ${labels.dims.join('×')})`);
  }
  if (!(labels.data instanceof Uint8Array)) throw new UsageError('--ct-labels must hold uint8 labels');
  const hu = Float32Array.from(ct.data as ArrayLike<number>, (v) => v * ct.sclSlope + ct.sclInter);
  const used = new Set(lungs);
  let nodule = 255;
  while (used.has(nodule)) nodule--;
  return {
    dims: ct.dims as [number, number, number],
    spacing: ct.spacing,
    ct: hu,
    labels: labels.data,
    lungLabels: { left: lungs.slice(0, 1), right: lungs.slice(1) },
    noduleLabel: nodule,
    labelNames: [],
  };
}

export function parseNodulesArgs(argv: readonly string[]): { options: NoduleDatasetOptions; threads?: number; help: boolean } {
  const { flags, positionals } = parseArgs(argv, NODULES_FLAGS);
  if (flags.help) return { options: { n: 1, outputDir: '' }, help: true };
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('--out DIR is required');
  const ratio = numberFlag(flags, 'malignant-ratio', { max: 1e6 });
  if (!(ratio > 0)) throw new UsageError(`--malignant-ratio must be > 0, got ${ratio}`);
  const diameter = listFlag(flags, 'diameter', 2, { above: 0 }) as [number, number];
  if (diameter[0] > diameter[1]) throw new UsageError(`--diameter needs MIN <= MAX, got '${flags.diameter}'`);
  const size = numberFlag(flags, 'size', { integer: true, min: 8, max: 512 });
  const kinds = flags.kinds === undefined ? undefined : String(flags.kinds).split(',').map((k) => k.trim());
  for (const k of kinds ?? []) {
    if (!(NODULE_KINDS as readonly string[]).includes(k)) throw new UsageError(`--kinds: unknown kind '${k}' (kinds: ${NODULE_KINDS.join(', ')})`);
  }
  const options: NoduleDatasetOptions = {
    outputDir: flags.out,
    n: numberFlag(flags, 'n', { integer: true, min: 1, max: 1_000_000 }),
    kinds: kinds as NoduleKind[] | undefined,
    malignantRatio: ratio,
    diameterMm: diameter,
    patchSize: [size, size, size],
    seed: numberFlag(flags, 'seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
    balance: Boolean(flags.balance),
    insert: numberFlag(flags, 'insert', { integer: true, min: 0, max: 100_000 }),
    noiseHu: numberFlag(flags, 'noise', { min: 0, max: 1000 }),
    gzipLevel: numberFlag(flags, 'gzip-level', { integer: true, min: 0, max: 9 }),
    preview: !flags['no-preview'],
  };
  if (flags.spacing !== undefined) {
    const s = numberFlag(flags, 'spacing', { min: 1e-3, max: 10 });
    options.spacing = [s, s, s];
  }
  const source = String(flags['balance-source']);
  if (source !== 'procedural' && source !== 'gan') throw new UsageError(`--balance-source must be procedural or gan, got '${source}'`);
  if (flags['balance-source'] !== NODULES_FLAGS['balance-source'].default && !flags.balance) throw new UsageError('--balance-source goes with --balance');
  if (source === 'gan') {
    if (typeof flags['gan-checkpoint'] !== 'string') throw new UsageError('--balance-source gan needs --gan-checkpoint FILE');
    // The generator makes patches at 51.2 mm / size spacing, as it was trained: mixing other spacings would mislabel sizes.
    if (options.spacing && Math.abs(options.spacing[0] - DEFAULT_FOV_MM / size) > 1e-9) throw new UsageError(`--balance-source gan makes ${(DEFAULT_FOV_MM / size).toFixed(3)} mm voxels at --size ${size}; leave out --spacing`);
    try {
      options.sources = { [GAN_SOURCE]: ganNoduleSource(flags['gan-checkpoint'], options.seed as number, size) };
    } catch (err) {
      if (err instanceof MedsynthError) throw new UsageError(`--gan-checkpoint: ${err.message.split('\n')[0]}`);
      throw err;
    }
    options.balance = { [GAN_SOURCE]: 1 };
  } else if (flags['gan-checkpoint'] !== undefined) {
    throw new UsageError('--gan-checkpoint goes with --balance --balance-source gan');
  }
  if (flags.ct !== undefined || flags['ct-labels'] !== undefined) {
    if (typeof flags.ct !== 'string' || typeof flags['ct-labels'] !== 'string') throw new UsageError('--ct and --ct-labels go together');
    const lungs = listFlag(flags, 'lung-labels', String(flags['lung-labels']).split(',').length, { integer: true });
    if (lungs.length < 1 || lungs.length > 2 || lungs.some((l) => l < 0 || l > 255)) throw new UsageError(`--lung-labels must be one or two labels 0-255, got '${flags['lung-labels']}'`);
    try {
      options.host = { user: userHost(flags.ct, flags['ct-labels'], lungs) };
    } catch (err) {
      if (err instanceof MedsynthError) throw new UsageError(err.message.split('\n')[0]);
      throw err;
    }
  } else {
    options.host = { size: listFlag(flags, 'ct-size', 3, { integer: true, above: 0 }) as [number, number, number] };
  }
  const threads = flags.threads === undefined ? undefined : numberFlag(flags, 'threads', { integer: true, min: 1, max: 1024 });
  return { options, threads, help: false };
}

export async function runNodules(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'gan-train') return runGanTrain(argv.slice(1));
  if (argv[0] === 'gan-sample') return runGanSample(argv.slice(1));
  if (argv[0] === 'classify') return runClassify(argv.slice(1));
  const { options, threads, help } = parseNodulesArgs(argv);
  if (help) {
    process.stdout.write(NODULES_HELP);
    return 0;
  }
  if (threads !== undefined) setThreads(threads);
  let progress: Progress | undefined;
  const result = await generateNoduleDataset(options, {
    onNodule: (done, total) => {
      if (!progress) {
        process.stdout.write(`medsynth: ${total} nodule patches into ${options.outputDir}\n`);
        progress = new Progress('nodules', total);
      }
      progress.update(done);
    },
  });
  process.stdout.write(
    `medsynth: wrote ${result.count} nodules (${result.malignant} malignant)` +
      (result.insertions.length ? ` and ${result.insertions.length} CT volumes with inserted nodules` : '') +
      ` in ${formatSeconds(result.wallSeconds)}: ${result.files.length} files under ${options.outputDir}\n`,
  );
  return 0;
}
