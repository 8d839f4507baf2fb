/**
 * Plain float64 references for the element-wise ops, sums, shape ops and losses, written from
 * the definitions with no attention to speed. Arrays are C order.
 */

/** The unary functions and their derivatives, by op name (a, b: the op's parameters). */
export const referenceUnary: Record<string, { f: (x: number, a: number, b: number) => number; df: (x: number, a: number, b: number) => number }> = {
  neg: { f: (x) => -x, df: () => -1 },
  square: { f: (x) => x * x, df: (x) => 2 * x },
  sqrt: { f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x) },
  exp: { f: Math.exp, df: Math.exp },
  log: { f: Math.log, df: (x) => 1 / x },
  pow: { f: (x, p) => x ** p, df: (x, p) => p * x ** (p - 1) },
  addScalar: { f: (x, s) => x + s, df: () => 1 },
  mulScalar: { f: (x, s) => x * s, df: (_, s) => s },
  relu: { f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0) },
  leakyRelu: { f: (x, s) => (x > 0 ? x : s * x), df: (x, s) => (x > 0 ? 1 : s) },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2 },
  tanh: { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  softplus: {
    f: (x, beta, threshold) => (beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta),
    df: (x, beta, threshold) => (beta * x > threshold ? 1 : 1 / (1 + Math.exp(-beta * x))),
  },
};

/** C-order strides. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = step;
    step *= shape[i];
  }
  return s;
}

/** The flat index into `shape` (right-aligned, size-1 axes broadcast) of output index `idx`. */
function sourceIndex(idx: readonly number[], shape: readonly number[]): number {
  const k = idx.length - shape.length;
  const st = strides(shape);
  let at = 0;
  for (let i = 0; i < shape.length; i++) at += (shape[i] === 1 ? 0 : idx[k + i]) * st[i];
  return at;
}

function indices(shape: readonly number[]): number[][] {
  const n = shape.reduce((a, b) => a * b, 1);
  const st = strides(shape);
  return Array.from({ length: n }, (_, flat) => shape.map((d, i) => Math.floor(flat / st[i]) % d));
}

/** f(a, b) broadcast to `out`, and the gradients Σ g·∂f/∂a and Σ g·∂f/∂b reduced to each shape. */
export function referenceBinary(
  op: 'add' | 'sub' | 'mul' | 'div',
  a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[], out: number[], g: ArrayLike<number>,
): { y: Float64Array; ga: Float64Array; gb: Float64Array } {
  const f = { add: (u: number, v: number) => u + v, sub: (u: number, v: number) => u - v, mul: (u: number, v: number) => u * v, div: (u: number, v: number) => u / v }[op];
  const da = { add: () => 1, sub: () => 1, mul: (_: number, v: number) => v, div: (_: number, v: number) => 1 / v }[op];
  const db = { add: () => 1, sub: () => -1, mul: (u: number) => u, div: (u: number, v: number) => -u / (v * v) }[op];
  const idx = indices(out);
  const y = new Float64Array(idx.length), ga = new Float64Array(a.length), gb = new Float64Array(b.length);
  idx.forEach((ix, i) => {
    const ia = sourceIndex(ix, aShape), ib = sourceIndex(ix, bShape);
    y[i] = f(a[ia], b[ib]);
    ga[ia] += g[i] * da(a[ia], b[ib]);
    gb[ib] += g[i] * db(a[ia], b[ib]);
  });
  return { y, ga, gb };
}

/** Σ of x over `dims` (kept as size 1), as a flat array in the kept axes' order. */
export function referenceSum(x: ArrayLike<number>, shape: number[], dims: number[]): Float64Array {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const y = new Float64Array(kept.reduce((a, b) => a * b, 1));
  indices(shape).forEach((ix, i) => (y[sourceIndex(ix, kept)] += x[i]));
  return y;
}

/** torch.cat along dim. */
export function referenceConcat(xs: readonly { data: ArrayLike<number>; shape: readonly number[] }[], dim: number): Float64Array {
  const out = xs[0].shape.map((d, i) => (i === dim ? xs.reduce((n, x) => n + x.shape[dim], 0) : d));
  const y = new Float64Array(out.reduce((a, b) => a * b, 1));
  const st = strides(out);
  let offset = 0;
  for (const x of xs) {
    indices(x.shape).forEach((ix, i) => {
      const at = ix.reduce((s, v, k) => s + (k === dim ? v + offset : v) * st[k], 0);
      y[at] = x.data[i];
    });
    offset += x.shape[dim];
  }
  return y;
}

/** Mean cross-entropy of logits [n, c] and its gradient. */
export function referenceCrossEntropy(logits: ArrayLike<number>, target: ArrayLike<number>, n: number, c: number): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits[i * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits[i * c + j] - m);
    const lse = m + Math.log(s);
    loss += lse - logits[i * c + target[i]];
    for (let j = 0; j < c; j++) grad[i * c + j] = (Math.exp(logits[i * c + j] - lse) - (j === target[i] ? 1 : 0)) / n;
  }
  return { loss: loss / n, grad };
}

/** Mean BCE on logits and its gradient with respect to the logits. */
export function referenceBceWithLogits(x: ArrayLike<number>, t: ArrayLike<number>): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const p = 1 / (1 + Math.exp(-x[i]));
    loss += -(t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p));
    grad[i] = (p - t[i]) / x.length;
  }
  return { loss: loss / x.length, grad };
}
