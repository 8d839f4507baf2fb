/**
 * In-memory batching: a Philox-keyed shuffle per epoch (DataLoader(shuffle=True) without a global
 * RNG: the order is a pure function of (seed, epoch)) and row gathers into arena tensors.
 */
import { Tensor } from './tensor.js';

// The epoch order lives in core (dataset readers shuffle with the same function).
export { permutation, SHUFFLE_STREAM } from '../core/permutation.js';

/** Batches of indices [start, start + size) of `order` (the last one may be short, as DataLoader's). */
export function batchRanges(n: number, batchSize: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += batchSize) out.push([s, Math.min(n, s + batchSize)]);
  return out;
}

/** Rows `indices` of a row-major [n, ...rowShape] array, as a tensor [indices.length, ...rowShape]. */
export function gatherRows(source: Float32Array, rowShape: readonly number[], indices: ArrayLike<number>): Tensor {
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const out = Tensor.empty([indices.length, ...rowShape]);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    out.data.set(source.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return out;
}

/** Integer labels `indices` of `labels` (class targets for crossEntropy). */
export function gatherLabels(labels: ArrayLike<number>, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = labels[indices[i]];
  return out;
}
