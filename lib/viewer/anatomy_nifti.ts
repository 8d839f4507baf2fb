/**
 * One anatomy sample as two NIfTI-1 volumes, converted on request from the HDF5 split: the image
 * (its stored dtype) and the label map (uint8, 0 background, k + 1 structure k). The lazy reader
 * reads only row i's chunks; the header carries the dataset's spacing and the same LPS affine
 * `medsynth petct` writes (lib/io/nifti.ts), so both volumes overlay exactly.
 */
import { MedsynthError } from '../errors.js';
import { openDataset, type AnatomyDataset, type DatasetItem, type SplitName } from '../datasets/reader.js';
import { encodeNifti } from '../io/nifti.js';
import { labelsFromOneHot } from '../ops/labels.js';

export interface AnatomySampleVolumes {
  image: Buffer;
  /** Absent when the dataset stores no masks (`--masks none`). */
  labels?: Buffer;
  info: { split: SplitName; index: number; sampleIndex: number; scenario: string; presence: number[] };
}

/**
 * The label map of a sample stored as one-hot masks [S, Z, Y, X] (the generator writes them from
 * one label map, so they do not overlap; where they would, the later structure wins), on the
 * native kernel; a file whose masks do not fit its shape is CORRUPT_FILE.
 */
export async function labelMapOfMasks(masks: Uint8Array, structures: number, voxels: number): Promise<Uint8Array> {
  if (masks.length !== structures * voxels) {
    throw new MedsynthError('CORRUPT_FILE', `masks hold ${masks.length} values, expected ${structures}×${voxels}`);
  }
  return labelsFromOneHot(masks, structures, voxels);
}

/** Converts row `index` of an open split. */
export async function sampleVolumes(ds: AnatomyDataset<DatasetItem>, split: SplitName, index: number): Promise<AnatomySampleVolumes> {
  const item = ds.get(index);
  const dims = item.imageShape;
  const voxels = dims[0] * dims[1] * dims[2];
  const what = `${split} ${index} (sample ${item.sampleIndex})`;
  const image = encodeNifti({ data: item.image, dims, spacing: ds.spacing, description: `medsynth anatomy ${what}` });
  const labelMap = item.labels ?? (item.masks ? await labelMapOfMasks(item.masks, ds.structureNames.length, voxels) : undefined);
  const labels = labelMap && encodeNifti({ data: labelMap, dims, spacing: ds.spacing, description: `medsynth labels ${what}`, intentName: 'label' });
  return {
    image,
    labels,
    info: { split, index, sampleIndex: item.sampleIndex, scenario: item.scenario, presence: Array.from(item.presence) },
  };
}

/**
 * The splits of one dataset directory, each opened once and kept open while the server runs, and
 * the last sample converted: the page asks for a sample's image and then its labels, and one
 * read of the sample answers both.
 */
export class AnatomySplits {
  private readonly open = new Map<SplitName, Promise<AnatomyDataset<DatasetItem>>>();
  private readonly recent: Array<{ key: string; volumes: AnatomySampleVolumes }> = [];
  private static readonly RECENT = 1; // bounded: at 512³ one sample is hundreds of MB

  async volumes(split: SplitName, index: number): Promise<AnatomySampleVolumes> {
    const key = `${split}/${index}`;
    const hit = this.recent.find((r) => r.key === key);
    if (hit) return hit.volumes;
    const volumes = await sampleVolumes(await this.get(split), split, index);
    this.recent.unshift({ key, volumes });
    this.recent.length = Math.min(this.recent.length, AnatomySplits.RECENT);
    return volumes;
  }

  constructor(private readonly dir: string) {}

  get(split: SplitName): Promise<AnatomyDataset<DatasetItem>> {
    let ds = this.open.get(split);
    if (!ds) {
      ds = openDataset(this.dir, { split });
      ds.catch(() => this.open.delete(split)); // a failed open is retried on the next request
      this.open.set(split, ds);
    }
    return ds;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    this.recent.length = 0;
    for (const ds of await Promise.allSettled(all)) if (ds.status === 'fulfilled') ds.value.close();
  }
}
