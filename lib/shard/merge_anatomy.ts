/**
 * Joining the shards of a `medsynth generate --shard` run into one dataset, as the unsharded run
 * writes it: per split one file whose rows are the shards' rows in shard order (= global index
 * order), the same chunking and compression, the same small datasets and attributes (with the
 * run's first index and count), and metadata.json with the run's splits and scenario counts.
 *
 * Rows are copied, not regenerated. Images are copied whole; one-hot masks and label maps only
 * through the chunks that hold a non-zero voxel (never-written chunks read as 0), so a merged
 * file is no larger than its shards together.
 */
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { readCompletedMetadata } from '../datasets/reader.js';
import { beginDatasetStage, type DatasetStage } from '../io/staging.js';
import { createH5, createSampleDataset, openH5, setAttributes, writeSmallDataset, type H5Dataset, type H5DtypeName, type H5File } from '../io/hdf5.js';
import { cropBox, labelChunkOccupancy, type Box } from '../ops/labels.js';
import { mergedAnatomyMetadata } from './anatomy_metadata.js';
import { SHARD_MANIFEST_NAME, type ShardSet } from './manifest.js';
import { attributesOf, concatRows } from './rows.js';

export interface MergeResult {
  outputDir: string;
  files: string[];
  splits: Array<{ name: string; count: number }>;
}

type Storage = { image_dtype: H5DtypeName; gzip_level: number; chunks: { image: number[]; labels: number[]; masks: number[] } };

export async function mergeAnatomyShards(set: ShardSet, outputDir: string, onSample?: (done: number, total: number) => void): Promise<MergeResult> {
  const splitNames = Object.keys(set.run);
  const metas = set.dirs.map((d) => readCompletedMetadata(d, splitNames.map((s) => `${s}.h5`)));
  const merged = mergedAnatomyMetadata(metas, set.run);
  const storage = merged.storage as Storage;
  const stage = beginDatasetStage(outputDir, { outputs: splitNames.map((s) => `${s}.h5`), replaces: ['train.h5', 'val.h5', 'test.h5', SHARD_MANIFEST_NAME] });
  const total = Object.values(set.run).reduce((a, r) => a + r.count, 0);
  let done = 0;
  try {
    for (const split of splitNames) {
      await mergeSplit(set, split, storage, stage, () => onSample?.(++done, total));
    }
    const files = stage.commit(merged);
    return { outputDir, files, splits: splitNames.map((name) => ({ name, count: set.run[name].count })) };
  } catch (err) {
    stage.abort();
    throw err;
  }
}

async function mergeSplit(set: ShardSet, split: string, storage: Storage, stage: DatasetStage, onSample: () => void): Promise<void> {
  const inputs: H5File[] = [];
  let out: H5File | undefined;
  try {
    for (const d of set.dirs) inputs.push(await openH5(path.join(d, `${split}.h5`)));
    const count = set.run[split].count;
    out = await createH5(stage.path(`${split}.h5`));
    const first = inputs[0];
    const images = first.get('images') as H5Dataset;
    const sampleShape = (images.shape as number[]).slice(1);
    const S = (first.get('presence_labels') as H5Dataset).shape![1];
    const gzipLevel = storage.gzip_level;
    const target = {
      images: createSampleDataset(out, { name: 'images', dtype: storage.image_dtype, sampleShape, count, chunks: storage.chunks.image, gzipLevel }),
      labels: first.get('labels')
        ? createSampleDataset(out, { name: 'labels', dtype: 'uint8', sampleShape, count, chunks: storage.chunks.labels, gzipLevel })
        : undefined,
      masks: first.get('masks')
        ? createSampleDataset(out, { name: 'masks', dtype: 'uint8', sampleShape: [S, ...sampleShape], count, chunks: storage.chunks.masks, gzipLevel })
        : undefined,
    };
    // The small datasets, in the order the generator writes them.
    const presence = concatenated(inputs, 'presence_labels', Uint8Array);
    writeSmallDataset(out, 'presence_labels', presence, [count, S], 'uint8');
    // (A split file with no rows stores an empty int32 'scenarios', h5wasm's guess for []: skipped.)
    const rowsOf = (f: H5File) => ((f.get('images') as H5Dataset).shape as number[])[0];
    writeSmallDataset(out, 'scenarios', inputs.flatMap((f) => (rowsOf(f) ? ((f.get('scenarios') as H5Dataset).value as string[]) : [])), [count]);
    writeSmallDataset(out, 'sample_index', concatenated(inputs, 'sample_index', Uint32Array), [count], 'uint32');
    setAttributes(out, { ...attributesOf(first), first_sample_index: set.run[split].first, n_samples: count });

    const zyx = sampleShape as [number, number, number];
    let row = 0;
    for (const file of inputs) {
      const src = file.get('images') as H5Dataset;
      const rows = (src.shape as number[])[0];
      const srcLabels = file.get('labels') as H5Dataset | null;
      const srcMasks = file.get('masks') as H5Dataset | null;
      for (let j = 0; j < rows; j++, row++) {
        target.images.write_slice([[row, row + 1]], src.slice([[j, j + 1]]) as never);
        if (target.labels && srcLabels) {
          await copyNonZeroChunks(srcLabels.slice([[j, j + 1]]) as Uint8Array, zyx, storage.chunks.labels.slice(1), target.labels, [[row, row + 1]]);
        }
        if (target.masks && srcMasks) {
          for (let s = 0; s < S; s++) {
            const mask = srcMasks.slice([[j, j + 1], [s, s + 1]]) as Uint8Array;
            await copyNonZeroChunks(mask, zyx, storage.chunks.masks.slice(2), target.masks, [[row, row + 1], [s, s + 1]]);
          }
        }
        onSample();
      }
    }
    if (row !== count) throw new MedsynthError('CORRUPT_FILE', `the shards' ${split}.h5 files hold ${row} rows, but the run's ${split} split has ${count}`);
  } finally {
    for (const f of inputs) f.close();
    out?.close();
  }
}

/** A numeric dataset of every input, concatenated along rows. */
function concatenated<A extends Uint8Array | Uint32Array>(inputs: readonly H5File[], name: string, Kind: { new (n: number): A }): A {
  return concatRows(inputs.map((f) => (f.get(name) as H5Dataset).value as A), Kind);
}

/**
 * Writes the [Z, Y, X] volume `data` into `target` at the leading `index` ranges, one chunk-sized
 * block at a time and only the blocks that hold a non-zero voxel (native occupancy and crop).
 */
async function copyNonZeroChunks(data: Uint8Array, dims: [number, number, number], block: number[], target: H5Dataset, index: Array<[number, number]>): Promise<void> {
  const occupancy = await labelChunkOccupancy(data, dims, block, 256);
  const [gz, gy, gx] = occupancy.grid;
  const [bz, by, bx] = occupancy.block;
  const cells = gz * gy * gx;
  for (let c = 0; c < cells; c++) {
    let nonZero = false;
    for (let l = 1; l < 256 && !nonZero; l++) nonZero = occupancy.flags[l * cells + c] !== 0;
    if (!nonZero) continue;
    const [z0, y0, x0] = [Math.floor(c / (gy * gx)) * bz, Math.floor(c / gx) % gy * by, (c % gx) * bx];
    const box: Box = [z0, y0, x0, Math.min(dims[0], z0 + bz), Math.min(dims[1], y0 + by), Math.min(dims[2], x0 + bx)];
    target.write_slice([...index, [box[0], box[3]], [box[1], box[4]], [box[2], box[5]]], await cropBox(data, dims, box));
  }
}
