/**
 * What `medsynth optimize` needs from a model family, so one pipeline (optimize.ts) exports,
 * quantizes, prunes, evaluates and times both the seed-000 classifier and the PET/CT U-Net:
 * the float model, calibration feeds from the training data, a latency feed, held-out metrics of
 * an ONNX model, and pruned copies fine-tuned on the engine.
 */
import type { Module } from '../nn/module.js';
import type { Sample } from './calibrate.js';

export interface PrunedModel {
  /** File stem: model_<kind>_fp32.onnx / _int8.onnx. */
  kind: 'magnitude' | 'channels';
  model: Module;
  /** Share of conv/linear weights that are exactly zero (magnitude pruning). */
  sparsity?: number;
  /** One line for the report: what was pruned and how it was fine-tuned. */
  note: string;
}

export interface OptimizeTask {
  architecture: Record<string, unknown>;
  /** The trained float model, in eval mode. */
  model: Module;
  /** Metric names, in report order (the first is the headline); higher is better for each. */
  metrics: readonly string[];
  /** Where the data came from and how it was split, for the report. */
  data: Record<string, unknown>;
  /** One line: what calibrates, what is held out. */
  dataLine: string;
  calibration: Sample[];
  /** A batch-1 input for latency. */
  latencyFeed: Sample;
  /** Metrics of an ONNX model on the held-out data. */
  evaluate(model: Uint8Array): Promise<Record<string, number>>;
  /** Pruned copies of the model at `fraction`, each fine-tuned for `epochs` on the training data. */
  prune(fraction: number, epochs: number, log: (line: string) => void): Promise<PrunedModel[]>;
}
