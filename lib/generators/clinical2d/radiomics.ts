/**
 * Radiomics: R = f(S, C, d)·exp(ε_R), ε_R ~ N(0, rad_sd²) per feature (measurement error on the
 * log scale keeps every feature positive). (S, C) are the size and contrast of the region the
 * pipeline measured (truth.regionSize / regionContrast): the lesion when z = 1, otherwise the most
 * suspicious lesion-free region, a dense-tissue candidate whose contrast grows with density.
 * d is the density. With τ(d) = bg_base·√(gland_gain²·d(1 − d) + (tex_fine + tex_den·d)²), the
 * background's intensity SD, the features are:
 *
 *   area            π·S²/4                                    px²
 *   mean_contrast   C                                         intensity above the background
 *   edge_sharpness  C / (4·lesion_edge·(1 + d))               peak margin gradient (the logistic
 *                                                             margin's C/4w), lowered by overlying tissue
 *   texture_energy  C² / (C² + τ(d)²)                         ROI homogeneity in (0, 1) (GLCM-energy-like)
 *   mean_intensity  bg_base·(1 + gland_gain·d) + C            mean ROI intensity (background mean + C)
 *
 * With clinical_columns the observed covariates age, density and risk follow, exactly as drawn.
 */
import type { ClinicalConfig } from './config.js';
import { Rng } from '../../core/philox.js';
import { CLINICAL_STREAMS, type ClinicalTruth } from './latents.js';

export const RADIOMICS_FEATURES = Object.freeze(['area', 'mean_contrast', 'edge_sharpness', 'texture_energy', 'mean_intensity'] as const);
export const CLINICAL_COLUMNS = Object.freeze(['age', 'density', 'risk'] as const);

/** Column names of the tabular array for `config`. */
export function tabularColumns(config: Readonly<ClinicalConfig>): string[] {
  return config.clinical_columns ? [...RADIOMICS_FEATURES, ...CLINICAL_COLUMNS] : [...RADIOMICS_FEATURES];
}

/** The noise-free f(S, C, d) of each feature, in RADIOMICS_FEATURES order. */
export function radiomicsMean(config: Readonly<ClinicalConfig>, size: number, contrast: number, density: number): number[] {
  const c = config;
  const fine = c.tex_fine + c.tex_den * density;
  const tau2 = c.bg_base * c.bg_base * (c.gland_gain * c.gland_gain * density * (1 - density) + fine * fine);
  const c2 = contrast * contrast;
  return [
    (Math.PI / 4) * size * size,
    contrast,
    contrast / (4 * c.lesion_edge * (1 + density)),
    c2 + tau2 > 0 ? c2 / (c2 + tau2) : 0,
    c.bg_base * (1 + c.gland_gain * density) + contrast,
  ];
}

/** The tabular array [n, F] (float32, row-major) for the samples in `truth`. */
export function computeTabular(config: Readonly<ClinicalConfig>, truth: ClinicalTruth): Float32Array {
  const n = truth.index.length;
  const columns = tabularColumns(config).length;
  const out = new Float32Array(n * columns);
  const F = RADIOMICS_FEATURES.length;
  const rng = new Rng(config.seed, 0, 0, 'uniform32');
  for (let j = 0; j < n; j++) {
    rng.reset(truth.index[j], CLINICAL_STREAMS.radiomics);
    const mean = radiomicsMean(config, truth.regionSize[j], truth.regionContrast[j], truth.density[j]);
    const row = j * columns;
    for (let k = 0; k < F; k++) out[row + k] = mean[k] * Math.exp(rng.normal(0, config.rad_sd));
    if (config.clinical_columns) {
      out[row + F] = truth.age[j];
      out[row + F + 1] = truth.density[j];
      out[row + F + 2] = truth.risk[j];
    }
  }
  return out;
}
