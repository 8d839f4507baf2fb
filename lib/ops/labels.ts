/**
 * Label-map utilities used by writers: exact per-label bounding boxes, one structure's binary
 * mask cut out of its box, the label map of one-hot masks, and box crops of any volume.
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkDims, checkInteger, checkNoOverlap, type Dims } from '../validate.js';
import { invalidParameter } from '../errors.js';

/** [z0, y0, x0, z1, y1, x1]: start inclusive, end exclusive. */
export type Box = [number, number, number, number, number, number];

type AnyTypedArray = Float32Array | Float64Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export function boxVoxels(box: Box): number {
  return (box[3] - box[0]) * (box[4] - box[1]) * (box[5] - box[2]);
}

/** The smallest box holding every given box (nulls skipped); null when there is none. */
export function boxUnion(boxes: ReadonlyArray<Box | null>): Box | null {
  let u: Box | null = null;
  for (const b of boxes) {
    if (!b) continue;
    u = u ? [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.min(u[2], b[2]), Math.max(u[3], b[3]), Math.max(u[4], b[4]), Math.max(u[5], b[5])] : [...b];
  }
  return u;
}

/** Tight boxes of labels 0 … labelCount-1; `null` for a label that does not occur. */
export async function labelBounds(labels: Uint8Array, dims: Dims, labelCount: number): Promise<Array<Box | null>> {
  const { zyx, count } = checkDims('dims', dims);
  checkArray('labels', labels, Uint8Array, count);
  checkInteger('labelCount', labelCount, 1, 256);
  const out = new Int32Array(6 * labelCount);
  await callNative(binding().labelBounds(labels, out, { dims: zyx }));
  return boxesOf(out);
}

/** The native [z0, y0, x0, z1, y1, x1] per label as boxes, `null` where the label is absent. */
function boxesOf(packed: Int32Array): Array<Box | null> {
  return Array.from({ length: packed.length / 6 }, (_, l) => {
    const b = Array.from(packed.subarray(6 * l, 6 * l + 6)) as Box;
    return b[0] < b[3] ? b : null;
  });
}

/** Which chunks of a chunk grid hold each label (see {@link labelChunkOccupancy}). */
export interface ChunkOccupancy {
  /** Chunks per axis: ceil(dims / block). */
  grid: [number, number, number];
  block: [number, number, number];
  /** flags[((l·gz + iz)·gy + iy)·gx + ix] = 1 when chunk (iz, iy, ix) holds label l. */
  flags: Uint8Array;
  /** The labels' tight boxes, as labelBounds gives them (same pass). */
  bounds: Array<Box | null>;
}

/**
 * For labels 0 … labelCount-1, which `block`-sized chunks of the volume hold that label, and in
 * the same pass over the volume their tight boxes.
 */
export async function labelChunkOccupancy(labels: Uint8Array, dims: Dims, block: readonly number[], labelCount: number): Promise<ChunkOccupancy> {
  const { zyx, count } = checkDims('dims', dims);
  checkArray('labels', labels, Uint8Array, count);
  checkInteger('labelCount', labelCount, 1, 256);
  if (!Array.isArray(block) || block.length !== 3) throw invalidParameter('block', '[bz, by, bx]', block);
  const b = block.map((v, i) => checkInteger(`block[${i}]`, v, 1, Number.MAX_SAFE_INTEGER)) as [number, number, number];
  const grid = zyx.map((d, i) => Math.ceil(d / b[i])) as [number, number, number];
  const flags = new Uint8Array(grid[0] * grid[1] * grid[2] * labelCount);
  const bounds = new Int32Array(6 * labelCount);
  await callNative(binding().labelChunkOccupancy(labels, flags, bounds, { dims: zyx, block: b }));
  return { grid, block: b, flags, bounds: boxesOf(bounds) };
}

function checkBox(box: Box, zyx: readonly number[]): Box {
  if (!Array.isArray(box) || box.length !== 6) throw invalidParameter('box', '[z0, y0, x0, z1, y1, x1]', box);
  box.forEach((v, i) => checkInteger(`box[${i}]`, v, 0, zyx[i % 3]));
  if (!(box[0] < box[3] && box[1] < box[4] && box[2] < box[5])) throw invalidParameter('box', 'a non-empty box', box);
  return box;
}

/** The binary mask (1 where labels == label) over `box`, as a dense [bz, by, bx] array. */
export async function labelMaskBox(labels: Uint8Array, dims: Dims, box: Box, label: number, out?: Uint8Array): Promise<Uint8Array> {
  const { zyx, count } = checkDims('dims', dims);
  checkArray('labels', labels, Uint8Array, count);
  checkBox(box, zyx);
  checkInteger('label', label, 0, 255);
  const n = boxVoxels(box);
  const mask = out === undefined ? new Uint8Array(n) : checkArray('out', out, Uint8Array, n);
  await callNative(binding().labelMaskBox(labels, mask, { dims: zyx, box, label }));
  return mask;
}

/**
 * The label map (0 background, s + 1 for structure s) of one-hot masks [structures, voxels], as
 * the generators store them: they do not overlap; where they would, the later structure wins.
 */
export async function labelsFromOneHot(masks: Uint8Array, structures: number, voxels: number, out?: Uint8Array): Promise<Uint8Array> {
  checkInteger('structures', structures, 1, 255);
  checkInteger('voxels', voxels, 0, Number.MAX_SAFE_INTEGER);
  checkArray('masks', masks, Uint8Array, structures * voxels);
  const labels = out === undefined ? new Uint8Array(voxels) : checkArray('out', out, Uint8Array, voxels);
  checkNoOverlap('out', labels, [masks]);
  await callNative(binding().labelsFromOneHot(masks, labels, { structures }));
  return labels;
}

/** Copies `box` of `volume` into a dense array of the same type. */
export async function cropBox<T extends AnyTypedArray>(volume: T, dims: Dims, box: Box, out?: T): Promise<T> {
  const { zyx, count } = checkDims('dims', dims);
  if (!ArrayBuffer.isView(volume) || (volume as AnyTypedArray).length !== count) {
    throw invalidParameter('volume', `a typed array of ${count} elements`, volume);
  }
  checkBox(box, zyx);
  const n = boxVoxels(box);
  const ctor = volume.constructor as new (n: number) => T;
  const result = out ?? new ctor(n);
  if (result.constructor !== volume.constructor || result.length !== n) {
    throw invalidParameter('out', `a ${ctor.name} of ${n} elements`, out);
  }
  await callNative(binding().cropBox(volume, result, { dims: zyx, box }));
  return result;
}
