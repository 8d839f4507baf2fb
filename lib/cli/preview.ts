/** `medsynth preview <dir> --index i`: the preview PNG of one stored sample. */
import path from 'node:path';

import { openDataset } from '../datasets/reader.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { renderAnatomyPreview } from '../preview/anatomy_preview.js';
import { formatHelp, numberFlag, parseArgs, UsageError, type FlagTable } from './args.js';
import type { SplitName } from '../datasets/reader.js';

export const PREVIEW_FLAGS: FlagTable = {
  index: { type: 'string', metavar: 'I', default: '0', help: 'sample row within the split' },
  split: { type: 'string', metavar: 'S', default: 'train', help: 'train|val|test' },
  out: { type: 'string', metavar: 'FILE', help: 'output PNG (default: <dir>/preview_<split>_<index>.png)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const PREVIEW_HELP = formatHelp(
  'Usage: medsynth preview <dir> [--index I] [--split S] [--out FILE]',
  'Write axial, coronal and sagittal slices of one sample with its labelled mask overlay as a PNG.',
  PREVIEW_FLAGS,
);

/** Renders row `index` of `split` and writes the PNG; returns its path. */
export async function writePreviewFromDataset(dir: string, split: SplitName, index: number, out?: string): Promise<string> {
  const ds = await openDataset(dir, { split });
  try {
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
