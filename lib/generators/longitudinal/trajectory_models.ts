/**
 * The nonlinear trajectories y = f(t; θ) of the NLME model, with each model's population means,
 * between-subject SDs and latent loadings (which image factors move which parameter). Time t is
 * in years since baseline.
 *
 *   exponential  f(t; θ) = θ1·exp(−exp(θ2)·t)
 *                θ1 baseline value (e.g. letters of visual acuity), θ2 log decline rate per year
 *   logistic     f(t; θ) = θ1 / (1 + exp(−exp(θ2)·(t − θ3)))
 *                θ1 plateau (e.g. lesion area), θ2 log growth rate per year, θ3 midpoint (years)
 *
 * Loadings B (P × LATENT_DIM) say which latent dimensions the fixed part g(z) depends on; the
 * image-only factors (speckle z5, gain z6, tilt z7) have zero loading — acquisition, not disease.
 */
import { LATENT_DIM } from './latent_map.js';

export type TrajectoryModelName = 'exponential' | 'logistic';
export const TRAJECTORY_MODELS: readonly TrajectoryModelName[] = ['exponential', 'logistic'];

export interface TrajectoryModel {
  name: TrajectoryModelName;
  equation: string;
  /** θ names and what they mean. */
  params: readonly string[];
  meaning: readonly string[];
  /** Population mean and total between-subject SD of each θ_p. */
  mean: readonly number[];
  sd: readonly number[];
  /** P rows of LATENT_DIM loadings (only their direction matters: g is rescaled to honour R²). */
  loadings: readonly (readonly number[])[];
  /** Default residual SD σ. */
  residualSd: number;
  /** Outcome scale for informative dropout, and +1 if higher values are worse, −1 if lower are. */
  outcomeScale: number;
  worse: 1 | -1;
  f(t: number, theta: ArrayLike<number>): number;
}

const pad = (v: number[]) => [...v, ...new Array<number>(LATENT_DIM - v.length).fill(0)];

export const EXPONENTIAL: TrajectoryModel = Object.freeze({
  name: 'exponential',
  equation: 'y = theta1*exp(-exp(theta2)*t) + eps',
  params: ['theta1', 'theta2'],
  meaning: ['baseline value', 'log decline rate (1/year)'],
  mean: [70, Math.log(0.15)],
  sd: [8, 0.4],
  // Thicker retina → higher baseline; more and larger drusen → lower baseline, faster decline.
  loadings: [pad([1, 0, -0.8, -0.6, 0.3]), pad([-0.4, 0, 0.7, 0.9, 0])],
  residualSd: 3,
  outcomeScale: 8,
  worse: -1,
  f: (t: number, th: ArrayLike<number>) => th[0] * Math.exp(-Math.exp(th[1]) * t),
} as const);

export const LOGISTIC: TrajectoryModel = Object.freeze({
  name: 'logistic',
  equation: 'y = theta1/(1+exp(-exp(theta2)*(t-theta3))) + eps',
  params: ['theta1', 'theta2', 'theta3'],
  meaning: ['plateau', 'log growth rate (1/year)', 'midpoint (years)'],
  mean: [100, Math.log(1.2), 3],
  sd: [12, 0.3, 1],
  // Drusen load raises the plateau and speeds growth; a thick retina and a shallow pit delay it.
  loadings: [pad([-0.3, 0, 0.9, 0.6, 0]), pad([0, 0, 0.5, 0.8, 0]), pad([0.7, 0, -0.6, -0.5, -0.2])],
  residualSd: 4,
  outcomeScale: 12,
  worse: 1,
  f: (t: number, th: ArrayLike<number>) => th[0] / (1 + Math.exp(-Math.exp(th[1]) * (t - th[2]))),
} as const);

export function trajectoryModel(name: TrajectoryModelName): TrajectoryModel {
  return name === 'logistic' ? LOGISTIC : EXPONENTIAL;
}
