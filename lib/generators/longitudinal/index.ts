// Images and longitudinal follow-up from one latent (seed 003).
export { ParametricOctDecoder, type DecodedImages, type LatentImageDecoder, type ParametricOctOptions } from './decoder.js';
export { FACTOR_COLUMNS, LATENT_DIM, LATENT_FACTORS, drusenCount, octRow, octRows } from './latent_map.js';
export { NlmeModel, resolveNlmeConfig, DROPOUT_KINDS, type DropoutKind, type NlmeConfig, type NlmeOptions, type NlmeSubject } from './nlme.js';
export { OCT_LAYERS, OCT_MAX_DRUSEN, OCT_REGIONS, OCT_ROW, OCT_STRIDE, renderOctRows, type OctRenderOptions } from './oct_render.js';
export { LONGITUDINAL_STREAMS } from './streams.js';
export { EXPONENTIAL, LOGISTIC, TRAJECTORY_MODELS, trajectoryModel, type TrajectoryModel, type TrajectoryModelName } from './trajectory_models.js';
export { latentTraversalPng, longitudinalPreviewPng, type TraversalOptions } from './preview.js';
export { writeLongitudinalDataset, longitudinalResourceEstimate, type LongitudinalWriteOptions, type LongitudinalWriteResult } from './dataset.js';
