/**
 * Shape ops: `reshape` / `flatten` (sharing data), `concat`, and `narrow` / `slice` (concat's
 * backward). They only move memory (TypedArray copies, which run as memcpy), so they need no
 * kernel; each backward is the adjoint shape op, so all are differentiable to any order.
 */
import { MedsynthError } from '../../errors.js';
import { record } from '../autograd.js';
import { formatShape, sameShape, shapeSize, Tensor } from '../tensor.js';

/** x with a new shape of the same size (one axis may be -1); shares x's data. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = [...shape];
  const free = target.indexOf(-1);
  if (free >= 0) {
    const known = target.reduce((n, d, i) => (i === free ? n : n * d), 1);
    target[free] = known > 0 && x.size % known === 0 ? x.size / known : -2;
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(target) !== x.size) {
    throw new MedsynthError('INVALID_ARGUMENT', `reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}`);
  }
  if (sameShape(target, x.shape)) return x;
  return record(new Tensor(x.data, target), 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

/** Merges axes startDim..endDim into one (torch.flatten; default from axis 1, as nn.Flatten). */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  const n = x.ndim;
  const s = startDim < 0 ? startDim + n : startDim;
  const e = endDim < 0 ? endDim + n : endDim;
  if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e < n && s <= e)) {
    throw new MedsynthError('INVALID_ARGUMENT', `flatten: axes ${startDim}..${endDim} are out of range for ${formatShape(x.shape)}`);
  }
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

function axis(op: string, shape: readonly number[], dim: number): number {
  const d = dim < 0 ? dim + shape.length : dim;
  if (!Number.isInteger(d) || d < 0 || d >= shape.length) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: axis ${dim} is out of range for ${formatShape(shape)}`);
  }
  return d;
}

/** (outer, size along dim, inner) of a shape. */
function split(shape: readonly number[], d: number): [number, number, number] {
  return [shape.slice(0, d).reduce((a, b) => a * b, 1), shape[d], shape.slice(d + 1).reduce((a, b) => a * b, 1)];
}

/** Joins tensors along `dim`; every other axis must match (torch.cat). */
export function concat(xs: readonly Tensor[], dim: number): Tensor {
  if (xs.length === 0) throw new MedsynthError('INVALID_ARGUMENT', 'concat: needs at least one tensor');
  const first = xs[0];
  const d = axis('concat', first.shape, dim);
  for (const x of xs) {
    if (x.ndim !== first.ndim || x.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new MedsynthError('INVALID_ARGUMENT', `concat: ${formatShape(x.shape)} does not match ${formatShape(first.shape)} outside axis ${d}`);
    }
  }
  const total = xs.reduce((n, x) => n + x.shape[d], 0);
  const shape = first.shape.map((s, i) => (i === d ? total : s));
  const y = Tensor.empty(shape);
  const [outer, , inner] = split(shape, d);
  const rowOut = total * inner;
  let offset = 0;
  for (const x of xs) {
    const row = x.shape[d] * inner;
    for (let o = 0; o < outer; o++) y.data.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
    offset += row;
  }
  return record(y, 'concat', xs, (g) => {
    let start = 0;
    return xs.map((x) => {
      const part = x.requiresGrad ? narrow(g, d, start, x.shape[d]) : null;
      start += x.shape[d];
      return part;
    });
  });
}

/** The `length` entries of x from `start` along `dim` (torch.narrow), copied. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = axis('narrow', x.shape, dim);
  if (!(Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length >= 0 && start + length <= x.shape[d])) {
    throw new MedsynthError('INVALID_ARGUMENT', `narrow: [${start}, ${start + length}) is out of range on axis ${d} of ${formatShape(x.shape)}`);
  }
  const shape = x.shape.map((s, i) => (i === d ? length : s));
  const y = Tensor.empty(shape);
  const [outer, size, inner] = split(x.shape, d);
  for (let o = 0; o < outer; o++) {
    y.data.set(x.data.subarray((o * size + start) * inner, (o * size + start + length) * inner), o * length * inner);
  }
  return record(y, 'narrow', [x], (g) => [embed(g, x.shape, d, start)]);
}

/** x[start:end] along `dim` (end exclusive): narrow by bounds. */
export function slice(x: Tensor, dim: number, start: number, end: number): Tensor {
  return narrow(x, dim, start, end - start);
}

/** g placed at [start, start + g.shape[d]) along axis d of zeros of `shape`: narrow's adjoint. */
function embed(g: Tensor, shape: readonly number[], d: number, start: number): Tensor {
  const y = Tensor.zeros(shape);
  const [outer, size, inner] = split(shape, d);
  const length = g.shape[d];
  for (let o = 0; o < outer; o++) {
    y.data.set(g.data.subarray(o * length * inner, (o + 1) * length * inner), (o * size + start) * inner);
  }
  return record(y, 'narrowBackward', [g], (gg) => [narrow(gg, d, start, length)]);
}
