/**
 * The voxel-free part of a PET/CT patient: clinical covariates, tumour burden, the true linear
 * predictor η and the survival outcome. The imaging path renders exactly these lesions, so the
 * image-derived covariates here are the truth of the images; this path alone is enough (and
 * fast) for statistical checks of the survival model.
 *
 * Randomness: patient i reads Philox streams (seed, i, PETCT_STREAM.*) only. The drop-out rate ρ
 * is calibrated once per option set on a reference cohort of CALIBRATION_COHORT latent patients
 * drawn on the same streams shifted by CALIBRATION_STREAM_OFFSET (independent of every real
 * patient), so ρ — and with it every patient — depends only on the seed and the options, never
 * on how many patients are generated.
 */
import { Rng } from '../../core/philox.js';
import {
  drawSurvival,
  linearPredictor,
  solveCensoringRate,
  type CensoringModel,
  type CensoringSolution,
  type SurvivalOutcome,
  type WeibullCoxModel,
} from '../../survival/simulate.js';
import { checkInteger } from '../../validate.js';
import { covariateVector, imagingTruth, sampleClinical, type ClinicalCovariates, type ImagingTruth } from './covariates.js';
import { sampleLesions, type LesionSpec } from './lesions.js';
import { betaVector, type ResolvedPetCtOptions } from './options.js';

/**
 * Philox streams of one patient. Streams 0–3 are the anatomy sampler's
 * (lib/anatomy/sample_params.ts), which places the organs.
 */
export const PETCT_STREAM = {
  clinical: 16,
  lesions: 17,
  placement: 18,
  tissue: 19,
  survival: 20,
  ctNoise: 21,
  petNoise: 22,
} as const;

export const CALIBRATION_STREAM_OFFSET = 1024;
export const CALIBRATION_COHORT = 10_000;

export interface LatentPatient {
  index: number;
  clinical: ClinicalCovariates;
  lesions: LesionSpec[];
  imaging: ImagingTruth;
  /** Standardised covariates (COVARIATE_NAMES order). */
  x: number[];
  /** True linear predictor βᵀx. */
  eta: number;
}

export function sampleLatentPatient(o: ResolvedPetCtOptions, index: number, streamOffset = 0): LatentPatient {
  checkInteger('index', index, 0, 0xffffffff);
  const clinical = sampleClinical(new Rng(o.seed, index, PETCT_STREAM.clinical + streamOffset));
  const lesions = sampleLesions(new Rng(o.seed, index, PETCT_STREAM.lesions + streamOffset), clinical.stage);
  const imaging = imagingTruth(lesions);
  const x = covariateVector(clinical, imaging);
  return { index, clinical, lesions, imaging, x, eta: linearPredictor(betaVector(o), x) };
}

export interface SurvivalPlan {
  model: WeibullCoxModel;
  censoring: CensoringModel;
  calibration: CensoringSolution & { cohort: number };
}

const planCache = new Map<string, SurvivalPlan>();

/** The survival model and the calibrated censoring of an option set (cached per process). */
export function planSurvival(o: ResolvedPetCtOptions): SurvivalPlan {
  const s = o.survival;
  const model: WeibullCoxModel = { beta: betaVector(o), lambda: s.lambda, nu: s.nu };
  const key = JSON.stringify([String(o.seed), model, s.censoringTarget, s.followUpMonths]);
  const cached = planCache.get(key);
  if (cached) return cached;
  const etas = new Float64Array(CALIBRATION_COHORT);
  for (let j = 0; j < CALIBRATION_COHORT; j++) etas[j] = sampleLatentPatient(o, j, CALIBRATION_STREAM_OFFSET).eta;
  const solution = solveCensoringRate(etas, model, s.censoringTarget, s.followUpMonths);
  const plan: SurvivalPlan = {
    model,
    censoring: { rate: solution.rate, followUp: s.followUpMonths },
    calibration: { ...solution, cohort: CALIBRATION_COHORT },
  };
  planCache.set(key, plan);
  return plan;
}

/** Patient `latent.index`'s outcome, from its own survival stream. */
export function patientSurvival(o: ResolvedPetCtOptions, plan: SurvivalPlan, latent: LatentPatient): SurvivalOutcome {
  const rng = new Rng(o.seed, latent.index, PETCT_STREAM.survival);
  return drawSurvival(rng, latent.eta, plan.model, plan.censoring);
}

export interface LatentCohortMember {
  latent: LatentPatient;
  outcome: SurvivalOutcome;
}

/**
 * Patients first … first + count − 1 without images: covariates, true η and outcomes exactly as
 * the imaging generator produces them.
 */
export function simulateLatentCohort(o: ResolvedPetCtOptions, count: number, first = 0): LatentCohortMember[] {
  checkInteger('count', count, 0, 10_000_000);
  checkInteger('first', first, 0, 0xffffffff - count);
  const plan = planSurvival(o);
  return Array.from({ length: count }, (_, k) => {
    const latent = sampleLatentPatient(o, first + k);
    return { latent, outcome: patientSurvival(o, plan, latent) };
  });
}
