/**
 * The bytes an uncompressed anatomy run puts on disk, counted the way HDF5 stores them: a chunk
 * that a write touches is allocated whole (edge chunks too), a chunk never written takes nothing.
 * Images fill all their chunks. The label map is written over the union of the structures'
 * boxes, each one-hot mask over its own structure's box (or, at sparse sizes, only through the
 * chunks that hold it; see plan.ts) — so the masks' bytes follow the chunk grid, not the
 * structures' volume: at 64×64×32 with 16³ chunks they are ~2.5× the voxels inside the boxes.
 * The boxes and occupied chunks are read from probe samples' label maps (the dry run's, rendered
 * at a reduced size) and scaled to the full size, where geometry is a fraction of the image size.
 */
import { labelChunkOccupancy, type Box } from '../../ops/labels.js';
import { DTYPE_BYTES, type ImageDtype } from './image.js';
import { chunkShapes, sparseMaskChunks, type MaskForm } from './plan.js';

/**
 * HDF5's own bytes beside the chunks, fitted on h5wasm's files (this machine; 16³ to 128×128×64,
 * 1 to 21 samples per file; within ~2 KiB per file): per file (superblock, object headers, the
 * attributes with the generation parameters), per labels or masks dataset (its header and
 * chunk-index root), per allocated chunk (its chunk-index entry, in B-tree nodes allocated whole)
 * and per sample (presence labels, sample index, the scenario name in the global heap).
 */
const H5_FILE_BYTES = 12_800;
const H5_DATASET_BYTES = 4_300;
const H5_CHUNK_BYTES = 80;
const H5_SAMPLE_BYTES = 32;

/** Chunks of size `c` that the voxel range [a, b) touches along one axis. */
const chunksSpanned = (a: number, b: number, c: number) => Math.ceil(b / c) - Math.floor(a / c);

/** Per sample: bytes allocated for each dataset, and the number of chunks they take. */
export interface SampleChunkBytes {
  images: number;
  labels: number;
  masks: number;
  chunks: number;
}

/** What every sample's image takes: all of its chunks. */
export function imageChunkBytes(imageSize: readonly [number, number, number], dtype: ImageDtype): { bytes: number; chunks: number } {
  const [, slabs, y, x] = chunkShapes(imageSize, dtype).image;
  const chunks = Math.ceil(imageSize[0] / slabs);
  return { bytes: chunks * slabs * y * x * DTYPE_BYTES[dtype], chunks };
}

/**
 * The chunk bytes one sample of `imageSize` allocates, measured on a probe sample's label map
 * (`labels`, of `probeSize`, structure k labelled k + 1) scaled to `imageSize`.
 */
export async function sampleChunkBytes(
  labels: Uint8Array,
  probeSize: readonly [number, number, number],
  imageSize: readonly [number, number, number],
  dtype: ImageDtype,
  masks: MaskForm,
  structures: number,
): Promise<SampleChunkBytes> {
  const image = imageChunkBytes(imageSize, dtype);
  const out: SampleChunkBytes = { images: image.bytes, labels: 0, masks: 0, chunks: image.chunks };
  if (masks === 'none') return out;
  const block = chunkShapes(imageSize, dtype).labels.slice(1); // labels and masks share the [Z, Y, X] chunk block
  const chunkVoxels = block[0] * block[1] * block[2];
  const scale = imageSize.map((d, i) => d / probeSize[i]);
  // The full-size chunk block in probe voxels (exact when the sizes are powers of two).
  const probeBlock = block.map((b, i) => Math.max(1, Math.round(b / scale[i])));
  const occupancy = await labelChunkOccupancy(labels, probeSize, probeBlock, structures + 1);
  /** Chunks of the full-size grid that a probe box, scaled, touches. */
  const boxChunks = (b: Box) =>
    [0, 1, 2].reduce((n, i) => n * chunksSpanned(Math.round(b[i] * scale[i]), Math.max(Math.round(b[i] * scale[i]) + 1, Math.round(b[i + 3] * scale[i])), block[i]), 1);
  const boxes = occupancy.bounds.slice(1).filter((b): b is Box => b !== null);
  if ((masks === 'labels' || masks === 'both') && boxes.length) {
    const union: Box = [0, 1, 2, 3, 4, 5].map((i) => (i < 3 ? Math.min : Math.max)(...boxes.map((b) => b[i]))) as Box;
    const n = boxChunks(union);
    out.labels = n * chunkVoxels;
    out.chunks += n;
  }
  if (masks === 'onehot' || masks === 'both') {
    const cells = occupancy.grid[0] * occupancy.grid[1] * occupancy.grid[2];
    let n = 0;
    for (let l = 1; l <= structures; l++) {
      const box = occupancy.bounds[l];
      if (!box) continue;
      if (!sparseMaskChunks(imageSize)) n += boxChunks(box);
      else for (let c = 0; c < cells; c++) n += occupancy.flags[l * cells + c];
    }
    out.masks = n * chunkVoxels;
    out.chunks += n;
  }
  return out;
}

/** An upper bound on what one sample allocates: every chunk of every dataset, as if each structure filled the volume. */
export function everyChunkBytes(imageSize: readonly [number, number, number], dtype: ImageDtype, masks: MaskForm, structures: number): SampleChunkBytes {
  const image = imageChunkBytes(imageSize, dtype);
  const block = chunkShapes(imageSize, dtype).labels.slice(1);
  const chunks = [0, 1, 2].reduce((n, i) => n * Math.ceil(imageSize[i] / block[i]), 1);
  const bytes = chunks * block[0] * block[1] * block[2];
  const labels = masks === 'labels' || masks === 'both' ? 1 : 0;
  const onehot = masks === 'onehot' || masks === 'both' ? structures : 0;
  return { images: image.bytes, labels: labels * bytes, masks: onehot * bytes, chunks: image.chunks + (labels + onehot) * chunks };
}

/** Uncompressed bytes of `files` split files holding `samples` samples whose chunks average `perSample`. */
export function uncompressedRunBytes(perSample: SampleChunkBytes, samples: number, files: number, masks: MaskForm): number {
  const datasets = masks === 'both' ? 2 : masks === 'none' ? 0 : 1;
  const chunkBytes = perSample.images + perSample.labels + perSample.masks;
  return samples * (chunkBytes + perSample.chunks * H5_CHUNK_BYTES + H5_SAMPLE_BYTES) + files * (H5_FILE_BYTES + datasets * H5_DATASET_BYTES);
}
