/**
 * Lung nodules (seed 002): procedural nodules of five kinds with exact masks and a Brock-style
 * malignancy label, TorchIO-style augmentation on native warps, insertion into CT, 1:1 balancing,
 * and radiomics-feature Fréchet distances for comparing nodule populations. A learned generator
 * plugs in as a NoduleSource.
 */
export { AXIS_RATIO, GROUND_GLASS_HU, KIND_SPECS, LOBULATION, NODULE_KINDS, PARENCHYMA_HU, SOLID_HU, SPICULATION } from './kinds.js';
export type { KindSpec, NoduleKind } from './kinds.js';
export { RISK_BETA, RISK_COVARIATES, calibrateIntercept, expectedPrevalence, riskCovariates, riskScore, sizeTerm } from './risk_model.js';
export { DEFAULT_FOV_MM as NODULE_DEFAULT_FOV_MM, describeNoduleOptions, resolveNoduleOptions } from './options.js';
export type { NoduleOptions, ResolvedNoduleOptions } from './options.js';
export { NODULE_STREAM, sampleNoduleParams } from './sample_params.js';
export type { NoduleHarmonic, NoduleParams, NoduleSpicule } from './sample_params.js';
export { CORE_LABEL, NODULE_LABEL, noduleShapes, renderNodule } from './render.js';
export type { NodulePatch } from './render.js';
export { applyAugment, resolveAugmentOptions, sampleAugmentParams } from './augment.js';
export type { AugmentOptions, AugmentParams } from './augment.js';
export { AugmentedNoduleSource, ProceduralNoduleSource } from './source.js';
export type { NoduleSample, NoduleSource } from './source.js';
export { HOST_FOV_MM, anatomyHostCt, checkHostCt, resolveHostCtOptions } from './host_ct.js';
export type { HostCt, HostCtOptions } from './host_ct.js';
export { insertNodule, lungBoxes } from './insert.js';
export type { InsertOptions, Insertion } from './insert.js';
export { planBalancedDataset } from './balance.js';
export type { BalanceEntry } from './balance.js';
export { planSources } from './plan_sources.js';
export { BALANCE_ARMS, GAN_SOURCE, TEST_OFFSET, VALIDATION_OFFSET, cohortEntries, evaluationSplits, renderPatchSet, trainingPlan } from './downstream.js';
export type { BalanceArm, DownstreamSplits, PatchSet, RenderPatchOptions } from './downstream.js';
export { binaryMetrics, youdenThreshold } from './classification_metrics.js';
export type { BinaryMetrics } from './classification_metrics.js';
export { RADIOMICS_FEATURES as NODULE_RADIOMICS_FEATURES, featuresFromSums, noduleFeatures, radiomicsSums } from './radiomics.js';
export type { RadiomicsOptions } from './radiomics.js';
export { frechetBootstrap, frechetDistance, frechetFromMoments, realVsRealBaseline, standardise, symmetricEigen } from './frechet.js';
export type { FrechetReport } from './frechet.js';
export { compareNoduleSets } from './evaluate.js';
export type { NoduleSet, NoduleSetComparison } from './evaluate.js';
export { TABLE_COLUMNS as NODULE_TABLE_COLUMNS, generateNoduleDataset } from './dataset.js';
export type { NoduleDatasetOptions, NoduleDatasetResult } from './dataset.js';
export { renderNodulePreview } from './preview.js';
export type { PreviewNodule } from './preview.js';
