/**
 * Oracle references for a ClinicalSynth batch: what the generative model itself says about the
 * labels, to compare a trained model with.
 *
 *   prior:   P(z = 1 | age, density, risk) = σ(a0 + a_age·age + a_den·density + a_risk·risk) and
 *            P(y = 1 | age, density, risk) = (1 − eta_fn)·P(z = 1) + eta_fp·(1 − P(z = 1)):
 *            Bayes-optimal from the clinical covariates alone.
 *   ceiling: P(y = 1 | z) = z ? 1 − eta_fn : eta_fp. y depends on everything else only through z,
 *            so no model of the images and tables can predict y better than this.
 */
import { invalidParameter } from '../../errors.js';
import type { ClinicalConfig } from './config.js';
import { sigmoid } from './distributions.js';
import type { ClinicalTruth } from './latents.js';

export function priorProbability(config: Readonly<ClinicalConfig>, age: number, density: number, risk: number): number {
  return sigmoid(config.a0 + config.a_age * age + config.a_den * density + config.a_risk * risk);
}

/** P(y = 1) given P(z = 1) = pz. */
export function labelProbability(config: Readonly<ClinicalConfig>, pz: number): number {
  return (1 - config.eta_fn) * pz + config.eta_fp * (1 - pz);
}

/** Area under the ROC curve (Mann–Whitney, ties count ½); NaN when a class is empty. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw invalidParameter('labels', `${n} labels`, labels.length);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]]) {
        positives++;
        rankSum += midrank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Fraction of labels matched by predicting 1 where score ≥ threshold. */
export function accuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): number {
  let hits = 0;
  for (let i = 0; i < scores.length; i++) hits += (scores[i] >= threshold ? 1 : 0) === (labels[i] ? 1 : 0) ? 1 : 0;
  return scores.length ? hits / scores.length : NaN;
}

export interface OracleScore {
  auc: number;
  /** Accuracy predicting 1 where the probability is at least ½. */
  accuracy: number;
  /** The accuracy it has in expectation over the labels' noise: mean of max(p, 1 − p). */
  expectedAccuracy: number;
}

export interface ClinicalOracleReport {
  n: number;
  /** Mean of z and of y on this batch. */
  prevalence: number;
  positiveRate: number;
  /** Mean of P(z = 1 | age, density, risk): what the prevalence estimates. */
  meanPz: number;
  /** Always predicting the majority label of y. */
  majorityAccuracy: number;
  /** P(z = 1 | a, d, r) scored against z. */
  priorZ: OracleScore;
  /** P(y = 1 | a, d, r) scored against y. */
  priorY: OracleScore;
  /** P(y = 1 | z) scored against y: the ceiling for any model. */
  ceilingY: OracleScore;
}

function score(p: Float64Array, labels: ArrayLike<number>): OracleScore {
  let expected = 0;
  for (const v of p) expected += Math.max(v, 1 - v);
  return { auc: rocAuc(p, labels), accuracy: accuracy(p, labels), expectedAccuracy: p.length ? expected / p.length : NaN };
}

/** The oracle references on one batch (its truth and observed labels). */
export function clinicalOracle(config: Readonly<ClinicalConfig>, truth: ClinicalTruth, y: Uint8Array): ClinicalOracleReport {
  const n = truth.z.length;
  if (y.length !== n) throw invalidParameter('y', `${n} labels`, y.length);
  const pz = new Float64Array(n);
  const py = new Float64Array(n);
  const pyz = new Float64Array(n);
  let zSum = 0;
  let ySum = 0;
  let pzSum = 0;
  for (let i = 0; i < n; i++) {
    pz[i] = priorProbability(config, truth.age[i], truth.density[i], truth.risk[i]);
    py[i] = labelProbability(config, pz[i]);
    pyz[i] = truth.z[i] ? 1 - config.eta_fn : config.eta_fp;
    zSum += truth.z[i];
    ySum += y[i];
    pzSum += pz[i];
  }
  const positiveRate = n ? ySum / n : NaN;
  return {
    n,
    prevalence: n ? zSum / n : NaN,
    positiveRate,
    meanPz: n ? pzSum / n : NaN,
    majorityAccuracy: Math.max(positiveRate, 1 - positiveRate),
    priorZ: score(pz, truth.z),
    priorY: score(py, y),
    ceilingY: score(pyz, y),
  };
}
