/**
 * The patient-level variables of the PET/CT cohort and the covariate vector x of the survival
 * model h(t | x) = h0(t)·exp(βᵀx) (lib/survival/simulate.ts).
 *
 * Clinical covariates: age in whole years ~ Normal(64, 9.5) clamped to 30–90; sex (male with
 * probability 0.62); stage I–IV with probabilities 0.2, 0.2, 0.35, 0.25. Image-derived truth:
 * total tumour volume (MTV, ml), SUVmax (highest lesion peak), number of lesions.
 *
 * x is standardised with fixed constants (never from the sample, so patient i depends only on
 * (seed, i)); the centres are close to the cohort means, so η = βᵀx ≈ 0 for a typical patient
 * and λ sets the typical patient's hazard:
 *   log_mtv = (ln MTV_ml − 1.5) / 1.0        suvmax  = (SUVmax − 10) / 4
 *   lesions = number of lesions − 2          age     = (age − 64) / 10
 *   male    = 1 for male, 0 for female       stage   = stage − 2.5  (stage 1–4)
 */
import type { Rng } from '../../core/philox.js';
import type { LesionSpec, Stage } from './lesions.js';

export type Sex = 'M' | 'F';

export interface ClinicalCovariates {
  /** Whole years. */
  age: number;
  sex: Sex;
  stage: Stage;
}

export interface ImagingTruth {
  /** Total (metabolic) tumour volume in ml: the sum of the lesions' true volumes. */
  mtvMl: number;
  /** The highest lesion peak SUV. */
  suvMax: number;
  lesionCount: number;
}

export const COVARIATE_NAMES = ['log_mtv', 'suvmax', 'lesions', 'age', 'male', 'stage'] as const;
export type CovariateName = (typeof COVARIATE_NAMES)[number];

/** x_j = (raw_j − center) / scale, raw as named in the module comment. */
export const COVARIATE_STANDARDISATION: Readonly<Record<CovariateName, { center: number; scale: number }>> = {
  log_mtv: { center: 1.5, scale: 1 },
  suvmax: { center: 10, scale: 4 },
  lesions: { center: 2, scale: 1 },
  age: { center: 64, scale: 10 },
  male: { center: 0, scale: 1 },
  stage: { center: 2.5, scale: 1 },
};

/**
 * Default log hazard ratios (per unit of the standardised covariate): hazard ratios of about
 * 1.6 per e-fold of tumour volume, 1.2 per 4 SUV, 1.3 per extra lesion, 1.3 per decade,
 * 1.2 for men and 1.5 per stage — magnitudes reported for FDG PET/CT cohorts.
 */
export const DEFAULT_BETA: Readonly<Record<CovariateName, number>> = {
  log_mtv: 0.45,
  suvmax: 0.2,
  lesions: 0.25,
  age: 0.25,
  male: 0.2,
  stage: 0.4,
};

const STAGE_PROBABILITIES = [0.2, 0.2, 0.35, 0.25];

export function sampleClinical(rng: Rng): ClinicalCovariates {
  const age = Math.round(Math.min(Math.max(rng.normal(64, 9.5), 30), 90));
  const sex: Sex = rng.bernoulli(0.62) ? 'M' : 'F';
  const stage = (1 + rng.categorical(STAGE_PROBABILITIES)) as Stage;
  return { age, sex, stage };
}

export function imagingTruth(lesions: readonly LesionSpec[]): ImagingTruth {
  return {
    mtvMl: lesions.reduce((a, l) => a + l.volumeMl, 0),
    suvMax: lesions.reduce((a, l) => Math.max(a, l.suvMax), 0),
    lesionCount: lesions.length,
  };
}

/** The raw (unstandardised) value of each covariate. */
export function rawCovariates(clinical: ClinicalCovariates, imaging: ImagingTruth): Record<CovariateName, number> {
  return {
    log_mtv: Math.log(imaging.mtvMl),
    suvmax: imaging.suvMax,
    lesions: imaging.lesionCount,
    age: clinical.age,
    male: clinical.sex === 'M' ? 1 : 0,
    stage: clinical.stage,
  };
}

/** The standardised covariate vector x, in COVARIATE_NAMES order. */
export function covariateVector(clinical: ClinicalCovariates, imaging: ImagingTruth): number[] {
  const raw = rawCovariates(clinical, imaging);
  return COVARIATE_NAMES.map((name) => {
    const { center, scale } = COVARIATE_STANDARDISATION[name];
    return (raw[name] - center) / scale;
  });
}
