/**
 * ONNX export, static INT8 quantization, pruning and onnxruntime benchmarking of engine models
 * (issue 14).
 */
export { exportGraph, exportOnnx, isOnnxExportable, type ExportOptions, type OnnxExportable } from './export.js';
export { decodeModel, encodeModel, GraphBuilder, OPSET, type Graph, type GraphNode, type Initializer } from './graph.js';
export { foldBatchNorm } from './fold_batch_norm.js';
export { rewriteConvTranspose } from './rewrite_conv_transpose.js';
export { activationNames, calibrate, CALIBRATION_METHODS, entropyThreshold, type CalibrationMethod, type CalibrationOptions, type Range, type Sample } from './calibrate.js';
export { activationParams, quantizeGraph, quantizeWeights, type QuantizeOptions } from './quantize.js';
export { quantizeModel, type QuantizeModelOptions } from './quantize_model.js';
export { int8Report, type Int8Report } from './int8_report.js';
export { channelPruneUNet, magnitudePrune, weightSparsity, type MagnitudePruneResult } from './prune.js';
export { createSession, runSession, type NamedArray, type SessionOptions } from './ort.js';
export { benchmarkLatency, OrtWorker, type Latency } from './ort_worker.js';
export { optimize, benchmarkMarkdown, findings, type ModelReport, type OptimizeOptions, type OptimizeReport } from './optimize.js';
export type { OptimizeTask, PrunedModel } from './optimize_task.js';
export { classifierTask } from './classifier_task.js';
export { spreadIndices, unetQuality, unetTask } from './unet_task.js';
export { fineTuneClassifier, fineTuneUNet, type FineTuneOptions, type UNetFineTuneOptions } from './finetune.js';
