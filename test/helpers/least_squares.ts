/** Small dense least squares for statistical tests: normal equations solved by Gaussian elimination. */

/** Solves A x = b for a small symmetric positive definite A (row-major k×k), partial pivoting. */
export function solve(A: Float64Array, b: Float64Array, k: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r * k + c]) > Math.abs(M[piv * k + c])) piv = r;
    if (piv !== c) {
      for (let j = 0; j < k; j++) [M[c * k + j], M[piv * k + j]] = [M[piv * k + j], M[c * k + j]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < k; r++) {
      const f = M[r * k + c] / M[c * k + c];
      for (let j = c; j < k; j++) M[r * k + j] -= f * M[c * k + j];
      x[r] -= f * x[c];
    }
  }
  for (let c = k - 1; c >= 0; c--) {
    let s = x[c];
    for (let j = c + 1; j < k; j++) s -= M[c * k + j] * x[j];
    x[c] = s / M[c * k + c];
  }
  return x;
}

/** Inverse of a small matrix (row-major k×k), column by column. */
export function inverse(A: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    const e = new Float64Array(k);
    e[c] = 1;
    const col = solve(A, e, k);
    for (let r = 0; r < k; r++) inv[r * k + c] = col[r];
  }
  return inv;
}

/** OLS of y on [1, X] (X: n rows of d): coefficients, residuals and R². */
export function ols(X: Float64Array, y: Float64Array, n: number, d: number): { beta: Float64Array; residuals: Float64Array; r2: number } {
  const k = d + 1;
  const XtX = new Float64Array(k * k);
  const Xty = new Float64Array(k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let j = 0; j < d; j++) row[j + 1] = X[i * d + j];
    for (let a = 0; a < k; a++) {
      Xty[a] += row[a] * y[i];
      for (let b = 0; b < k; b++) XtX[a * k + b] += row[a] * row[b];
    }
  }
  const beta = solve(XtX, Xty, k);
  const residuals = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / n;
  let ssr = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    let fit = beta[0];
    for (let j = 0; j < d; j++) fit += beta[j + 1] * X[i * d + j];
    residuals[i] = y[i] - fit;
    ssr += residuals[i] ** 2;
    sst += (y[i] - mean) ** 2;
  }
  return { beta, residuals, r2: 1 - ssr / sst };
}
