/** `medsynth preview <dir> --index i`: the preview PNG of one stored sample. */
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

import { errnoOf, fsError } from '../core/fs_errors.js';
import { MedsynthError } from '../errors.js';

import { openDataset } from '../datasets/reader.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { renderAnatomyPreview } from '../preview/anatomy_preview.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import type { SplitName } from '../datasets/reader.js';

export const PREVIEW_FLAGS: FlagTable = {
  index: { type: 'string', aliases: ['preview-index'], metavar: 'I', default: '0', help: 'sample row within the split' },
  split: { type: 'string', metavar: 'S', default: 'train', help: 'train|val|test' },
  out: { type: 'string', metavar: 'FILE', help: 'output PNG (default: <dir>/preview_<split>_<index>.png)' },
  verbose: { type: 'boolean', help: 'on errors, also print the stack and HDF5 diagnostics' },
  help: { type: 'boolean', help: 'show this help' },
};

export const PREVIEW_HELP = formatHelp(
  'Usage: medsynth preview <dir> [--index I] [--split S] [--out FILE]',
  'Write axial, coronal and sagittal slices of one sample with its labelled mask overlay as a PNG.',
  PREVIEW_FLAGS,
);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A preview may replace an earlier preview, never anything else: an existing path that is not a
 * regular PNG file (a dataset's train.h5, metadata.json, a directory, a device) is refused.
 */
export function refuseToOverwrite(file: string): void {
  let stat;
  try {
    stat = lstatSync(file);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    throw fsError(err, 'cannot inspect', file);
  }
  let isPng = false;
  if (stat.isFile()) {
    const head = Buffer.alloc(8);
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      isPng = readSync(fd, head, 0, 8, 0) === 8 && head.equals(PNG_SIGNATURE);
    } catch {
      isPng = false;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  if (!isPng) throw new MedsynthError('OUTPUT_EXISTS', `${file} exists and is not a PNG preview; refusing to overwrite it (choose another --out)`);
}

/** Renders row `index` of `split` and writes the PNG; returns its path. */
export async function writePreviewFromDataset(dir: string, split: SplitName, index: number, out?: string): Promise<string> {
  if (out !== undefined) refuseToOverwrite(out); // before reading anything
  const ds = await openDataset(dir, { split });
  try {
    if (index >= ds.length) {
      throw new MedsynthError('INVALID_ARGUMENT', `--index ${index} is out of range: ${split} holds ${ds.length} samples (0..${ds.length - 1})`);
    }
    const item = ds.get(index);
    const png = renderAnatomyPreview({
      image: item.image,
      labels: item.labels,
      masks: item.masks,
      dims: item.imageShape,
      spacing: ds.spacing,
      structureNames: ds.structureNames,
      presence: item.presence,
      title: `${split} ${index} (sample ${item.sampleIndex}): ${item.scenario}`,
    });
    const file = out ?? path.join(dir, `preview_${split}_${String(index).padStart(4, '0')}.png`);
    refuseToOverwrite(file);
    writeFileAtomicSync(file, png);
    return file;
  } finally {
    ds.close();
  }
}

export async function runPreview(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, PREVIEW_FLAGS);
  if (flags.help) {
    process.stdout.write(PREVIEW_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('preview needs exactly one dataset directory');
  const split = String(flags.split);
  if (!['train', 'val', 'test'].includes(split)) throw new UsageError(`--split must be train, val or test, got '${split}'`);
  const index = numberFlag(flags, 'index', { integer: true, min: 0 });
  const file = await writePreviewFromDataset(positionals[0], split as SplitName, index, flags.out as string | undefined);
  process.stdout.write(`medsynth: preview ${file}\n`);
  return 0;
}
