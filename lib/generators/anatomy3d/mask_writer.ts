/**
 * One-hot masks written sparsely: each structure's mask reaches the file only through the chunks
 * that hold some of it. Chunks never written are not allocated and read back as zeros, so the
 * stored bytes follow the structure's shape rather than its bounding box (a round organ leaves
 * the corners of its box empty).
 */
import type { H5Dataset } from '../../io/hdf5.js';
import { boxVoxels, labelBounds, labelChunkOccupancy, labelMaskBox, type Box, type ChunkOccupancy } from '../../ops/labels.js';

/**
 * Boxes (voxel coordinates, clipped to `bounds`) that together cover exactly the chunks holding
 * `label`: runs of occupied chunks along x, merged along y where consecutive rows of a chunk
 * layer have the same run. Every chunk a box touches holds the label.
 */
export function occupiedBoxes(occupancy: ChunkOccupancy, label: number, bounds: Box): Box[] {
  const [gz, gy, gx] = occupancy.grid;
  const [bz, by, bx] = occupancy.block;
  const flags = occupancy.flags.subarray(label * gz * gy * gx, (label + 1) * gz * gy * gx);
  const boxes: Box[] = [];
  const toVoxels = (iz: number, iy0: number, iy1: number, ix0: number, ix1: number): Box => [
    Math.max(bounds[0], iz * bz), Math.max(bounds[1], iy0 * by), Math.max(bounds[2], ix0 * bx),
    Math.min(bounds[3], (iz + 1) * bz), Math.min(bounds[4], iy1 * by), Math.min(bounds[5], ix1 * bx),
  ];
  for (let iz = 0; iz < gz; iz++) {
    // Runs [ix0, ix1) of the previous row still open for merging, keyed ix0·(gx + 1) + ix1 -> first row.
    let open = new Map<number, number>();
    for (let iy = 0; iy <= gy; iy++) {
      const next = new Map<number, number>();
      if (iy < gy) {
        const row = (iz * gy + iy) * gx;
        for (let ix = 0; ix < gx; ) {
          if (!flags[row + ix]) {
            ix++;
            continue;
          }
          const start = ix;
          while (ix < gx && flags[row + ix]) ix++;
          const key = start * (gx + 1) + ix;
          next.set(key, open.get(key) ?? iy);
          open.delete(key);
        }
      }
      for (const [key, iy0] of open) boxes.push(toVoxels(iz, iy0, iy, Math.floor(key / (gx + 1)), key % (gx + 1)));
      open = next;
    }
  }
  return boxes;
}

/** One structure's binary mask over a box, ready to write. */
export interface MaskPiece {
  /** Structure index k (label k + 1). */
  structure: number;
  box: Box;
  mask: Uint8Array;
}

/** What one pass over a label map gives the mask writer: the tight boxes, and the chunk occupancy. */
export interface LabelScan {
  bounds: Array<Box | null>;
  /** Present when the masks are written chunk by chunk. */
  occupancy?: ChunkOccupancy;
}

/**
 * Scans a label map once for labels 0 … labelCount-1: with `block` (the masks' chunk shape over
 * Z, Y, X; see maskWriteBlock) the chunk occupancy and the boxes together, else the boxes alone.
 */
export async function scanLabels(
  labels: Uint8Array,
  dims: readonly [number, number, number],
  labelCount: number,
  block?: readonly number[],
): Promise<LabelScan> {
  if (!block) return { bounds: await labelBounds(labels, dims, labelCount) };
  const occupancy = await labelChunkOccupancy(labels, dims, block, labelCount);
  return { bounds: occupancy.bounds, occupancy };
}

/**
 * The pieces of a sample's one-hot masks from its label map (structure k has label k + 1), on the
 * native pool. With the scan's occupancy a structure's pieces cover only the chunks that hold it;
 * without it, one piece covers its whole box (fewer, larger writes).
 */
export async function extractOneHotMasks(labels: Uint8Array, dims: readonly [number, number, number], scan: LabelScan): Promise<MaskPiece[]> {
  const { bounds, occupancy } = scan;
  const wanted: Array<{ structure: number; box: Box }> = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const tight = bounds[k + 1];
    if (!tight) continue; // never written: reads back as all zeros
    for (const box of occupancy ? occupiedBoxes(occupancy, k + 1, tight) : [tight]) wanted.push({ structure: k, box });
  }
  const sizes = wanted.map(({ box }) => boxVoxels(box));
  const buffer = new Uint8Array(sizes.reduce((a, n) => a + n, 0));
  const pieces: MaskPiece[] = [];
  let offset = 0;
  for (let i = 0; i < wanted.length; i++) {
    const { structure, box } = wanted[i];
    const mask = await labelMaskBox(labels, dims, box, structure + 1, buffer.subarray(offset, offset + sizes[i]));
    pieces.push({ structure, box, mask });
    offset += sizes[i];
  }
  return pieces;
}

/** Writes the pieces into row `row` of a `[N, S, Z, Y, X]` one-hot dataset. */
export function writeMaskPieces(masks: H5Dataset, row: number, pieces: readonly MaskPiece[]): void {
  for (const { structure: k, box: b, mask } of pieces) {
    masks.write_slice([[row, row + 1], [k, k + 1], [b[0], b[3]], [b[1], b[4]], [b[2], b[5]]], mask);
  }
}

/** scanLabels, extractOneHotMasks and writeMaskPieces for the `structures` one-hot masks of one row. */
export async function writeOneHotMasks(
  masks: H5Dataset,
  row: number,
  labels: Uint8Array,
  dims: readonly [number, number, number],
  structures: number,
  block?: readonly number[],
): Promise<void> {
  const scan = await scanLabels(labels, dims, structures + 1, block);
  writeMaskPieces(masks, row, await extractOneHotMasks(labels, dims, scan));
}
