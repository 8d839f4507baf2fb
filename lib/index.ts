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
export { generateDataset, resolveDatasetOptions, type DatasetOptions, type DatasetProgress, type DatasetResult } from './generators/anatomy3d/dataset.js';
export { openDataset, AnatomyDataset, type DatasetItem, type OpenDatasetOptions } from './datasets/reader.js';
export { planSplits, estimateResources, type MaskForm, type SplitPlan } from './generators/anatomy3d/plan.js';
export type { SplitName } from './datasets/reader.js';
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

// Images and longitudinal follow-up from one latent (seed 003)
export * from './generators/longitudinal/index.js';

// Loss and metric kernels (forward + gradient, batched)
export * from './loss/index.js';
export * from './metric/index.js';

export { runCli } from './cli/main.js';

// Lung nodules (seed 002) and the warp kernels under their augmentation
export * from './generators/nodules/index.js';
export * from './ops/warp.js';
// 2-D affine resampling and the PET/CT multi-task study (issue 13)
export { composeMaps, resizeMap, rotationFlipMap, warpAffine2d, type AffineMap2d, type PlaneStack, type WarpOptions } from './ops/resample2d.js';
export * as petctStudy from './studies/petct/index.js';
// Training engine (torch.nn vocabulary, safetensors checkpoints) and seed 000's classifier
export * as nn from './nn/index.js';
export { ClinicalClassifier } from './models/clinical_classifier.js';
export { trainClinical, CLINICAL_TRAIN_DEFAULTS, type ClinicalMetrics, type ClinicalTrainOptions, type ClinicalTrainResult, type TrainEvent } from './models/clinical_training.js';
// Seed 003's VAE on the engine: model, learned decoder behind LatentImageDecoder, training
export { ConvVae, gaussianKl, vaeLoss, type ConvVaeOptions, type VaeLoss, type VaeOutput } from './models/conv_vae.js';
export { loadVaeDecoder, VaeDecoder, type IntensityScale } from './models/vae_decoder.js';
export { trainVae, type VaeEpochRow, type VaeTrainOptions, type VaeTrainResult } from './models/vae_training.js';

// ONNX export, INT8 quantization and pruning (issue 14); seed 004's multi-task U-Net
export * as onnx from './onnx/index.js';
export { MultiTaskUNet, UNET_BLOCKS, type UNetOptions, type UNetOutputs } from './models/unet.js';


// Seed 002's 3D WGAN-GP on the engine
export { NoduleCritic, NoduleGenerator, resolveWganShape, type WganShape } from './models/nodule_wgan.js';
export { gradientPenalty, WGAN_DEFAULTS, WganTrainer, type WganLosses } from './models/nodule_wgan_training.js';
export { GanNoduleSource, trainNoduleGan, type GanEpochRecord, type GanTrainOptions } from './models/nodule_gan_run.js';
// sharded runs (issue 17): shard partition and manifests, merging, the dry-run plan
export { mergeShards, type MergeResult } from './shard/merge.js';
export { collectShards, readShardManifest, type ShardManifest } from './shard/manifest.js';
export { shardBlock, type IndexRange, type ShardSpec } from './shard/partition.js';
export { planDatasetRun, type DryRunPlan } from './generators/anatomy3d/dry_run.js';
export { ganNoduleSource, loadNoduleGenerator } from './models/nodule_gan_checkpoint.js';
export { NoduleClassifier, type NoduleClassifierShape } from './models/nodule_classifier.js';
export { DOWNSTREAM_DEFAULTS, downstreamTable, runDownstreamExperiment, type DownstreamOptions, type DownstreamResult, type DownstreamRun } from './models/nodule_downstream.js';

// Streaming samples of any generator, and datasets on disk, for tools that embed medsynth (issue 18)
export { samples, samplesStream } from './stream/samples.js';
export { AbortError, SampleStream, streamSamples, type SampleAdapter, type StreamOptions } from './stream/pipeline.js';
export type { AnatomyStreamOptions, ClinicalSample, ClinicalStreamOptions, GeneratorStreamOptions, LongitudinalSample, LongitudinalStreamOptions, NoduleStreamOptions, NoduleStreamSample, PetCtSample, PetCtStreamOptions } from './stream/generator_adapters.js';
export type { DatasetStreamOptions } from './datasets/dataset_samples.js';
export { startViewer, type ViewerOptions, type ViewerServer } from './viewer/server.js';
