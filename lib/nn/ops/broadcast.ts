/**
 * numpy / PyTorch broadcasting: the shape two operands broadcast to, and the collapsed stride
 * geometry the native kernels walk (native/nn/pointwise.h BroadcastGeometry).
 */
import { MedsynthError } from '../../errors.js';
import { formatShape } from '../tensor.js';

const MAX_DIMS = 8;

/** The broadcast shape of a and b (axes aligned on the right; sizes equal or 1). */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new MedsynthError('INVALID_ARGUMENT', `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Whether `from` broadcasts to `to` without changing `to` (expand's rule). */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const k = to.length - from.length;
  return from.every((d, i) => d === to[k + i] || d === 1);
}

/** C-order strides of `shape` aligned to `out` (leading axes added), 0 on broadcast axes. */
function alignedStrides(shape: readonly number[], out: readonly number[]): number[] {
  const k = out.length - shape.length;
  const strides = new Array<number>(out.length).fill(0);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[k + i] = shape[i] === 1 && out[k + i] !== 1 ? 0 : step;
    step *= shape[i];
  }
  return strides;
}

/**
 * Int32Array [ndim, shape, strideA, strideB] for reading a (and b) broadcast to `out`: axes of
 * size 1 dropped and neighbours that both inputs walk contiguously merged, so a bias add over
 * [N, C, H, W] becomes three axes and an equal-shape op one.
 */
export function broadcastGeometry(out: readonly number[], a: readonly number[], b: readonly number[] = []): Int32Array {
  const sa = alignedStrides(a, out);
  const sb = alignedStrides(b, out);
  const shape: number[] = [];
  const stA: number[] = [];
  const stB: number[] = [];
  out.forEach((d, i) => {
    if (d === 1) return;
    const last = shape.length - 1;
    if (last >= 0 && stA[last] === sa[i] * d && stB[last] === sb[i] * d) {
      shape[last] *= d;
      stA[last] = sa[i];
      stB[last] = sb[i];
      return;
    }
    shape.push(d);
    stA.push(sa[i]);
    stB.push(sb[i]);
  });
  if (shape.length > MAX_DIMS) {
    throw new MedsynthError('INVALID_ARGUMENT', `broadcast of ${formatShape(a)} and ${formatShape(b)} to ${formatShape(out)} needs more than ${MAX_DIMS} axes`);
  }
  return Int32Array.from([shape.length, ...shape, ...stA, ...stB]);
}
