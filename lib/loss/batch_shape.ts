/**
 * The shape of a batch of per-sample arrays: `{ batch, size }`, or the dims `[N, ...]` of the
 * array (N samples of prod(...) elements each, C order, e.g. `[8, 1, 256, 256]`).
 */
import { invalidParameter } from '../errors.js';
import { MAX_VOXELS, checkInteger } from '../validate.js';

export type BatchShape = { batch: number; size: number } | readonly number[];

/** Checks a BatchShape and returns its batch and per-sample size (both >= 1). */
export function checkBatchShape(name: string, shape: unknown): { batch: number; size: number } {
  let batch: number;
  let size: number;
  if (Array.isArray(shape)) {
    if (shape.length < 1) throw invalidParameter(name, 'dims [N, ...] with at least one entry', shape);
    shape.forEach((d, i) => checkInteger(`${name}[${i}]`, d, 1, MAX_VOXELS));
    batch = shape[0];
    size = shape.slice(1).reduce((a: number, b: number) => a * b, 1);
  } else if (shape !== null && typeof shape === 'object') {
    const s = shape as { batch?: unknown; size?: unknown };
    batch = checkInteger(`${name}.batch`, s.batch, 1, MAX_VOXELS);
    size = checkInteger(`${name}.size`, s.size, 1, MAX_VOXELS);
  } else {
    throw invalidParameter(name, '{ batch, size } or dims [N, ...]', shape);
  }
  if (batch * size > MAX_VOXELS) throw invalidParameter(name, `at most ${MAX_VOXELS} elements`, batch * size);
  return { batch, size };
}
