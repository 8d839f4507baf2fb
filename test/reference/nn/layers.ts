/**
 * Plain float64 references for batch norm, pooling and nearest up-sampling, written from the
 * definitions with no attention to speed. Shapes are [N, C, spatial...] (1–3 spatial axes).
 */

export interface ReferencePool {
  kernel: number[];
  stride: number[];
  padding: number[];
}

/** Training-mode batch norm: y and the gradients for upstream gradient g (per-channel stats). */
export function referenceBatchNormTrain(
  x: ArrayLike<number>, shape: number[], w: ArrayLike<number>, b: ArrayLike<number>, g: ArrayLike<number>, eps = 1e-5,
): { y: Float64Array; gx: Float64Array; gw: Float64Array; gb: Float64Array; mean: Float64Array; variance: Float64Array } {
  const [n, c] = shape;
  const s = x.length / (n * c);
  const m = n * s;
  const y = new Float64Array(x.length), gx = new Float64Array(x.length);
  const gw = new Float64Array(c), gb = new Float64Array(c), mean = new Float64Array(c), variance = new Float64Array(c);
  const at = (i: number, ch: number, k: number) => (i * c + ch) * s + k;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) sum += x[at(i, ch, k)];
    mean[ch] = sum / m;
    let sq = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) sq += (x[at(i, ch, k)] - mean[ch]) ** 2;
    variance[ch] = sq / m;
    const r = 1 / Math.sqrt(variance[ch] + eps);
    let sg = 0, sgx = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < s; k++) {
        const xhat = (x[at(i, ch, k)] - mean[ch]) * r;
        y[at(i, ch, k)] = xhat * w[ch] + b[ch];
        sg += g[at(i, ch, k)];
        sgx += g[at(i, ch, k)] * xhat;
      }
    }
    gw[ch] = sgx;
    gb[ch] = sg;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < s; k++) {
        const xhat = (x[at(i, ch, k)] - mean[ch]) * r;
        gx[at(i, ch, k)] = (w[ch] * r * (m * g[at(i, ch, k)] - sg - xhat * sgx)) / m;
      }
    }
  }
  return { y, gx, gw, gb, mean, variance };
}

/** Windows of a pooling, each as the list of in-range flat input indices within a plane. */
function windows(spatial: number[], p: ReferencePool): { out: number[]; cells: number[][] } {
  const dims = spatial.length;
  const out = spatial.map((n, a) => Math.floor((n + 2 * p.padding[a] - p.kernel[a]) / p.stride[a]) + 1);
  const cells: number[][] = [];
  const outIndex = new Array(dims).fill(0);
  const total = out.reduce((a, b) => a * b, 1);
  for (let o = 0; o < total; o++) {
    let rest = o;
    for (let a = dims - 1; a >= 0; a--) {
      outIndex[a] = rest % out[a];
      rest = Math.floor(rest / out[a]);
    }
    const cell: number[] = [];
    const k = new Array(dims).fill(0);
    const kTotal = p.kernel.reduce((a, b) => a * b, 1);
    for (let t = 0; t < kTotal; t++) {
      let r = t;
      for (let a = dims - 1; a >= 0; a--) {
        k[a] = r % p.kernel[a];
        r = Math.floor(r / p.kernel[a]);
      }
      let flat = 0;
      let inside = true;
      for (let a = 0; a < dims; a++) {
        const i = outIndex[a] * p.stride[a] - p.padding[a] + k[a];
        if (i < 0 || i >= spatial[a]) inside = false;
        flat = flat * spatial[a] + i;
      }
      if (inside) cell.push(flat);
    }
    cells.push(cell);
  }
  return { out, cells };
}

export function referenceMaxPool(x: ArrayLike<number>, shape: number[], p: ReferencePool): { y: Float64Array; argmax: Int32Array } {
  const { cells } = windows(shape.slice(2), p);
  const planes = shape[0] * shape[1], plane = x.length / planes;
  const y = new Float64Array(planes * cells.length), argmax = new Int32Array(y.length);
  for (let q = 0; q < planes; q++) {
    cells.forEach((cell, o) => {
      let best = -Infinity, at = -1;
      for (const i of cell) if (x[q * plane + i] > best) (best = x[q * plane + i]), (at = i);
      y[q * cells.length + o] = best;
      argmax[q * cells.length + o] = at;
    });
  }
  return { y, argmax };
}

export function referenceAvgPool(x: ArrayLike<number>, shape: number[], p: ReferencePool): Float64Array {
  const { cells } = windows(shape.slice(2), p);
  const planes = shape[0] * shape[1], plane = x.length / planes;
  const volume = p.kernel.reduce((a, b) => a * b, 1);
  const y = new Float64Array(planes * cells.length);
  for (let q = 0; q < planes; q++) {
    cells.forEach((cell, o) => {
      let sum = 0;
      for (const i of cell) sum += x[q * plane + i];
      y[q * cells.length + o] = sum / volume;
    });
  }
  return y;
}

export function referenceUpsampleNearest(x: ArrayLike<number>, shape: number[], scale: number[]): Float64Array {
  const spatial = shape.slice(2), dims = spatial.length;
  const out = spatial.map((n, a) => n * scale[a]);
  const planes = shape[0] * shape[1], plane = x.length / planes, outPlane = out.reduce((a, b) => a * b, 1);
  const y = new Float64Array(planes * outPlane);
  const idx = new Array(dims).fill(0);
  for (let o = 0; o < outPlane; o++) {
    let rest = o;
    for (let a = dims - 1; a >= 0; a--) (idx[a] = rest % out[a]), (rest = Math.floor(rest / out[a]));
    let src = 0;
    for (let a = 0; a < dims; a++) src = src * spatial[a] + Math.floor(idx[a] / scale[a]);
    for (let q = 0; q < planes; q++) y[q * outPlane + o] = x[q * plane + src];
  }
  return y;
}
