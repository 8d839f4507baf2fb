/**
 * Plain float64 reference for gaussianBlur, written from scipy.ndimage.gaussian_filter's
 * definition: one 1D correlation per axis (z, then y, then x) with taps
 * exp(-0.5 x² / σ²) / sum for x in [-r, r], r = int(truncate * σ + 0.5), and mode 'reflect'
 * (the axis extended as its mirror image, half-sample symmetric, as often as needed).
 */

/** Index in [0, n) of sample i of an axis of length n extended by half-sample reflection. */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

export function referenceKernel(sigma: number, truncate = 4): Float64Array {
  const r = Math.floor(truncate * sigma + 0.5);
  const w = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    w[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
    sum += w[i + r];
  }
  return w.map((v) => v / sum);
}

/**
 * Blurs a [Z, Y, X] (or [Y, X]) volume; sigma in voxels, one per axis in dims order.
 * Returns float64 values.
 */
export function referenceGaussianBlur(
  input: ArrayLike<number>,
  dims: readonly number[],
  sigma: readonly number[],
  truncate = 4,
): Float64Array {
  const shape = dims.length === 3 ? [...dims] : [1, ...dims];
  const sig = dims.length === 3 ? [...sigma] : [0, ...sigma];
  let cur = Float64Array.from(input);
  const strides = [shape[1] * shape[2], shape[2], 1];
  for (let axis = 0; axis < 3; axis++) {
    if (!(sig[axis] > 0)) continue;
    const w = referenceKernel(sig[axis], truncate);
    const r = (w.length - 1) / 2;
    const n = shape[axis];
    const stride = strides[axis];
    const next = new Float64Array(cur.length);
    for (let idx = 0; idx < cur.length; idx++) {
      const pos = Math.floor(idx / stride) % n;
      const base = idx - pos * stride;
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += w[k + r] * cur[base + reflectIndex(pos + k, n) * stride];
      next[idx] = acc;
    }
    cur = next;
  }
  return cur;
}
