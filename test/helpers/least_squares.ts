/** Ordinary least squares for statistical tests: the normal equations, solved by Cholesky (lib/survival/cox_fit.ts). */
import { choleskySolve } from '../../lib/survival/cox_fit.js';

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
  const beta = choleskySolve(XtX, Xty, k);
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
