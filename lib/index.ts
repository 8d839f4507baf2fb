/**
 * medsynth's public API. Generators produce samples and datasets; kernels (ops) are the native
 * building blocks; io writes and reads the formats; loss and metric kernels score models on the
 * data. Every function validates its input and throws MedsynthError with a stable code.
 */
export { MedsynthError, type MedsynthErrorCode } from './errors.js';
export type { Dims } from './validate.js';
export { buildInfo, getThreads, setThreads } from './core/threads.js';
export {
  cudaInfo, cudaMemoryUsage, releaseCudaMemory, resolveDevice, setCudaMemoryLimit, useCuda,
  type CudaInfo, type CudaTiming, type Device, type DeviceOption,
} from './core/device.js';
export { Rng, philox4x32_10, uniformDouble, uniformOpen01 } from './core/philox.js';
export { philoxWords } from './core/philox_native.js';
export { medsynthVersion } from './version.js';

// Kernels
export { castToInt16, castToUint8, clamp, rescale, windowLevel, type RescaleOptions, type WindowOptions } from './ops/intensity.js';
export { cropBox, labelBounds, labelMaskBox, type Box } from './ops/labels.js';
export * from './ops/gaussian_blur.js';
export * from './ops/bias_field.js';
export * from './ops/noise.js';
export * from './ops/rasterize.js';
export * from './ops/render_volume.js';
export { findNonFinite } from './ops/finite.js';
export { pinnedArray } from './core/pinned.js';

// 3D anatomy (seed 001)
export * from './generators/anatomy3d/index.js';
export { generateDataset, resolveDatasetOptions, type DatasetOptions, type DatasetProgress, type DatasetResult } from './datasets/generate_dataset.js';
export { openDataset, AnatomyDataset, type DatasetItem, type OpenDatasetOptions } from './datasets/reader.js';
export { planSplits, estimateResources, type MaskForm, type SplitName, type SplitPlan } from './datasets/plan.js';
export { renderAnatomyPreview } from './preview/anatomy_preview.js';
export { encodePng } from './io/png.js';

// ClinicalSynth: 2D image + radiomics + noisy label from one latent disease model (seed 000)
export * from './generators/clinical2d/index.js';

// PET/CT with tumours and survival (seed 004)
export * from './generators/petct/index.js';
export * from './survival/simulate.js';
export { coxFit, type CoxFitData, type CoxFitOptions, type CoxFitResult } from './survival/cox_fit.js';
export {
  centredOrigin, decodeNifti, encodeNifti, encodeNiftiHeader, lpsAffine, readNifti, writeNifti,
  type DecodedNifti, type Matrix4, type NiftiArray, type NiftiImage, type NiftiWriteOptions,
} from './io/nifti.js';

// Loss and metric kernels (forward + gradient, batched)
export * from './loss/index.js';
export * from './metric/index.js';

export { runCli } from './cli/main.js';
