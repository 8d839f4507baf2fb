/** Float64 references for lib/nn/ops/linear.ts and the GEMM behind it. */

/** C = alpha·op(A)·op(B) + beta·C0, row-major, op = transpose when asked. */
export function referenceGemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: ArrayLike<number>, b: ArrayLike<number>, beta: number, c0: ArrayLike<number>,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c0[i * n + j]);
    }
  return c;
}

/** y = x·wᵀ + b for x [N, in], w [out, in]. */
export function referenceLinear(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, n: number, inF: number, outF: number): Float64Array {
  const y = referenceGemm(false, true, n, outF, inF, 1, x, w, 0, []);
  if (b) for (let i = 0; i < y.length; i++) y[i] += b[i % outF];
  return y;
}
