/**
 * ONNX export of engine models. A model that can be exported has `onnxGraph(builder)`, which
 * declares its named inputs/outputs (batch as the symbolic axis 'batch') and emits its forward
 * pass layer by layer in inference form; batch norm is then folded into the convolutions.
 * Export never changes the model (weights are copied, the mode is untouched).
 */
import { MedsynthError } from '../errors.js';
import type { Architecture } from '../nn/checkpoint.js';
import type { Module } from '../nn/module.js';
import { medsynthVersion } from '../version.js';
import { foldBatchNorm } from './fold_batch_norm.js';
import { encodeModel, type Graph, GraphBuilder } from './graph.js';

export interface OnnxExportable extends Module {
  onnxGraph(builder: GraphBuilder): void;
  architecture(): Architecture;
}

export function isOnnxExportable(m: Module): m is OnnxExportable {
  const candidate = m as unknown as Partial<OnnxExportable>;
  return typeof candidate.onnxGraph === 'function' && typeof candidate.architecture === 'function';
}

export interface ExportOptions {
  /** Fold batch norm into the preceding conv (default true; false keeps BatchNormalization nodes). */
  foldBatchNorm?: boolean;
}

/** The model's inference graph. */
export function exportGraph(model: Module, { foldBatchNorm: fold = true }: ExportOptions = {}): Graph {
  if (!isOnnxExportable(model)) throw new MedsynthError('INVALID_ARGUMENT', `${model.typeName} has no ONNX graph (no onnxGraph method)`);
  const builder = new GraphBuilder(model.typeName);
  model.onnxGraph(builder);
  const graph = builder.graph;
  if (fold) foldBatchNorm(graph);
  graph.metadata.medsynth_architecture = JSON.stringify(model.architecture());
  graph.metadata.medsynth_version = medsynthVersion();
  return graph;
}

/** The model as ONNX bytes (opset 17). */
export function exportOnnx(model: Module, options: ExportOptions = {}): Uint8Array {
  return encodeModel(exportGraph(model, options));
}
