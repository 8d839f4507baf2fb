/** Float graph → calibrated QDQ graph: ConvTranspose rewrite, calibration, quantization. */
import { activationNames, calibrate, type CalibrationOptions, type Sample } from './calibrate.js';
import { cloneGraph, type Graph } from './graph.js';
import { quantizeGraph, type QuantizeOptions } from './quantize.js';
import { rewriteConvTranspose } from './rewrite_conv_transpose.js';

export interface QuantizeModelOptions extends CalibrationOptions, QuantizeOptions {
  /** Rewrite 2×2/stride-2 ConvTranspose as Conv + DepthToSpace so it runs in int8 (default true). */
  rewriteConvTranspose?: boolean;
}

export async function quantizeModel(fp32: Graph, samples: readonly Sample[], options: QuantizeModelOptions = {}): Promise<{ graph: Graph; rewritten: number }> {
  const graph = cloneGraph(fp32);
  const rewritten = options.rewriteConvTranspose === false ? 0 : rewriteConvTranspose(graph);
  const ranges = await calibrate(graph, samples, activationNames(graph), options);
  return { graph: quantizeGraph(graph, ranges, options), rewritten };
}
