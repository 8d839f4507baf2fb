/**
 * The Fréchet distance between two feature distributions (the FID formula on radiomics features
 * instead of Inception activations), with bootstrap confidence intervals and a real-vs-real
 * baseline:
 *
 *   FD = |μ_a − μ_b|² + tr(Σ_a + Σ_b − 2 (Σ_a^½ Σ_b Σ_a^½)^½)
 *
 * (Σ_a^½ Σ_b Σ_a^½ is symmetric positive semi-definite and has the same eigenvalues as Σ_a Σ_b, so
 * its square root's trace is FID's tr((Σ_a Σ_b)^½)). Matrix square roots come from a symmetric
 * eigendecomposition (cyclic Jacobi) — the feature dimension is small. Features are first
 * standardised by the reference set's mean and SD, so each counts in units of its real spread
 * (a volume in mm³ would otherwise swamp an entropy in bits); columns with zero SD are dropped.
 *
 * Bootstrap: both sets resampled with replacement (Philox keyed by (seed, replicate)), FD
 * recomputed, the 2.5% and 97.5% percentiles reported. Real-vs-real: the reference set split in
 * two random halves, FD between them — what "as close as two real samples" looks like at this
 * sample size (FD is biased upwards at small n; so is its bootstrap distribution, whose percentile
 * interval can sit above the point estimate when two populations agree).
 */
import { Rng } from '../../core/philox.js';
import { invalidParameter } from '../../errors.js';

/** Eigenvalues and eigenvectors (columns of V, row-major d×d) of a symmetric d×d matrix. */
export function symmetricEigen(matrix: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i]), vectors: v };
}

/** Mean and covariance (n − 1 denominator) of the rows `rows` of x [n, d]. */
function moments(x: Float64Array, d: number, rows: ArrayLike<number>): { mean: Float64Array; cov: Float64Array } {
  const n = rows.length;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += x[rows[r] * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    const o = rows[r] * d;
    for (let i = 0; i < d; i++) {
      const di = x[o + i] - mean[i];
      for (let j = i; j < d; j++) cov[i * d + j] += (di * (x[o + j] - mean[j])) / (n - 1);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i];
  return { mean, cov };
}

function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) {
    const aik = a[i * d + k];
    if (aik === 0) continue;
    for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
  }
  return out;
}

/** The PSD square root V √max(Λ, 0) Vᵀ. */
function sqrtPsd(m: Float64Array, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    if (s === 0) continue;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] += vectors[i * d + k] * s * vectors[j * d + k];
  }
  return out;
}

/** FD between Gaussians (mean, covariance). */
export function frechetFromMoments(ma: Float64Array, ca: Float64Array, mb: Float64Array, cb: Float64Array, d: number): number {
  let meanTerm = 0, trace = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (ma[i] - mb[i]) ** 2;
    trace += ca[i * d + i] + cb[i * d + i];
  }
  const sa = sqrtPsd(ca, d);
  const inner = matMul(matMul(sa, cb, d), sa, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) inner[i * d + j] = inner[j * d + i] = 0.5 * (inner[i * d + j] + inner[j * d + i]);
  const { values } = symmetricEigen(inner, d);
  let cross = 0;
  for (const v of values) cross += Math.sqrt(Math.max(v, 0));
  return Math.max(meanTerm + trace - 2 * cross, 0);
}

/** Standardises columns of a and b by a's mean and SD; drops constant columns. */
export function standardise(a: Float64Array, b: Float64Array, d: number): { a: Float64Array; b: Float64Array; d: number } {
  const na = a.length / d, nb = b.length / d;
  const keep: number[] = [], mu: number[] = [], sd: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < na; i++) s += a[i * d + j];
    const m = s / na;
    for (let i = 0; i < na; i++) s2 += (a[i * d + j] - m) ** 2;
    const v = Math.sqrt(s2 / Math.max(na - 1, 1));
    if (v > 0 && Number.isFinite(v)) {
      keep.push(j);
      mu.push(m);
      sd.push(v);
    }
  }
  const pick = (x: Float64Array, n: number) => {
    const out = new Float64Array(n * keep.length);
    for (let i = 0; i < n; i++) keep.forEach((j, k) => (out[i * keep.length + k] = (x[i * d + j] - mu[k]) / sd[k]));
    return out;
  };
  return { a: pick(a, na), b: pick(b, nb), d: keep.length };
}

function checkSet(name: string, x: Float64Array, d: number): number {
  if (!(x instanceof Float64Array) || x.length % d !== 0) throw invalidParameter(name, `a Float64Array of rows of ${d} features`, x);
  const n = x.length / d;
  if (n < 2) throw invalidParameter(name, 'at least 2 rows', n);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw invalidParameter(`${name}[${i}]`, 'a finite feature value', x[i]);
  return n;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** FD between feature sets a (reference) and b, both [n, d] row-major, after standardising by a. */
export function frechetDistance(a: Float64Array, b: Float64Array, d: number): number {
  checkSet('a', a, d);
  checkSet('b', b, d);
  const s = standardise(a, b, d);
  const ma = moments(s.a, s.d, range(s.a.length / s.d));
  const mb = moments(s.b, s.d, range(s.b.length / s.d));
  return frechetFromMoments(ma.mean, ma.cov, mb.mean, mb.cov, s.d);
}

export interface FrechetReport {
  distance: number;
  lower95: number;
  upper95: number;
  replicates: number;
}

function percentile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** FD with a percentile bootstrap CI (both sets resampled; standardisation fixed by the full a). */
export function frechetBootstrap(a: Float64Array, b: Float64Array, d: number, options: { replicates?: number; seed?: number } = {}): FrechetReport {
  const na = checkSet('a', a, d), nb = checkSet('b', b, d);
  const replicates = options.replicates ?? 200;
  const s = standardise(a, b, d);
  const full = moments(s.a, s.d, range(na));
  const fullB = moments(s.b, s.d, range(nb));
  const distance = frechetFromMoments(full.mean, full.cov, fullB.mean, fullB.cov, s.d);
  const values: number[] = [];
  for (let r = 0; r < replicates; r++) {
    const rng = new Rng(options.seed ?? 0, r, 0);
    const ra = Array.from({ length: na }, () => rng.int(na));
    const rb = Array.from({ length: nb }, () => rng.int(nb));
    const x = moments(s.a, s.d, ra), y = moments(s.b, s.d, rb);
    values.push(frechetFromMoments(x.mean, x.cov, y.mean, y.cov, s.d));
  }
  values.sort((p, q) => p - q);
  return { distance, lower95: percentile(values, 0.025), upper95: percentile(values, 0.975), replicates };
}

/** The real-vs-real baseline: a split in two random halves, FD between them, with its bootstrap CI. */
export function realVsRealBaseline(a: Float64Array, d: number, options: { replicates?: number; seed?: number } = {}): FrechetReport {
  const n = checkSet('a', a, d);
  const rng = new Rng(options.seed ?? 0, 0, 1);
  const order = range(n);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const half = Math.floor(n / 2);
  const take = (rows: number[]) => {
    const out = new Float64Array(rows.length * d);
    rows.forEach((r, i) => out.set(a.subarray(r * d, (r + 1) * d), i * d));
    return out;
  };
  return frechetBootstrap(take(order.slice(0, half)), take(order.slice(half, 2 * half)), d, options);
}
