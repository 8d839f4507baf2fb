/**
 * Survival times from a known Cox model with a Weibull baseline (Bender, Augustin & Blettner,
 * "Generating survival times to simulate Cox proportional hazards models", Stat Med 2005):
 *
 *   h(t | x) = h0(t) · exp(η),  η = βᵀx,  h0(t) = λ·ν·t^(ν−1)       (λ > 0 scale, ν > 0 shape)
 *   S(t | x) = exp(−λ·e^η·t^ν)
 *   T = (−ln U / (λ·e^η))^(1/ν),  U ~ Uniform(0, 1]                     (inverse transform)
 *
 * Censoring is independent of T: an exponential drop-out time C ~ Exp(ρ) and administrative
 * censoring at the end of follow-up τ. The observed time is min(T, C, τ) and the event indicator
 * is T ≤ min(C, τ). The drop-out rate ρ is found by a root-finder so that the expected censored
 * fraction of a reference cohort equals a target (see solveCensoringRate).
 *
 * Pure TypeScript and voxel-free: everything here is a function of η (or x), the model and the
 * uniforms a caller passes in, so it can be tested and used on its own. Time units are the
 * caller's (medsynth's PET/CT generator uses months).
 */
import { MedsynthError, invalidParameter } from '../errors.js';
import type { Rng } from '../core/philox.js';
import { checkNumber } from '../validate.js';

export interface WeibullCoxModel {
  /** Log hazard ratios, one per covariate. */
  beta: readonly number[];
  /** Weibull baseline scale λ (> 0), in time^−ν. */
  lambda: number;
  /** Weibull baseline shape ν (> 0): 1 is exponential, > 1 a rising hazard. */
  nu: number;
}

export interface CensoringModel {
  /** Exponential drop-out rate ρ (≥ 0, per time unit); 0: no random drop-out. */
  rate: number;
  /** End of follow-up τ (> 0); Infinity: no administrative censoring. */
  followUp: number;
}

export interface SurvivalOutcome {
  /** Observed time min(T, C, τ). */
  time: number;
  /** 1 when the event was observed (T ≤ min(C, τ)), 0 when censored. */
  event: 0 | 1;
  /** The latent event time T (hidden truth). */
  eventTime: number;
  /** The latent drop-out time C (Infinity when ρ = 0). */
  censorTime: number;
}

export function checkWeibullCoxModel(model: WeibullCoxModel, covariates?: number): WeibullCoxModel {
  if (model === null || typeof model !== 'object') throw invalidParameter('model', 'an object', model);
  if (!Array.isArray(model.beta)) throw invalidParameter('model.beta', 'an array of numbers', model.beta);
  if (covariates !== undefined && model.beta.length !== covariates) {
    throw invalidParameter('model.beta', `an array of ${covariates} numbers`, model.beta);
  }
  model.beta.forEach((b, i) => checkNumber(`model.beta[${i}]`, b, { min: -20, max: 20 }));
  checkNumber('model.lambda', model.lambda, { above: 0 });
  checkNumber('model.nu', model.nu, { above: 0, max: 100 });
  return model;
}

export function checkCensoringModel(c: CensoringModel): CensoringModel {
  if (c === null || typeof c !== 'object') throw invalidParameter('censoring', 'an object', c);
  checkNumber('censoring.rate', c.rate, { min: 0 });
  if (c.followUp !== Infinity) checkNumber('censoring.followUp', c.followUp, { above: 0 });
  return c;
}

/** η = βᵀx. */
export function linearPredictor(beta: readonly number[], x: ArrayLike<number>): number {
  if (x.length !== beta.length) throw invalidParameter('x', `${beta.length} covariates`, x.length);
  let eta = 0;
  for (let j = 0; j < beta.length; j++) eta += beta[j] * x[j];
  return eta;
}

/** S(t | η) = exp(−λ·e^η·t^ν). */
export function weibullCoxSurvival(t: number, eta: number, lambda: number, nu: number): number {
  return t <= 0 ? 1 : Math.exp(-lambda * Math.exp(eta) * Math.pow(t, nu));
}

/**
 * The event time for a unit exponential E = −ln U: T = (E / (λ·e^η))^(1/ν). Taking E rather than
 * U keeps full precision for U near 1 (callers use E = −log1p(−u) with u in [0, 1)).
 */
export function weibullCoxEventTime(e: number, eta: number, lambda: number, nu: number): number {
  return Math.pow(e / (lambda * Math.exp(eta)), 1 / nu);
}

/**
 * One patient's outcome from two independent uniforms in [0, 1): `uEvent` for T, `uCensor` for C.
 */
export function survivalOutcome(
  eta: number,
  model: WeibullCoxModel,
  censoring: CensoringModel,
  uEvent: number,
  uCensor: number,
): SurvivalOutcome {
  checkNumber('eta', eta, { min: -300, max: 300 });
  checkNumber('model.lambda', model?.lambda, { above: 0 });
  checkNumber('model.nu', model.nu, { above: 0, max: 100 });
  checkCensoringModel(censoring);
  checkNumber('uEvent', uEvent, { min: 0, max: 1 - Number.EPSILON / 2 });
  checkNumber('uCensor', uCensor, { min: 0, max: 1 - Number.EPSILON / 2 });
  const eventTime = weibullCoxEventTime(-Math.log1p(-uEvent), eta, model.lambda, model.nu);
  const censorTime = censoring.rate > 0 ? -Math.log1p(-uCensor) / censoring.rate : Infinity;
  const limit = Math.min(censorTime, censoring.followUp);
  return eventTime <= limit
    ? { time: eventTime, event: 1, eventTime, censorTime }
    : { time: limit, event: 0, eventTime, censorTime };
}

/**
 * Draws one outcome from `rng`: two uniforms, event first then drop-out, so a patient's outcome
 * depends only on its own stream.
 */
export function drawSurvival(rng: Rng, eta: number, model: WeibullCoxModel, censoring: CensoringModel): SurvivalOutcome {
  const uEvent = rng.uniform();
  const uCensor = rng.uniform();
  return survivalOutcome(eta, model, censoring, uEvent, uCensor);
}

// ---- expected censoring -------------------------------------------------------------------------

// 16-point Gauss–Legendre nodes and weights on [−1, 1] (symmetric; positive half listed).
const GL_X = [
  0.0950125098376374, 0.2816035507792589, 0.4580167776572274, 0.6178762444026438,
  0.755404408355003, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499,
];
const GL_W = [
  0.1894506104550685, 0.1826034150449236, 0.1691565193950025, 0.1495959888165767,
  0.1246289712555339, 0.0951585116824928, 0.0622535239386479, 0.0271524594117541,
];
// Panels in s (fractions of s_max): the integrand falls off fastest as s → 1.
const PANELS = [0, 0.5, 0.8, 0.95, 0.99, 0.999, 0.99999, 1];

/**
 * P(event observed | η) = ∫₀^τ f(t)·e^(−ρt) dt for the Weibull–Cox event density f. With the
 * substitution s = 1 − S(t) (the event CDF, ds = f dt) it is ∫₀^{s_max} exp(−ρ·t(s)) ds with
 * t(s) = (−ln(1 − s) / (λe^η))^(1/ν) and s_max = 1 − S(τ): a bounded, monotone integrand on a
 * finite interval, integrated by composite 16-point Gauss–Legendre (error ~1e−7 for rates in use).
 */
export function eventProbability(eta: number, lambda: number, nu: number, censoring: CensoringModel): number {
  checkNumber('eta', eta, { min: -300, max: 300 });
  checkNumber('lambda', lambda, { above: 0 });
  checkNumber('nu', nu, { above: 0, max: 100 });
  checkCensoringModel(censoring);
  const k = lambda * Math.exp(eta);
  const sMax = censoring.followUp === Infinity ? 1 : -Math.expm1(-k * Math.pow(censoring.followUp, nu));
  const rho = censoring.rate;
  if (rho === 0) return sMax;
  let total = 0;
  for (let p = 0; p + 1 < PANELS.length; p++) {
    const a = PANELS[p] * sMax;
    const b = PANELS[p + 1] * sMax;
    const half = 0.5 * (b - a);
    const mid = 0.5 * (a + b);
    let sum = 0;
    for (let i = 0; i < GL_X.length; i++) {
      for (const sign of [-1, 1]) {
        const s = mid + sign * half * GL_X[i];
        const t = Math.pow(-Math.log1p(-s) / k, 1 / nu);
        sum += GL_W[i] * Math.exp(-rho * t);
      }
    }
    total += half * sum;
  }
  return total;
}

/** The expected censored fraction of a cohort with linear predictors `etas`. */
export function expectedCensoringRate(
  etas: ArrayLike<number>,
  lambda: number,
  nu: number,
  censoring: CensoringModel,
): number {
  if (etas.length === 0) throw invalidParameter('etas', 'at least one linear predictor', etas.length);
  let events = 0;
  for (let i = 0; i < etas.length; i++) events += eventProbability(etas[i], lambda, nu, censoring);
  return 1 - events / etas.length;
}

/**
 * The quadrature of eventProbability for a whole cohort with the ρ-free parts (nodes t(s) and
 * weights) computed once, so that each root-finder step costs one exp per node.
 */
class CohortQuadrature {
  private readonly t: Float64Array;
  private readonly w: Float64Array;
  private readonly sMaxSum: number;

  constructor(
    etas: ArrayLike<number>,
    lambda: number,
    nu: number,
    readonly followUp: number,
  ) {
    const nodes = 2 * GL_X.length * (PANELS.length - 1);
    this.t = new Float64Array(etas.length * nodes);
    this.w = new Float64Array(etas.length * nodes);
    let sMaxSum = 0;
    let q = 0;
    for (let j = 0; j < etas.length; j++) {
      checkNumber(`etas[${j}]`, etas[j], { min: -300, max: 300 });
      const k = lambda * Math.exp(etas[j]);
      const sMax = followUp === Infinity ? 1 : -Math.expm1(-k * Math.pow(followUp, nu));
      sMaxSum += sMax;
      for (let p = 0; p + 1 < PANELS.length; p++) {
        const a = PANELS[p] * sMax;
        const half = 0.5 * (PANELS[p + 1] * sMax - a);
        const mid = a + half;
        for (let i = 0; i < GL_X.length; i++) {
          for (const sign of [-1, 1]) {
            const s = mid + sign * half * GL_X[i];
            this.t[q] = Math.pow(-Math.log1p(-s) / k, 1 / nu);
            this.w[q++] = half * GL_W[i];
          }
        }
      }
    }
    this.sMaxSum = sMaxSum;
  }

  /** Expected censored fraction at drop-out rate ρ. */
  censoredFraction(rho: number, count: number): number {
    if (rho === 0) return 1 - this.sMaxSum / count;
    let events = 0;
    for (let q = 0; q < this.t.length; q++) events += this.w[q] * Math.exp(-rho * this.t[q]);
    return 1 - events / count;
  }
}

export interface CensoringSolution {
  /** The drop-out rate ρ. */
  rate: number;
  /** Expected censored fraction from administrative censoring alone (ρ = 0). */
  administrativeRate: number;
  /** Expected censored fraction at `rate` (equals the target to ~1e−6). */
  expectedRate: number;
}

/**
 * The drop-out rate ρ at which the expected censored fraction of the cohort `etas` equals
 * `target`. The fraction rises monotonically from its administrative-only value (ρ = 0) to 1,
 * so the root is bracketed on log ρ and found by the Illinois variant of regula falsi. A target
 * at or below the administrative-only fraction cannot be met by adding drop-out: that is an
 * INVALID_ARGUMENT naming both numbers.
 */
export function solveCensoringRate(
  etas: ArrayLike<number>,
  model: Pick<WeibullCoxModel, 'lambda' | 'nu'>,
  target: number,
  followUp: number,
): CensoringSolution {
  checkNumber('target', target, { min: 0, max: 0.99 });
  if (followUp !== Infinity) checkNumber('followUp', followUp, { above: 0 });
  const { lambda, nu } = model;
  if (etas.length === 0) throw invalidParameter('etas', 'at least one linear predictor', etas.length);
  const quadrature = new CohortQuadrature(etas, lambda, nu, followUp);
  const rateAt = (rho: number) => quadrature.censoredFraction(rho, etas.length);
  const administrativeRate = rateAt(0);
  if (target <= administrativeRate + 1e-9) {
    if (Math.abs(target - administrativeRate) < 1e-9) return { rate: 0, administrativeRate, expectedRate: administrativeRate };
    throw new MedsynthError(
      'INVALID_ARGUMENT',
      `Expected a censoring target above ${administrativeRate.toFixed(4)} (the fraction censored by the end of follow-up alone) ` +
        `for censoring but received ${target}; raise the target or lengthen the follow-up`,
    );
  }
  // Bracket on u = ln ρ. The median event time sets the scale: ρ·t_median of 1 censors about half.
  const tMedian = Math.pow(Math.LN2 / lambda, 1 / nu);
  let lo = Math.log(1e-6 / tMedian);
  let fLo = rateAt(Math.exp(lo)) - target;
  while (fLo > 0) {
    lo -= 4;
    fLo = rateAt(Math.exp(lo)) - target;
    if (lo < -200) return { rate: 0, administrativeRate, expectedRate: administrativeRate };
  }
  let hi = Math.log(1 / tMedian);
  let fHi = rateAt(Math.exp(hi)) - target;
  while (fHi < 0) {
    hi += 2;
    fHi = rateAt(Math.exp(hi)) - target;
    if (hi > 200) throw new MedsynthError('INVALID_ARGUMENT', `cannot reach a censoring rate of ${target}`);
  }
  let side = 0;
  for (let iter = 0; iter < 200; iter++) {
    const u = (lo * fHi - hi * fLo) / (fHi - fLo);
    const f = rateAt(Math.exp(u)) - target;
    if (Math.abs(f) < 1e-9 || hi - lo < 1e-12) return { rate: Math.exp(u), administrativeRate, expectedRate: f + target };
    if (f > 0) {
      hi = u;
      fHi = f;
      if (side === 1) fLo /= 2;
      side = 1;
    } else {
      lo = u;
      fLo = f;
      if (side === -1) fHi /= 2;
      side = -1;
    }
  }
  const u = 0.5 * (lo + hi);
  return { rate: Math.exp(u), administrativeRate, expectedRate: rateAt(Math.exp(u)) };
}
