/**
 * ClinicalSynth (seed 000): 2D image + radiomics + clinical label from one latent disease model.
 *
 *   latents     age ~ N(58, 10²) on [40, 85], density ~ Beta(2, 2), risk ∈ {0, 1, 2} w.p. .55/.30/.15,
 *               scanner ∈ {A, B, C} equally likely (all configurable; config.ts)
 *   disease     P(z = 1) = σ(a0 + a_age·age + a_den·density + a_risk·risk)   (≈ 6.4% with the defaults)
 *   lesion      size = size_base + size_age·age + size_den·density + N(0, size_sd²)  (diameter, px)
 *               contrast = con_base − con_den·density + N(0, con_sd²); lobulated, elongated, soft margin
 *   image       parenchyma (fat + dense tissue covering ≈ density of the image, texture growing with
 *               density) + z·lesion, blurred by the scanner's PSF (device_blur), + detector noise
 *   radiomics   area, mean_contrast, edge_sharpness, texture_energy, mean_intensity = f(S, C, d)·e^ε
 *               of the lesion, or for z = 0 of a dense-tissue candidate region (radiomics.ts)
 *   label       y flips z: P(y = 0 | z = 1) = eta_fn, P(y = 1 | z = 0) = eta_fp
 *   oracle      P(z | age, density, risk) and the ceiling P(y | z) with their AUC / accuracy (oracle.ts)
 * Sample i is a pure function of (seed, i): Philox streams keyed by (seed, i, stream) for the
 * latents (TS) and the texture and noise (native, field/clinical2d.h).
 */
export { ClinicalSynth, clinicalSplits, SPLIT_SEEDS } from './synth.js';
export type { ClinicalBatch, ClinicalRecords, SampleOptions, SplitSizes } from './synth.js';
export { DEFAULT_CLINICAL_CONFIG, describeClinicalConfig, resolveClinicalConfig } from './config.js';
export type { ClinicalConfig, ClinicalConfigInput } from './config.js';
export { CLINICAL_STREAMS } from './latents.js';
export type { ClinicalTruth } from './latents.js';
export { CLINICAL_COLUMNS, RADIOMICS_FEATURES, radiomicsMean, tabularColumns } from './radiomics.js';
export { accuracy, clinicalOracle, labelProbability, priorProbability, rocAuc } from './oracle.js';
export type { ClinicalOracleReport, OracleScore } from './oracle.js';
export { clinicalResourceEstimate, FEATURE_FORMULAS, writeClinicalDataset } from './dataset.js';
export type { ClinicalWriteOptions, ClinicalWriteResult } from './dataset.js';
export { clinicalExampleGrid } from './example_grid.js';
export type { ExampleGrid, ExampleGridOptions } from './example_grid.js';
