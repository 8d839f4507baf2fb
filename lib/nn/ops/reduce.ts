/**
 * Sums over axes and their adjoint, broadcasting: `sum`, `mean`, `expand`, and `sumTo` (the
 * backward of every broadcast). sum's gradient is an expand and expand's is a sum, so both are
 * differentiable to any order. Sums run natively in float64 in an order fixed by the shape.
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { allocFloat32 } from '../arena.js';
import { record } from '../autograd.js';
import { formatShape, sameShape, shapeSize, Tensor } from '../tensor.js';
import { broadcastGeometry, broadcastsTo } from './broadcast.js';
import { mulScalar } from './pointwise.js';
import { reshape } from './shape.js';

/** Axes as non-negative, sorted, unique indices; all axes when undefined. */
export function normalizeDims(op: string, shape: readonly number[], dims?: number | readonly number[]): number[] {
  if (dims === undefined) return shape.map((_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const out = new Set<number>();
  for (const d of list) {
    if (!Number.isInteger(d) || d < -shape.length || d >= Math.max(shape.length, 1)) {
      throw new MedsynthError('INVALID_ARGUMENT', `${op}: axis ${d} is out of range for shape ${formatShape(shape)}`);
    }
    out.add(d < 0 ? d + shape.length : d);
  }
  return [...out].sort((a, b) => a - b);
}

/** Sums x over the sorted axes `dims` natively; returns data in the kept axes' order. */
function sumData(x: Tensor, dims: readonly number[]): Float32Array {
  // Collapse to alternating kept / reduced runs (axes of size 1 dropped), then reduce the runs
  // from the last one back: each pass is (outer, r, inner) → (outer, inner).
  const runs: { size: number; reduced: boolean }[] = [];
  x.shape.forEach((size, i) => {
    if (size === 1) return;
    const reduced = dims.includes(i);
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced) last.size *= size;
    else runs.push({ size, reduced });
  });
  const outSize = runs.reduce((n, r) => (r.reduced ? n : n * r.size), 1);
  let data = x.data;
  for (let j = runs.length - 1; j >= 0; j--) {
    if (!runs[j].reduced) continue;
    const outer = runs.slice(0, j).reduce((n, r) => n * r.size, 1);
    const inner = runs.slice(j + 1).reduce((n, r) => n * r.size, 1);
    const next = allocFloat32(outer * inner);
    const src = data;
    callNativeSync(() => binding().nnSumMiddle(src, next, outer, runs[j].size, inner));
    data = next;
    runs.splice(j, 1);
  }
  if (data === x.data) {
    const copy = allocFloat32(outSize);
    copy.set(data);
    return copy;
  }
  return data;
}

function reducedShape(shape: readonly number[], dims: readonly number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (dims.includes(i) ? 1 : d)) : shape.filter((_, i) => !dims.includes(i));
}

/** Σ over `dims` (all axes by default), as torch.sum(x, dims, keepdim). */
export function sum(x: Tensor, dims?: number | readonly number[], keepDim = false): Tensor {
  const axes = normalizeDims('sum', x.shape, dims);
  const shape = reducedShape(x.shape, axes, keepDim);
  const y = new Tensor(sumData(x, axes), shape);
  const kept = reducedShape(x.shape, axes, true);
  return record(y, 'sum', [x], (g) => [expand(reshape(g, kept), x.shape)]);
}

/** The mean over `dims` (all axes by default), as torch.mean(x, dims, keepdim). */
export function mean(x: Tensor, dims?: number | readonly number[], keepDim = false): Tensor {
  const axes = normalizeDims('mean', x.shape, dims);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  if (count === 0) throw new MedsynthError('INVALID_ARGUMENT', `mean: no elements to average in ${formatShape(x.shape)}`);
  return mulScalar(sum(x, axes, keepDim), 1 / count);
}

/** x broadcast to `shape` (torch's expand, but materialised). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  if (!broadcastsTo(x.shape, shape)) {
    throw new MedsynthError('INVALID_ARGUMENT', `expand: ${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}`);
  }
  const y = Tensor.empty(shape);
  const geometry = broadcastGeometry(shape, x.shape);
  callNativeSync(() => binding().nnExpand(x.data, y.data, geometry));
  return record(y, 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

/** g summed down to `shape`, which broadcasts to g's shape: the adjoint of expand. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  if (!broadcastsTo(shape, g.shape)) {
    throw new MedsynthError('INVALID_ARGUMENT', `sumTo: ${formatShape(g.shape)} cannot be summed to ${formatShape(shape)}`);
  }
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) dims.push(i);
  });
  const s = sum(g, dims, true);
  return shapeSize(shape) === s.size && sameShape(s.shape, shape) ? s : reshape(s, shape);
}
