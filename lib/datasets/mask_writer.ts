/**
 * One-hot masks written sparsely: each structure's mask reaches the file only through the chunks
 * that hold some of it. Chunks never written are not allocated and read back as zeros, so the
 * stored bytes follow the structure's shape rather than its bounding box (a round organ leaves
 * the corners of its box empty).
 */
import type { H5Dataset } from '../io/hdf5.js';
import { labelChunkOccupancy, labelMaskBox, type Box, type ChunkOccupancy } from '../ops/labels.js';

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
    // Runs of the previous row still open for merging: key "ix0,ix1" -> first row.
    let open = new Map<string, number>();
    for (let iy = 0; iy <= gy; iy++) {
      const next = new Map<string, number>();
      if (iy < gy) {
        const row = (iz * gy + iy) * gx;
        for (let ix = 0; ix < gx; ) {
          if (!flags[row + ix]) {
            ix++;
            continue;
          }
          const start = ix;
          while (ix < gx && flags[row + ix]) ix++;
          const key = `${start},${ix}`;
          next.set(key, open.get(key) ?? iy);
          open.delete(key);
        }
      }
      for (const [key, iy0] of open) {
        const [ix0, ix1] = key.split(',').map(Number);
        boxes.push(toVoxels(iz, iy0, iy, ix0, ix1));
      }
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

/**
 * The pieces of a sample's one-hot masks from its label map (structure k has label k + 1), on the
 * native pool. `bounds` are the labels' tight boxes (labelBounds). With `block` (the masks' chunk
 * shape over Z, Y, X) a structure's pieces cover only the chunks that hold it; without it, one
 * piece covers its whole box (fewer, larger writes; see sparseMaskChunks).
 */
export async function extractOneHotMasks(
  labels: Uint8Array,
  dims: readonly [number, number, number],
  bounds: ReadonlyArray<Box | null>,
  block?: readonly number[],
): Promise<MaskPiece[]> {
  const structures = bounds.length - 1;
  const occupancy = block ? await labelChunkOccupancy(labels, dims, block, structures + 1) : undefined;
  const wanted: Array<{ structure: number; box: Box }> = [];
  for (let k = 0; k < structures; k++) {
    const tight = bounds[k + 1];
    if (!tight) continue; // never written: reads back as all zeros
    for (const box of occupancy ? occupiedBoxes(occupancy, k + 1, tight) : [tight]) wanted.push({ structure: k, box });
  }
  const sizes = wanted.map(({ box: b }) => (b[3] - b[0]) * (b[4] - b[1]) * (b[5] - b[2]));
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

/** extractOneHotMasks, then writeMaskPieces. */
export async function writeOneHotMasks(
  masks: H5Dataset,
  row: number,
  labels: Uint8Array,
  dims: readonly [number, number, number],
  bounds: ReadonlyArray<Box | null>,
  block?: readonly number[],
): Promise<void> {
  writeMaskPieces(masks, row, await extractOneHotMasks(labels, dims, bounds, block));
}
