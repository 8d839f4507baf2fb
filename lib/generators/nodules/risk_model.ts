/**
 * The malignancy model: a logistic model in the spirit of the Brock (PanCan) model (McWilliams
 * et al., NEJM 2013), on the attributes a procedural nodule has. With d the diameter in mm,
 *
 *   logit P(malignant) = β₀ + β_size·((d/10)^−½ − 1.58113883)
 *                        + β_ggo·[ground-glass] + β_ps·[part-solid]
 *                        + β_spic·[spiculated] + β_lob·[lobulated] + β_upper·[upper lobe]
 *
 * The size transform and the coefficients of size (−5.3854), non-solid type (−0.1276),
 * part-solid type (0.377), spiculation (0.7729) and upper-lobe location (0.6581) are Brock's full
 * model's. Brock has no lobulation term; β_lob = 0.5 is this generator's assumption (lobulated
 * margins go with malignancy in radiology reading). Age, sex, family history, emphysema and
 * nodule count are not modelled. β₀ is not Brock's: it is solved for so that the population
 * prevalence equals 1 / (1 + ratio) for the dataset's benign:malignant ratio (default 12:1, the
 * seed's), by bisection on the exact expectation over the attribute distributions (kinds.ts):
 * a sum over kinds and lobe, and a Simpson integral over the truncated log-normal diameter.
 * exp(β) are the model's odds ratios, which a logistic regression on the labels recovers.
 */
import { inverseNormalCdf, normalCdf, sigmoid } from '../clinical2d/distributions.js';
import { KIND_SPECS, UPPER_LOBE_SHARE, type NoduleKind } from './kinds.js';

export const RISK_COVARIATES = ['size_term', 'ground_glass', 'part_solid', 'spiculated', 'lobulated', 'upper_lobe'] as const;

/** β by covariate, in RISK_COVARIATES order. */
export const RISK_BETA: readonly number[] = Object.freeze([-5.3854, -0.1276, 0.377, 0.7729, 0.5, 0.6581]);

export function sizeTerm(diameterMm: number): number {
  return (diameterMm / 10) ** -0.5 - 1.58113883;
}

/** The covariate vector of a nodule, in RISK_COVARIATES order. */
export function riskCovariates(kind: NoduleKind, diameterMm: number, upperLobe: boolean): number[] {
  return [
    sizeTerm(diameterMm),
    kind === 'ground-glass' ? 1 : 0,
    kind === 'part-solid' ? 1 : 0,
    kind === 'spiculated' ? 1 : 0,
    kind === 'lobulated' ? 1 : 0,
    upperLobe ? 1 : 0,
  ];
}

/** βᵀx without the intercept. */
export function riskScore(x: readonly number[]): number {
  return x.reduce((s, v, i) => s + v * RISK_BETA[i], 0);
}

/** The truncated log-normal diameter of `kind` at quantile u of its [lo, hi] range. */
export function diameterAtQuantile(kind: NoduleKind, u: number, lo: number, hi: number): number {
  const k = KIND_SPECS[kind];
  const mu = Math.log(k.diameterMedianMm);
  const fa = normalCdf((Math.log(lo) - mu) / k.diameterLogSd);
  const fb = normalCdf((Math.log(hi) - mu) / k.diameterLogSd);
  const p = fa + u * (fb - fa);
  const d = Math.exp(mu + k.diameterLogSd * inverseNormalCdf(Math.min(Math.max(p, 1e-300), 1 - 1e-16)));
  return Math.min(Math.max(d, lo), hi);
}

const SIMPSON_INTERVALS = 2000;

/** E[σ(β₀ + βᵀx)] over the attribute distributions. */
export function expectedPrevalence(intercept: number, kindWeights: Readonly<Partial<Record<NoduleKind, number>>>, range: readonly [number, number]): number {
  const total = Object.values(kindWeights).reduce((a, b) => a + (b ?? 0), 0);
  let prevalence = 0;
  for (const [kind, weight] of Object.entries(kindWeights) as Array<[NoduleKind, number]>) {
    if (!(weight > 0)) continue;
    const k = KIND_SPECS[kind];
    const mu = Math.log(k.diameterMedianMm);
    const a = Math.log(range[0]), b = Math.log(range[1]);
    const mass = normalCdf((b - mu) / k.diameterLogSd) - normalCdf((a - mu) / k.diameterLogSd);
    for (const upper of [false, true]) {
      const pu = upper ? UPPER_LOBE_SHARE : 1 - UPPER_LOBE_SHARE;
      // ∫ σ(β₀ + η(e^t)) φ((t − μ)/σ)/σ dt over [a, b], normalised by the range's mass.
      const f = (t: number) => {
        const z = (t - mu) / k.diameterLogSd;
        const density = Math.exp(-0.5 * z * z) / (k.diameterLogSd * Math.sqrt(2 * Math.PI));
        return sigmoid(intercept + riskScore(riskCovariates(kind, Math.exp(t), upper))) * density;
      };
      let integral: number;
      if (b - a < 1e-12) integral = sigmoid(intercept + riskScore(riskCovariates(kind, range[0], upper)));
      else {
        const h = (b - a) / SIMPSON_INTERVALS;
        let s = f(a) + f(b);
        for (let i = 1; i < SIMPSON_INTERVALS; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
        integral = (s * h) / 3 / mass;
      }
      prevalence += (weight / total) * pu * integral;
    }
  }
  return prevalence;
}

/** β₀ giving prevalence 1 / (1 + ratio) (bisection to 1e-12). */
export function calibrateIntercept(ratio: number, kindWeights: Readonly<Partial<Record<NoduleKind, number>>>, range: readonly [number, number]): number {
  const target = 1 / (1 + ratio);
  let lo = -60, hi = 60;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (expectedPrevalence(mid, kindWeights, range) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
