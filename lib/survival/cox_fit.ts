/**
 * Cox proportional hazards regression by Newton–Raphson, in plain TypeScript: coefficients,
 * standard errors from the inverse observed information, and Wald 95% confidence intervals.
 * Meant for checking generated survival data (is the hazard ratio the generator promised
 * recovered?), not for n in the millions: each iteration costs O(n·p²) after one sort.
 */
import { MedsynthError, invalidParameter } from '../errors.js';
import { checkInteger, checkNumber, checkOneOf } from '../validate.js';
import type { CoxTies } from '../loss/cox.js';

export interface CoxFitData {
  /** Follow-up time per subject (finite). */
  time: ArrayLike<number>;
  /** 1 = event observed at `time`, 0 = censored at `time`. */
  event: ArrayLike<number>;
  /** Covariates: one column of n values per coefficient. */
  covariates: readonly ArrayLike<number>[];
}

export interface CoxFitOptions {
  /** Tie handling (default 'efron', as R's coxph and lifelines). */
  ties?: CoxTies;
  /** Newton iterations before giving up (default 50). */
  maxIterations?: number;
  /** Convergence when the relative change of the log partial likelihood is below this (default 1e-10). */
  tolerance?: number;
}

export interface CoxFitResult {
  /** Estimated log hazard ratios, one per covariate. */
  beta: Float64Array;
  /** exp(beta). */
  hazardRatio: Float64Array;
  /** sqrt of the diagonal of the inverse observed information at beta. */
  standardError: Float64Array;
  /** Wald 95% interval: beta ∓ 1.959964·standardError. */
  lower95: Float64Array;
  upper95: Float64Array;
  /** Inverse observed information, p×p row-major. */
  covariance: Float64Array;
  /** Log partial likelihood at beta, and at beta = 0. */
  logLikelihood: number;
  nullLogLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Number of subjects and of events. */
  n: number;
  events: number;
}

const Z95 = 1.959963984540054;

/**
 * Fits h(t | x) = h0(t)·exp(βᵀx) by maximising the Cox partial likelihood (Breslow or Efron
 * ties) with Newton–Raphson from β = 0, halving steps that lower the likelihood. Covariates
 * are centred internally (β does not change; the sums stay well scaled), and each iteration
 * evaluates the log likelihood, score and information in one pass over the subjects sorted
 * by descending time, with cumulative risk-set sums and weights e^{η − max η}.
 *
 * @throws MedsynthError INVALID_ARGUMENT for mismatched lengths, non-finite values, event
 *   values other than 0/1, no events, or a singular information matrix (a constant or
 *   collinear covariate)
 */
export function coxFit(data: CoxFitData, options: CoxFitOptions = {}): CoxFitResult {
  const { x, time, event, n, p, events } = checkData(data);
  const ties = checkOneOf('ties', options?.ties ?? 'efron', ['breslow', 'efron'] as const);
  const maxIterations = checkInteger('maxIterations', options?.maxIterations ?? 50, 1, 10_000);
  const tolerance = checkNumber('tolerance', options?.tolerance ?? 1e-10, { above: 0 });

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[b] - time[a] || a - b);
  const groups: number[] = []; // start of each tie group in `order`, then n
  for (let k = 0; k < n; k++) if (k === 0 || time[order[k]] !== time[order[k - 1]]) groups.push(k);
  groups.push(n);
  const evaluate = (beta: Float64Array) => partialLikelihood(x, event, order, groups, p, beta, ties === 'efron');

  let beta = new Float64Array(p);
  let current = evaluate(beta);
  const nullLogLikelihood = current.logLik;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const step = choleskySolve(current.information, current.score, p);
    let next = beta.map((b, j) => b + step[j]);
    let trial = evaluate(next);
    for (let halvings = 0; !(trial.logLik >= current.logLik) && halvings < 30; halvings++) {
      for (let j = 0; j < p; j++) step[j] /= 2;
      next = beta.map((b, j) => b + step[j]);
      trial = evaluate(next);
    }
    converged = Math.abs(trial.logLik - current.logLik) <= tolerance * Math.abs(trial.logLik);
    beta = next;
    current = trial;
  }

  const covariance = choleskyInverse(current.information, p);
  const standardError = Float64Array.from({ length: p }, (_, j) => Math.sqrt(covariance[j * p + j]));
  return {
    beta,
    hazardRatio: beta.map(Math.exp),
    standardError,
    lower95: beta.map((b, j) => b - Z95 * standardError[j]),
    upper95: beta.map((b, j) => b + Z95 * standardError[j]),
    covariance,
    logLikelihood: current.logLik,
    nullLogLikelihood,
    iterations,
    converged,
    n,
    events,
  };
}

interface Evaluation {
  logLik: number;
  score: Float64Array;
  information: Float64Array;
}

/**
 * Log partial likelihood, score U = dℓ/dβ and observed information I = −d²ℓ/dβ² at beta.
 * Per tie group g (d events D) and l < d, with f = l/d for Efron and 0 for Breslow:
 *   s0 = Σ_R w − f Σ_D w,  s1 = Σ_R w x − f Σ_D w x,  s2 = Σ_R w x xᵀ − f Σ_D w x xᵀ
 *   ℓ −= log s0,  U −= s1/s0,  I += s2/s0 − (s1/s0)(s1/s0)ᵀ;  plus ℓ += Σ_D η, U += Σ_D x.
 */
function partialLikelihood(
  x: Float64Array,
  event: Uint8Array,
  order: number[],
  groups: number[],
  p: number,
  beta: Float64Array,
  efron: boolean,
): Evaluation {
  const n = event.length;
  const eta = new Float64Array(n);
  let shift = -Infinity;
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < p; j++) e += x[i * p + j] * beta[j];
    eta[i] = e;
    shift = Math.max(shift, e);
  }
  const s0 = { risk: 0, tied: 0 };
  const s1 = new Float64Array(p);
  const s2 = new Float64Array(p * p);
  const d1 = new Float64Array(p);
  const d2 = new Float64Array(p * p);
  const a = new Float64Array(p);
  const score = new Float64Array(p);
  const information = new Float64Array(p * p);
  let logLik = 0;
  for (let g = 0; g + 1 < groups.length; g++) {
    let d = 0;
    s0.tied = 0;
    d1.fill(0);
    d2.fill(0);
    for (let k = groups[g]; k < groups[g + 1]; k++) {
      const i = order[k];
      const w = Math.exp(eta[i] - shift);
      s0.risk += w;
      for (let j = 0; j < p; j++) {
        const xj = x[i * p + j];
        s1[j] += w * xj;
        for (let m = 0; m < p; m++) s2[j * p + m] += w * xj * x[i * p + m];
      }
      if (!event[i]) continue;
      d++;
      logLik += eta[i];
      s0.tied += w;
      for (let j = 0; j < p; j++) {
        const xj = x[i * p + j];
        score[j] += xj;
        d1[j] += w * xj;
        for (let m = 0; m < p; m++) d2[j * p + m] += w * xj * x[i * p + m];
      }
    }
    for (let l = 0; l < d; l++) {
      const f = efron ? l / d : 0;
      const den = s0.risk - f * s0.tied;
      logLik -= Math.log(den) + shift;
      for (let j = 0; j < p; j++) {
        a[j] = (s1[j] - f * d1[j]) / den;
        score[j] -= a[j];
      }
      for (let j = 0; j < p; j++) {
        for (let m = 0; m < p; m++) {
          information[j * p + m] += (s2[j * p + m] - f * d2[j * p + m]) / den - a[j] * a[m];
        }
      }
    }
  }
  return { logLik, score, information };
}

/** Lower Cholesky factor of a symmetric positive definite p×p matrix. */
function cholesky(a: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let diag = a[j * p + j];
    for (let k = 0; k < j; k++) diag -= l[j * p + k] ** 2;
    if (!(diag > 1e-12 * Math.abs(a[j * p + j])) || !(diag > 0)) {
      throw new MedsynthError(
        'INVALID_ARGUMENT',
        'the Cox information matrix is singular: a covariate is constant or collinear with others, or the fit diverged',
      );
    }
    l[j * p + j] = Math.sqrt(diag);
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = s / l[j * p + j];
    }
  }
  return l;
}

export function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = cholesky(a, p);
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

export function choleskyInverse(a: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    const e = new Float64Array(p);
    e[c] = 1;
    const col = choleskySolve(a, e, p);
    for (let r = 0; r < p; r++) inv[r * p + c] = col[r];
  }
  return inv;
}

function checkData(data: CoxFitData) {
  if (data === null || typeof data !== 'object') throw invalidParameter('data', '{ time, event, covariates }', data);
  const { time, event, covariates } = data;
  if (!isArrayLike(time) || time.length < 1) throw invalidParameter('time', 'a non-empty array of numbers', time);
  const n = time.length;
  if (!isArrayLike(event) || event.length !== n) throw invalidParameter('event', `an array of ${n} values`, event);
  if (!Array.isArray(covariates) || covariates.length < 1) {
    throw invalidParameter('covariates', 'a non-empty array of covariate columns', covariates);
  }
  const p = covariates.length;
  const t = new Float64Array(n);
  const e = new Uint8Array(n);
  let events = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(time[i])) throw invalidParameter(`time[${i}]`, 'a finite number', time[i]);
    if (event[i] !== 0 && event[i] !== 1) throw invalidParameter(`event[${i}]`, '0 or 1', event[i]);
    t[i] = time[i];
    e[i] = event[i];
    events += e[i];
  }
  if (events === 0) throw invalidParameter('event', 'at least one event (all subjects are censored)', 0);
  // Row-major n×p, centred per column.
  const x = new Float64Array(n * p);
  covariates.forEach((column, j) => {
    if (!isArrayLike(column) || column.length !== n) throw invalidParameter(`covariates[${j}]`, `an array of ${n} numbers`, column);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(column[i])) throw invalidParameter(`covariates[${j}][${i}]`, 'a finite number', column[i]);
      mean += column[i] / n;
    }
    for (let i = 0; i < n; i++) x[i * p + j] = column[i] - mean;
  });
  return { x, time: t, event: e, n, p, events };
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}
