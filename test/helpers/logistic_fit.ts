/**
 * Logistic regression by Newton–Raphson (IRLS) for statistical tests of generators: coefficients
 * (intercept first) and standard errors from the inverse Fisher information.
 */
export interface LogisticFit {
  beta: number[];
  se: number[];
}

/** Inverse of a small symmetric positive definite matrix by Gauss–Jordan elimination. */
function invert(a: number[][]): number[][] {
  const p = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    const d = m[c][c];
    for (let j = 0; j < 2 * p; j++) m[c][j] /= d;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * p; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(p));
}

/** Fits P(y = 1 | x) = σ(β₀ + βᵀx); rows of x are covariate vectors. */
export function fitLogistic(x: readonly number[][], y: readonly boolean[], iterations = 50): LogisticFit {
  const p = x[0].length + 1;
  let beta = new Array<number>(p).fill(0);
  let cov: number[][] = [];
  for (let it = 0; it < iterations; it++) {
    const info = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const score = new Array<number>(p).fill(0);
    for (let i = 0; i < x.length; i++) {
      const row = [1, ...x[i]];
      const eta = row.reduce((s, v, j) => s + v * beta[j], 0);
      const mu = 1 / (1 + Math.exp(-eta));
      const w = mu * (1 - mu);
      for (let j = 0; j < p; j++) {
        score[j] += row[j] * ((y[i] ? 1 : 0) - mu);
        for (let k = 0; k < p; k++) info[j][k] += w * row[j] * row[k];
      }
    }
    cov = invert(info);
    const step = cov.map((r) => r.reduce((s, v, k) => s + v * score[k], 0));
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return { beta, se: cov.map((r, j) => Math.sqrt(r[j])) };
}
