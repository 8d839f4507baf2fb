/** Evaluation metrics: segmentation overlap, survival concordance, calibration, uncertainty. */
export {
  type ConfusionCounts,
  type SegmentationInput,
  type SegmentationMetricOptions,
  type SegmentationMetrics,
  type SegmentationScores,
  scoresFromCounts,
  segmentationMetrics,
} from './segmentation.js';
export { type ConcordanceResult, concordanceIndex } from './c_index.js';
export {
  type CalibrationMode,
  type CalibrationOptions,
  type CalibrationResult,
  expectedCalibrationError,
} from './calibration.js';
export { type CorrelationResult, uncertaintyErrorCorrelation } from './correlation.js';
export { type SegmentationErrorMap, segmentationErrorMap } from './segmentation_error.js';
export { type SliceSums, sliceSums } from './slice_sums.js';
