/**
 * Shards of `medsynth clinical --shard`, and joining them: per part (clinical, or train/val/test
 * with --splits) one <name>.h5 whose datasets are the shards' rows in index order, <name>.csv
 * with its rows joined, the per-file oracle report recomputed over all rows (it is a statistic
 * of the rows, computed exactly as the generator does), examples.png and metadata.json — what
 * the unsharded run writes.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { readCompletedMetadata } from '../datasets/reader.js';
import { beginDatasetStage } from '../io/staging.js';
import { createH5, createImageStack, openH5, setAttributes, writeSmallDataset, type H5Dataset, type H5File, type H5Group } from '../io/hdf5.js';
import { resolveClinicalConfig, type ClinicalConfigInput } from '../generators/clinical2d/config.js';
import { TRUTH_FIELDS } from '../generators/clinical2d/dataset.js';
import type { ClinicalTruth } from '../generators/clinical2d/latents.js';
import { clinicalOracle } from '../generators/clinical2d/oracle.js';
import type { ClinicalSynth } from '../generators/clinical2d/synth.js';
import { SHARD_MANIFEST_NAME, writeShardManifest, type ShardSet } from './manifest.js';
import type { MergeResult } from './merge_anatomy.js';
import type { ShardSpec } from './partition.js';
import { attributesOf, concatRows, type RowArray } from './rows.js';

/** Rows of images copied at once (bounded memory). */
const COPY_ROWS_BYTES = 32 * 2 ** 20;

/** Writes shard.json for a clinical shard: every part's config and size, and the storage options. */
export function writeClinicalShardManifest(
  dir: string,
  parts: ReadonlyArray<{ name: string; n: number; synth: ClinicalSynth }>,
  storage: { gzipLevel: number; csv: boolean; preview: boolean },
  shard: Pick<ShardSpec, 'index' | 'count'>,
): void {
  const options = {
    parts: parts.map((p) => ({ name: p.name, n: p.n, config: JSON.parse(JSON.stringify(p.synth.config)) })),
    gzip_level: storage.gzipLevel,
    csv: storage.csv,
    preview: storage.preview,
  };
  const run = Object.fromEntries(parts.map((p) => [p.name, { first: 0, count: p.n }]));
  writeShardManifest(dir, { tool: 'clinical', seed: parts[0].synth.config.seed, options, shard, run });
}

type Meta = { files: Record<string, { h5: string; csv: string | null; n: number; seed: number; oracle: unknown }> } & Record<string, unknown>;

type ClinicalShardOptions = { parts: Array<{ name: string; n: number; config: ClinicalConfigInput }>; gzip_level: number; csv: boolean; preview: boolean };

/** The files of every clinical shard that a merge reads: each part's .h5 (and .csv). */
export function clinicalShardReads(set: ShardSet): string[] {
  const options = set.manifests[0].options as ClinicalShardOptions;
  return options.parts.flatMap((p) => [`${p.name}.h5`, ...(options.csv ? [`${p.name}.csv`] : [])]);
}

export async function mergeClinicalShards(set: ShardSet, outputDir: string, onRow?: (done: number, total: number) => void): Promise<MergeResult> {
  const options = set.manifests[0].options as ClinicalShardOptions;
  const names = clinicalShardReads(set);
  const metas = set.dirs.map((d) => readCompletedMetadata(d, names) as Meta);
  const stage = beginDatasetStage(outputDir, { outputs: [...names, ...(options.preview ? ['examples.png'] : [])], replaces: [SHARD_MANIFEST_NAME] });
  const total = options.parts.reduce((a, p) => a + p.n, 0);
  let done = 0;
  try {
    const metadata = structuredClone(metas[0]);
    delete metadata.file_bytes;
    for (const part of options.parts) {
      const oracle = await mergePart(set.dirs, part.name, part.n, resolveClinicalConfig(part.config), options.gzip_level, stage.path(`${part.name}.h5`), (rows) => onRow?.((done += rows), total));
      if (options.csv) mergeCsv(set.dirs.map((d) => path.join(d, `${part.name}.csv`)), stage.path(`${part.name}.csv`));
      metadata.files[part.name] = { ...metadata.files[part.name], n: part.n, oracle };
    }
    // The first shard's preview stands for the run's (only a file its manifest lists, so verified).
    if (options.preview && set.manifests[0].files.some((f) => f.name === 'examples.png')) copyFileSync(path.join(set.dirs[0], 'examples.png'), stage.path('examples.png'));
    const files = stage.commit(metadata);
    return { outputDir, files, splits: options.parts.map((p) => ({ name: p.name, count: p.n })) };
  } catch (err) {
    stage.abort();
    throw err;
  }
}

function mergeCsv(inputs: readonly string[], output: string): void {
  const texts = inputs.map((f) => readFileSync(f, 'utf8'));
  const header = texts[0].slice(0, texts[0].indexOf('\n') + 1);
  writeFileSync(output, header + texts.map((t) => t.slice(t.indexOf('\n') + 1)).join(''));
}

/** The parts joined, in the first part's array type. */
const concat = <A extends RowArray>(parts: readonly A[]) => concatRows(parts, parts[0].constructor as { new (n: number): A });

async function mergePart(
  dirs: readonly string[],
  name: string,
  n: number,
  config: ReturnType<typeof resolveClinicalConfig>,
  gzipLevel: number,
  outPath: string,
  onRows: (rows: number) => void,
): Promise<unknown> {
  const inputs: H5File[] = [];
  let out: H5File | undefined;
  try {
    for (const d of dirs) inputs.push(await openH5(path.join(d, `${name}.h5`)));
    const values = <A,>(ds: string) => inputs.map((f) => (f.get(ds) as H5Dataset).value as unknown as A);
    const shape = (inputs[0].get('images') as H5Dataset).shape as number[];
    const [, H, W] = shape;
    out = await createH5(outPath);
    const images = createImageStack(out, 'images', n, H, W, gzipLevel);
    const step = Math.max(1, Math.floor(COPY_ROWS_BYTES / (H * W * 4)));
    let row = 0;
    for (const f of inputs) {
      const src = f.get('images') as H5Dataset;
      const rows = (src.shape as number[])[0];
      for (let j = 0; j < rows; j += step) {
        const k = Math.min(rows, j + step);
        images.write_slice([[row + j, row + k]], src.slice([[j, k]]) as Float32Array);
        onRows(k - j);
      }
      row += rows;
    }
    if (row !== n) throw new MedsynthError('CORRUPT_FILE', `the shards' ${name}.h5 files hold ${row} rows, but the run's ${name} part has ${n}`);
    const columnsAttr = ((inputs[0].get('tabular') as H5Dataset).attrs as Record<string, { value: unknown }>).columns.value as string[];
    const tabular = writeSmallDataset(out, 'tabular', concat(values<Float32Array>('tabular')), [n, columnsAttr.length], 'float32');
    setAttributes(tabular, { columns: [...columnsAttr] });
    const y = concat(values<Uint8Array>('y'));
    writeSmallDataset(out, 'y', y, [n], 'uint8');
    writeSmallDataset(out, 'sample_index', concat(values<Uint32Array>('sample_index')), [n], 'uint32');
    const truthGroup = out.create_group('truth') as H5Group | null;
    if (!truthGroup) throw new MedsynthError('IO_ERROR', `cannot create group truth/ in ${outPath}`);
    const scannerNames = (inputs[0].attrs as Record<string, { value: unknown }>).scanner_names.value as string[];
    const truth = { index: Float64Array.from(concat(values<Uint32Array>('sample_index'))), scannerNames } as unknown as ClinicalTruth;
    for (const [field, key] of TRUTH_FIELDS) {
      const v = concat(values<Float64Array | Uint8Array>(`truth/${field}`));
      (truth as unknown as Record<string, unknown>)[key] = v;
      const ds = writeSmallDataset(truthGroup, field, v, [n], v instanceof Uint8Array ? 'uint8' : 'float64');
      if (field === 'scanner') setAttributes(ds, { scanner_names: [...scannerNames] });
    }
    setAttributes(truthGroup, { description: 'hidden latents: not model inputs', scanner_names: [...scannerNames] });
    const oracle = clinicalOracle(config, truth, y);
    setAttributes(out, { ...attributesOf(inputs[0]), first_sample_index: 0, n_samples: n, oracle: JSON.stringify(oracle) });
    return oracle;
  } finally {
    for (const f of inputs) f.close();
    out?.close();
  }
}
