/**
 * Latent → longitudinal follow-up: a nonlinear mixed-effects model sharing z with the images.
 *
 *   z_i   ~ N(0, I_LATENT_DIM)                                  (latent stream)
 *   θ_i   = g(z_i) + η_i,  g_p(z) = μ_p + a_p·B_p·z,  a_p = √R²·sd_p / ‖B_p‖
 *   η_i   = diag(ω)·L·u_i,  u_i ~ N(0, I_P),  L·Lᵀ = C (C_pq = 1 if p = q else ρ),  ω_p = √(1 − R²)·sd_p
 *           so η ~ N(0, Ω), Ω = diag(ω)·C·diag(ω)                   (random-effects stream)
 *   y_ij  = f(t_ij; θ_i) + ε_ij,  ε_ij ~ N(0, σ²)                  (residual stream)
 *
 * Var(g_p(z)) = a_p²·‖B_p‖² = R²·sd_p² and Var(η_p) = (1 − R²)·sd_p², so for every parameter
 * Var(g_p)/(Var(g_p) + Var(η_p)) = R² exactly (the population share of between-subject variance of
 * θ explained by z) and Var(θ_p) = sd_p² whatever R² is.
 *
 * Visits: scheduled times τ_0 < … < τ_{K−1} (years, τ_0 ≥ 0); t_i0 = τ_0 and for j ≥ 1
 *   t_ij = τ_j + J·(2·U_ij − 1), U_ij ~ U(0, 1)                      (visit-time stream)
 * with J < min gap / 2, so visits keep their order. Dropout before visit j ≥ 1 (dropout stream,
 * V_ij ~ U(0, 1); a subject who drops out has no later visits):
 *   none         h_ij = 0
 *   random       h_ij = p                                          (MCAR: K_i is truncated geometric)
 *   informative  h_ij = logistic(logit(p) + γ·w·(y_i,j−1 − f(τ_{j−1}; μ)) / s)   (MAR on the last
 *                observed value; w = +1 if higher values are worse, −1 if lower are; s the model's
 *                outcome scale)
 *   drop when V_ij < h_ij.
 * Covariate: baseline age a_i ~ U(50, 85) (covariate stream), age at visit a_i + t_ij; it has no
 * effect on θ (a nuisance column an analysis should find uninformative).
 */
import { Rng } from '../../core/philox.js';
import { invalidParameter } from '../../errors.js';
import { checkInteger, checkNumber, checkOneOf } from '../../validate.js';
import { LATENT_DIM } from './latent_map.js';
import { LONGITUDINAL_STREAMS } from './streams.js';
import { TRAJECTORY_MODELS, trajectoryModel, type TrajectoryModel, type TrajectoryModelName } from './trajectory_models.js';

export type DropoutKind = 'none' | 'random' | 'informative';
export const DROPOUT_KINDS: readonly DropoutKind[] = ['none', 'random', 'informative'];

export interface NlmeOptions {
  seed: number;
  model?: TrajectoryModelName;
  /** R² in [0, 1]: share of between-subject variance of each θ_p explained by z (default 0.5). */
  explainedVariance?: number;
  /** ρ: correlation between the random effects (default 0). */
  reCorrelation?: number;
  /** σ (default: the model's). */
  residualSd?: number;
  /** Scheduled visit times in years; default K visits every `interval` years from 0. */
  times?: readonly number[];
  visits?: number;
  interval?: number;
  /** J: visit-time jitter half-width in years (default 0.1·the smallest gap). */
  jitter?: number;
  dropout?: DropoutKind;
  /** p: per-visit dropout probability (default 0.1 when dropout is not 'none'). */
  dropoutRate?: number;
  /** γ: informative-dropout slope (default 1). */
  dropoutSlope?: number;
}

export interface NlmeConfig {
  seed: number;
  model: TrajectoryModel;
  explainedVariance: number;
  reCorrelation: number;
  residualSd: number;
  times: number[];
  jitter: number;
  dropout: DropoutKind;
  dropoutRate: number;
  dropoutSlope: number;
}

/** One subject's truth and follow-up. Arrays of length K hold every scheduled visit; only the first `observed` happened. */
export interface NlmeSubject {
  subject: number;
  z: Float64Array;
  g: Float64Array;
  eta: Float64Array;
  theta: Float64Array;
  age0: number;
  times: Float64Array;
  values: Float64Array;
  /** Number of visits that happened (1 … K): the subject dropped out before visit `observed` if < K. */
  observed: number;
  /** Dropout probability h_ij each visit j ≥ 1 faced (NaN for j = 0 and after dropout). */
  hazard: Float64Array;
}

const logit = (p: number) => Math.log(p / (1 - p));
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Validates options into a config; every refusal is a MedsynthError INVALID_ARGUMENT naming the option. */
export function resolveNlmeConfig(o: NlmeOptions): NlmeConfig {
  const seed = checkInteger('seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  const model = trajectoryModel(checkOneOf('model', o.model ?? 'exponential', TRAJECTORY_MODELS));
  const explainedVariance = checkNumber('explainedVariance', o.explainedVariance ?? 0.5, { min: 0, max: 1 });
  const P = model.params.length;
  const reCorrelation = checkNumber('reCorrelation', o.reCorrelation ?? 0, { min: -1, max: 1 });
  if (!(reCorrelation > -1 / (P - 1) && reCorrelation < 1)) {
    throw invalidParameter('reCorrelation', `a correlation in (${(-1 / (P - 1)).toFixed(3)}, 1) (the ${P}×${P} matrix must be positive definite)`, reCorrelation);
  }
  const residualSd = checkNumber('residualSd', o.residualSd ?? model.residualSd, { min: 0, max: 1e6 });
  let times: number[];
  if (o.times !== undefined) {
    if (!Array.isArray(o.times) || o.times.length < 1 || o.times.length > 10_000) throw invalidParameter('times', 'a list of 1 to 10000 visit times', o.times);
    times = o.times.map((t, j) => checkNumber(`times[${j}]`, t, { min: 0, max: 1000 }));
    for (let j = 1; j < times.length; j++) if (!(times[j] > times[j - 1])) throw invalidParameter('times', 'strictly increasing visit times', o.times);
    if (o.visits !== undefined && o.visits !== times.length) throw invalidParameter('visits', `${times.length} (the number of times given)`, o.visits);
  } else {
    const K = checkInteger('visits', o.visits ?? 6, 1, 10_000);
    const interval = checkNumber('interval', o.interval ?? 0.5, { above: 0, max: 100 });
    times = Array.from({ length: K }, (_, j) => j * interval);
  }
  let minGap = Infinity;
  for (let j = 1; j < times.length; j++) minGap = Math.min(minGap, times[j] - times[j - 1]);
  const jitter = checkNumber('jitter', o.jitter ?? (Number.isFinite(minGap) ? 0.1 * minGap : 0), { min: 0, max: 1000 });
  if (Number.isFinite(minGap) && !(jitter < minGap / 2)) throw invalidParameter('jitter', `less than half the smallest gap between visits (${minGap / 2})`, jitter);
  const dropout = checkOneOf('dropout', o.dropout ?? 'none', DROPOUT_KINDS);
  const dropoutRate = checkNumber('dropoutRate', o.dropoutRate ?? (dropout === 'none' ? 0 : 0.1), { min: 0, max: 1 });
  if (dropout === 'informative' && !(dropoutRate > 0 && dropoutRate < 1)) throw invalidParameter('dropoutRate', 'a probability in (0, 1) for informative dropout', dropoutRate);
  const dropoutSlope = checkNumber('dropoutSlope', o.dropoutSlope ?? 1, { min: -100, max: 100 });
  return { seed, model, explainedVariance, reCorrelation, residualSd, times, jitter, dropout, dropoutRate, dropoutSlope };
}

/** Lower Cholesky factor of the P×P matrix with unit diagonal and ρ elsewhere (row-major). */
function choleskyOfUniform(P: number, rho: number): Float64Array {
  const L = new Float64Array(P * P);
  for (let i = 0; i < P; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? 1 : rho;
      for (let k = 0; k < j; k++) s -= L[i * P + k] * L[j * P + k];
      L[i * P + j] = i === j ? Math.sqrt(s) : s / L[j * P + j];
    }
  }
  return L;
}

export class NlmeModel {
  readonly config: NlmeConfig;
  /** a_p: scale of the loadings in g. */
  readonly loadingScale: Float64Array;
  /** ω_p: random-effect SDs. */
  readonly omega: Float64Array;
  /** Ω = diag(ω)·C·diag(ω), row-major P×P. */
  readonly omegaMatrix: Float64Array;
  private readonly chol: Float64Array;

  constructor(options: NlmeOptions) {
    this.config = resolveNlmeConfig(options);
    const { model, explainedVariance: r2, reCorrelation: rho } = this.config;
    const P = model.params.length;
    this.loadingScale = Float64Array.from(model.loadings, (b, p) => (Math.sqrt(r2) * model.sd[p]) / Math.hypot(...b));
    this.omega = Float64Array.from(model.sd, (sd) => Math.sqrt(1 - r2) * sd);
    this.chol = choleskyOfUniform(P, rho);
    this.omegaMatrix = new Float64Array(P * P);
    for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) this.omegaMatrix[p * P + q] = this.omega[p] * this.omega[q] * (p === q ? 1 : rho);
  }

  get params(): number {
    return this.config.model.params.length;
  }

  /** g(z): the fixed part of θ. */
  fixedPart(z: ArrayLike<number>, out = new Float64Array(this.params)): Float64Array {
    const m = this.config.model;
    for (let p = 0; p < out.length; p++) {
      let s = 0;
      for (let k = 0; k < LATENT_DIM; k++) s += m.loadings[p][k] * z[k];
      out[p] = m.mean[p] + this.loadingScale[p] * s;
    }
    return out;
  }

  /** The latent of subject i alone (what the image decoder needs). */
  latent(subject: number, out = new Float64Array(LATENT_DIM)): Float64Array {
    const rng = new Rng(this.config.seed, subject, LONGITUDINAL_STREAMS.latent);
    for (let k = 0; k < LATENT_DIM; k++) out[k] = rng.normal();
    return out;
  }

  /** Subject i's truth and follow-up: a pure function of (seed, i) and the config. */
  subject(subject: number): NlmeSubject {
    checkInteger('subject', subject, 0, 0xffffffff);
    const c = this.config;
    const m = c.model;
    const P = this.params;
    const K = c.times.length;
    const key = (stream: number) => new Rng(c.seed, subject, stream);

    const z = this.latent(subject);
    const g = this.fixedPart(z);
    const reRng = key(LONGITUDINAL_STREAMS.randomEffects);
    const u = Float64Array.from({ length: P }, () => reRng.normal());
    const eta = new Float64Array(P);
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let q = 0; q <= p; q++) s += this.chol[p * P + q] * u[q];
      eta[p] = this.omega[p] * s;
    }
    const theta = Float64Array.from(g, (v, p) => v + eta[p]);
    const age0 = key(LONGITUDINAL_STREAMS.covariates).range(50, 85);

    const timeRng = key(LONGITUDINAL_STREAMS.visitTimes);
    const residRng = key(LONGITUDINAL_STREAMS.residuals);
    const dropRng = key(LONGITUDINAL_STREAMS.dropout);
    const times = new Float64Array(K);
    const values = new Float64Array(K);
    const hazard = new Float64Array(K).fill(NaN);
    let observed = K;
    for (let j = 0; j < K; j++) {
      // Every stream gives one draw per scheduled visit, used or not.
      const jit = timeRng.uniform();
      const eps = residRng.normal();
      const v = dropRng.uniform();
      times[j] = j === 0 ? c.times[0] : c.times[j] + c.jitter * (2 * jit - 1);
      values[j] = m.f(times[j], theta) + c.residualSd * eps;
      if (j === 0 || observed < K) continue;
      const h = this.dropoutHazard(j, values[j - 1]);
      hazard[j] = h;
      if (v < h) observed = j;
    }
    return { subject, z, g, eta, theta, age0, times, values, observed, hazard };
  }

  /** h_ij: probability of dropping out before visit j ≥ 1, given the value seen at visit j − 1. */
  dropoutHazard(j: number, previous: number): number {
    const c = this.config;
    if (c.dropout === 'none') return 0;
    if (c.dropout === 'random') return c.dropoutRate;
    const m = c.model;
    const population = m.f(c.times[j - 1], m.mean);
    return logistic(logit(c.dropoutRate) + (c.dropoutSlope * m.worse * (previous - population)) / m.outcomeScale);
  }

  /** Equations and parameters for metadata.json. */
  describe(): Record<string, unknown> {
    const c = this.config;
    const m = c.model;
    return {
      model: m.name,
      trajectory: m.equation,
      theta: Object.fromEntries(m.params.map((p, k) => [p, m.meaning[k]])),
      time_units: 'years since baseline',
      latent: `z ~ N(0, I_${LATENT_DIM})`,
      individual_parameters: 'theta_i = g(z_i) + eta_i; g_p(z) = mu_p + a_p * (B_p . z), a_p = sqrt(R2)*sd_p/|B_p|',
      random_effects: 'eta_i = diag(omega) L u_i, u_i ~ N(0, I), L L^T = C (unit diagonal, rho off-diagonal); eta ~ N(0, Omega), Omega = diag(omega) C diag(omega), omega_p = sqrt(1-R2)*sd_p',
      explained_variance_R2: c.explainedVariance,
      explained_variance_definition: 'Var(g_p(z)) / (Var(g_p(z)) + Var(eta_p)) = R2 for every p (population value)',
      mu: [...m.mean],
      sd_theta: [...m.sd],
      loadings_B: m.loadings.map((r) => [...r]),
      loading_scale_a: [...this.loadingScale],
      omega: [...this.omega],
      re_correlation_rho: c.reCorrelation,
      Omega: Array.from({ length: this.params }, (_, p) => [...this.omegaMatrix.subarray(p * this.params, (p + 1) * this.params)]),
      residual: 'y_ij = f(t_ij; theta_i) + eps_ij, eps_ij ~ N(0, sigma^2)',
      residual_sd_sigma: c.residualSd,
      scheduled_times: [...c.times],
      visit_times: 't_i0 = tau_0; t_ij = tau_j + J*(2U-1), U ~ U(0,1), j >= 1',
      jitter_J: c.jitter,
      dropout: c.dropout,
      dropout_rule: {
        none: 'h_ij = 0',
        random: 'h_ij = p (MCAR)',
        informative: 'h_ij = logistic(logit(p) + gamma*w*(y_i,j-1 - f(tau_j-1; mu))/s) (MAR on the last observed value)',
      }[c.dropout],
      dropout_rate_p: c.dropoutRate,
      dropout_slope_gamma: c.dropoutSlope,
      outcome_scale_s: m.outcomeScale,
      worse_direction_w: m.worse,
      covariates: { age: 'age0 + t, age0 ~ U(50, 85); no effect on theta' },
      streams: { ...LONGITUDINAL_STREAMS },
    };
  }
}
