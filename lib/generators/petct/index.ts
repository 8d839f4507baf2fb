/**
 * The PET/CT generator: paired CT (HU) and PET (SUV) with 1–3 FDG-avid tumours, a tumour mask,
 * clinical covariates and survival outcomes from a known Cox model (lib/survival/simulate.ts),
 * as 3D volumes or 2D axial slices through the primary tumour.
 */
export { COVARIATE_NAMES, COVARIATE_STANDARDISATION, DEFAULT_BETA, covariateVector, rawCovariates } from './covariates.js';
export type { ClinicalCovariates, CovariateName, ImagingTruth, Sex } from './covariates.js';
export { LESION_LIMITS, lobulatedVolume } from './lesions.js';
export type { LesionRole, LesionSite, LesionSpec, Stage } from './lesions.js';
export { CALIBRATION_COHORT, PETCT_STREAM, planSurvival, sampleLatentPatient, simulateLatentCohort } from './latent.js';
export type { LatentCohortMember, LatentPatient, SurvivalPlan } from './latent.js';
export { DEFAULT_FOV_MM, DEFAULT_SIZE_2D, DEFAULT_SIZE_3D, betaVector, describePetCtOptions, resolvePetCtOptions } from './options.js';
export type { PetCtMode, PetCtOptions, PetCtSurvivalOptions, ResolvedPetCtOptions } from './options.js';
export { patientId, samplePetCtParams } from './params.js';
export type { PetCtPatientParams, PlacedLesion } from './params.js';
export { PETCT_STRUCTURES, TISSUES } from './tissues.js';
export { PetCtRenderer } from './render.js';
export { renderPetCtPreview } from './preview.js';

export { generatePetCtPatient, gridAffine, renderPetCtPatient, voxelOf } from './patient.js';
export type { PetCtPatient } from './patient.js';
export { generatePetCtDataset } from './dataset.js';
export type { PetCtDatasetHooks, PetCtDatasetOptions, PetCtDatasetResult } from './dataset.js';
export type { Grid, Modality } from './scene.js';
