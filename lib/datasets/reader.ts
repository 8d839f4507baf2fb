/**
 * Reading an anatomy dataset from Node, the equivalent of the seed's LazyMedicalDataset:
 * `get(i)` reads only sample i's chunks; masks are read only when asked for. A split may span
 * several files — the shards of a `--shard` run, opened together without merging — read as one.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError, invalidParameter } from '../errors.js';
import { openH5, type H5Dataset, type H5File } from '../io/hdf5.js';
import { checkInteger, checkOneOf } from '../validate.js';
import { collectShards } from '../shard/manifest.js';
import { mergedAnatomyMetadata } from '../shard/anatomy_metadata.js';
import { concatRows } from '../shard/rows.js';
import type { SampleStream } from '../stream/pipeline.js';
import { datasetSamples, type DatasetStreamOptions } from './dataset_samples.js';

/** The splits a dataset folder holds, one HDF5 file each. */
export type SplitName = 'train' | 'val' | 'test';

export type StoredImage = Float32Array | Int16Array | Uint8Array;

export interface DatasetItem {
  /** Row within the split. */
  index: number;
  /** Global sample index (the Philox sample key). */
  sampleIndex: number;
  image: StoredImage;
  /** [Z, Y, X]. */
  imageShape: [number, number, number];
  /** One-hot masks [S, Z, Y, X] when loaded and stored. */
  masks?: Uint8Array;
  /** Label map [Z, Y, X] when loaded and stored. */
  labels?: Uint8Array;
  presence: Uint8Array;
  scenario: string;
}

export interface OpenDatasetOptions<T> {
  split?: SplitName;
  /** Read masks/labels too (default true). */
  loadMasks?: boolean;
  /** Applied to every item `get` returns. */
  transform?: (item: DatasetItem) => T;
}

export interface StructureDistribution {
  present: number;
  presenceRate: number;
}

/** One file's rows of a split: rows [start, start + length) of the whole. */
interface SplitPart {
  file: H5File;
  filePath: string;
  start: number;
  length: number;
  images: H5Dataset;
  masks?: H5Dataset;
  labels?: H5Dataset;
}

export class AnatomyDataset<T = DatasetItem> {
  readonly length: number;
  /** The split's file (the first shard's when it spans several). */
  readonly filePath: string;
  readonly structureNames: string[];
  readonly imageSize: [number, number, number];
  readonly spacing: [number, number, number];
  readonly metadata: Record<string, unknown>;
  private readonly scenarios: string[];
  private readonly presence: Uint8Array;
  private readonly sampleIndex: Uint32Array;
  private readonly parts: SplitPart[] = [];

  /** `files`: the split's file, or its shards' files in shard order. */
  constructor(
    files: ReadonlyArray<{ file: H5File; filePath: string }>,
    metadata: Record<string, unknown>,
    private readonly loadMasks: boolean,
    private readonly transform?: (item: DatasetItem) => T,
  ) {
    this.metadata = metadata;
    this.filePath = files[0].filePath;
    this.structureNames = (metadata.structure_names as string[]) ?? [];
    this.spacing = ((metadata.spacing as number[]) ?? [1, 1, 1]) as [number, number, number];
    const scenarios: string[] = [];
    const presence: Uint8Array[] = [];
    const sampleIndex: Uint32Array[] = [];
    let start = 0;
    let imageSize: [number, number, number] | undefined;
    for (const { file, filePath } of files) {
      const need = (name: string) => {
        const ds = file.get(name) as H5Dataset | null;
        if (!ds || !('shape' in ds)) throw new MedsynthError('CORRUPT_FILE', `${filePath} has no dataset '${name}'`);
        return ds;
      };
      const images = need('images');
      const shape = images.shape as number[] | null;
      if (!shape || shape.length !== 4) throw new MedsynthError('CORRUPT_FILE', `${filePath}: images must be [N, Z, Y, X]`);
      imageSize ??= [shape[1], shape[2], shape[3]];
      if (shape.slice(1).some((d, k) => d !== imageSize![k])) throw new MedsynthError('CORRUPT_FILE', `${filePath}: image size ${shape.slice(1).join('×')} differs from ${imageSize.join('×')}`);
      const length = shape[0];
      // A split file with no rows (a shard's share of a small split) stores an empty int32 'scenarios'.
      const names = length === 0 ? [] : (need('scenarios').value as string[]);
      const present = need('presence_labels').value as Uint8Array;
      if (names.length !== length || present.length !== length * this.structureNames.length) {
        throw new MedsynthError('CORRUPT_FILE', `${filePath}: scenarios/presence_labels do not match images`);
      }
      scenarios.push(...names);
      presence.push(present);
      sampleIndex.push(need('sample_index').value as Uint32Array);
      this.parts.push({
        file, filePath, start, length, images,
        masks: (file.get('masks') as H5Dataset | null) ?? undefined,
        labels: (file.get('labels') as H5Dataset | null) ?? undefined,
      });
      start += length;
    }
    this.length = start;
    this.imageSize = imageSize!;
    this.scenarios = scenarios;
    this.presence = concatRows(presence, Uint8Array);
    this.sampleIndex = concatRows(sampleIndex, Uint32Array);
  }

  /** The file holding row i, and i's row within it. */
  private partOf(i: number): [SplitPart, number] {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.parts[mid].start <= i) lo = mid;
      else hi = mid - 1;
    }
    // Empty parts share their start with the next one; step past them.
    while (this.parts[lo].length === 0 || i >= this.parts[lo].start + this.parts[lo].length) lo++;
    return [this.parts[lo], i - this.parts[lo].start];
  }

  /** Sample i of this split; reads only its own chunks. */
  get(i: number): T {
    checkInteger('index', i, 0, this.length - 1);
    const S = this.structureNames.length;
    const [part, row] = this.partOf(i);
    let image: StoredImage;
    try {
      image = part.images.slice([[row, row + 1]]) as StoredImage;
    } catch (err) {
      throw new MedsynthError('CORRUPT_FILE', `${part.filePath}: cannot read sample ${row}: ${String(err)}`, { cause: err });
    }
    const item: DatasetItem = {
      index: i,
      sampleIndex: this.sampleIndex[i],
      image,
      imageShape: [...this.imageSize],
      presence: this.presence.slice(i * S, (i + 1) * S),
      scenario: this.scenarios[i],
    };
    if (this.loadMasks) {
      if (part.masks) item.masks = part.masks.slice([[row, row + 1]]) as Uint8Array;
      if (part.labels) item.labels = part.labels.slice([[row, row + 1]]) as Uint8Array;
    }
    return this.transform ? this.transform(item) : (item as unknown as T);
  }

  /** Per structure: how many samples have it and the share of samples. */
  classDistribution(): Record<string, StructureDistribution> {
    const S = this.structureNames.length;
    const out: Record<string, StructureDistribution> = {};
    this.structureNames.forEach((name, k) => {
      let present = 0;
      for (let i = 0; i < this.length; i++) present += this.presence[i * S + k];
      out[name] = { present, presenceRate: this.length ? present / this.length : 0 };
    });
    return out;
  }

  /** Scenario name → count. */
  scenarioCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.scenarios) out[s] = (out[s] ?? 0) + 1;
    return out;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /**
   * The split as a sample stream for training loops: stored order, or with `shuffle` the seeded
   * permutation of (seed, epoch) (lib/core/permutation.ts), read ahead by at most `prefetch` items;
   * `start`/`count` select positions of that order, `signal` aborts (dataset_samples.ts).
   */
  samples(options: DatasetStreamOptions = {}): SampleStream<T> {
    return datasetSamples(this, options);
  }

  /** Items in batches of `size` (the last may be shorter), in order or in a seeded shuffle. */
  *batches(size: number, options: { shuffleSeed?: number } = {}): Generator<T[]> {
    checkInteger('batch size', size, 1, 1 << 20);
    const order = Array.from({ length: this.length }, (_, i) => i);
    if (options.shuffleSeed !== undefined) shuffle(order, options.shuffleSeed);
    for (let b = 0; b < order.length; b += size) yield order.slice(b, b + size).map((i) => this.get(i));
  }

  close(): void {
    for (const part of this.parts) part.file.close();
  }
}


/** Fisher–Yates with a small integer hash RNG: batch order is not part of the data. */
function shuffle(a: number[], seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/**
 * metadata.json is written last, when every file is in place (lib/io/staging.ts), and lists the
 * byte size of each: without it, or with a listed file of another size, the directory is an
 * interrupted or mixed run and is refused with INCOMPLETE_DATASET.
 */
export function readCompletedMetadata(dir: string, needed: readonly string[]): Record<string, unknown> {
  const metaPath = path.join(dir, 'metadata.json');
  if (!existsSync(metaPath)) {
    throw new MedsynthError('INCOMPLETE_DATASET', `${dir} has no metadata.json: the dataset was not finished (interrupted, or still being written)`);
  }
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (err) {
    throw new MedsynthError('CORRUPT_FILE', `${metaPath} is not valid JSON`, { cause: err });
  }
  const files = metadata.file_bytes as Record<string, number> | undefined;
  for (const name of needed) {
    if (files === undefined || typeof files !== 'object') break; // written before sizes were recorded
    const size = statSync(path.join(dir, name), { throwIfNoEntry: false })?.size;
    if (files[name] !== undefined && size !== files[name]) {
      throw new MedsynthError('INCOMPLETE_DATASET', `${path.join(dir, name)} is ${size ?? 'missing'} bytes but metadata.json lists ${files[name]}: the directory mixes runs`);
    }
  }
  return metadata;
}

/**
 * Opens one split of a dataset directory written by `generateDataset` / `medsynth generate`, or
 * of a list of shard directories (`--shard k/N`, all N of one run, checked as `medsynth merge`
 * checks them), read as the merged dataset would be.
 */
export async function openDataset<T = DatasetItem>(dir: string | readonly string[], options: OpenDatasetOptions<T> = {}): Promise<AnatomyDataset<T>> {
  if (Array.isArray(dir) && dir.length === 1) dir = dir[0] as string;
  if (Array.isArray(dir)) return openShardedDataset(dir, options);
  if (typeof dir !== 'string') throw invalidParameter('dir', 'a directory path', dir);
  const split = checkOneOf('split', options.split ?? 'train', ['train', 'val', 'test'] as const);
  const filePath = path.join(dir as string, `${split}.h5`);
  const metadata = readCompletedMetadata(dir as string, [`${split}.h5`]);
  if (!existsSync(filePath)) {
    throw new MedsynthError('IO_ERROR', `${filePath} does not exist (was the ${split} split 0, or the dataset not generated?)`);
  }
  const file = await openH5(filePath);
  try {
    if (!metadata.structure_names) {
      const attr = (file.attrs as Record<string, { value: unknown }>)['structure_names'];
      if (!attr) throw new MedsynthError('CORRUPT_FILE', `${filePath} has no structure_names`);
      metadata.structure_names = attr.value;
    }
    return new AnatomyDataset<T>([{ file, filePath }], metadata, options.loadMasks ?? true, options.transform);
  } catch (err) {
    file.close();
    throw err;
  }
}

async function openShardedDataset<T>(dirs: readonly string[], options: OpenDatasetOptions<T>): Promise<AnatomyDataset<T>> {
  const split = checkOneOf('split', options.split ?? 'train', ['train', 'val', 'test'] as const);
  const set = collectShards(dirs);
  if (set.tool !== 'generate') throw new MedsynthError('INVALID_ARGUMENT', `${set.dirs[0]} is a '${set.tool}' shard, not an anatomy dataset`);
  const metas = set.dirs.map((d) => readCompletedMetadata(d, [`${split}.h5`]));
  if (!set.run[split]) throw new MedsynthError('IO_ERROR', `the shards have no ${split} split (was its fraction 0?)`);
  const files: Array<{ file: H5File; filePath: string }> = [];
  try {
    for (const d of set.dirs) {
      const filePath = path.join(d, `${split}.h5`);
      files.push({ file: await openH5(filePath), filePath });
    }
    return new AnatomyDataset<T>(files, mergedAnatomyMetadata(metas, set.run), options.loadMasks ?? true, options.transform);
  } catch (err) {
    for (const f of files) f.file.close();
    throw err;
  }
}
