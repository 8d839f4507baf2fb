/**
 * Reading an anatomy dataset from Node, the equivalent of the seed's LazyMedicalDataset:
 * `get(i)` reads only sample i's chunks; masks are read only when asked for.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError, invalidParameter } from '../errors.js';
import { openH5, type H5Dataset, type H5File } from '../io/hdf5.js';
import { checkInteger, checkOneOf } from '../validate.js';
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

export class AnatomyDataset<T = DatasetItem> {
  readonly length: number;
  readonly structureNames: string[];
  readonly imageSize: [number, number, number];
  readonly spacing: [number, number, number];
  readonly metadata: Record<string, unknown>;
  private readonly scenarios: string[];
  private readonly presence: Uint8Array;
  private readonly sampleIndex: Uint32Array;
  private readonly images: H5Dataset;
  private readonly masks?: H5Dataset;
  private readonly labels?: H5Dataset;

  constructor(
    private readonly file: H5File,
    readonly filePath: string,
    metadata: Record<string, unknown>,
    private readonly loadMasks: boolean,
    private readonly transform?: (item: DatasetItem) => T,
  ) {
    this.metadata = metadata;
    const need = (name: string) => {
      const ds = file.get(name) as H5Dataset | null;
      if (!ds || !('shape' in ds)) throw new MedsynthError('CORRUPT_FILE', `${filePath} has no dataset '${name}'`);
      return ds;
    };
    this.images = need('images');
    const shape = this.images.shape as number[] | null;
    if (!shape || shape.length !== 4) throw new MedsynthError('CORRUPT_FILE', `${filePath}: images must be [N, Z, Y, X]`);
    this.length = shape[0];
    this.imageSize = [shape[1], shape[2], shape[3]];
    this.structureNames = (metadata.structure_names as string[]) ?? [];
    this.spacing = ((metadata.spacing as number[]) ?? [1, 1, 1]) as [number, number, number];
    this.scenarios = need('scenarios').value as string[];
    this.presence = need('presence_labels').value as Uint8Array;
    this.sampleIndex = need('sample_index').value as Uint32Array;
    if (this.scenarios.length !== this.length || this.presence.length !== this.length * this.structureNames.length) {
      throw new MedsynthError('CORRUPT_FILE', `${filePath}: scenarios/presence_labels do not match images`);
    }
    this.masks = (file.get('masks') as H5Dataset | null) ?? undefined;
    this.labels = (file.get('labels') as H5Dataset | null) ?? undefined;
  }

  /** Sample i of this split; reads only its own chunks. */
  get(i: number): T {
    checkInteger('index', i, 0, this.length - 1);
    const S = this.structureNames.length;
    let image: StoredImage;
    try {
      image = this.images.slice([[i, i + 1]]) as StoredImage;
    } catch (err) {
      throw new MedsynthError('CORRUPT_FILE', `${this.filePath}: cannot read sample ${i}: ${String(err)}`, { cause: err });
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
      if (this.masks) item.masks = this.masks.slice([[i, i + 1]]) as Uint8Array;
      if (this.labels) item.labels = this.labels.slice([[i, i + 1]]) as Uint8Array;
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
    this.file.close();
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

/** Opens one split of a dataset directory written by `generateDataset` / `medsynth generate`. */
export async function openDataset<T = DatasetItem>(dir: string, options: OpenDatasetOptions<T> = {}): Promise<AnatomyDataset<T>> {
  if (typeof dir !== 'string') throw invalidParameter('dir', 'a directory path', dir);
  const split = checkOneOf('split', options.split ?? 'train', ['train', 'val', 'test'] as const);
  const filePath = path.join(dir, `${split}.h5`);
  const metadata = readCompletedMetadata(dir, [`${split}.h5`]);
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
    return new AnatomyDataset<T>(file, filePath, metadata, options.loadMasks ?? true, options.transform);
  } catch (err) {
    file.close();
    throw err;
  }
}
