/** Float graph → calibrated QDQ graph: ConvTranspose rewrite, calibration, quantization. */
import { activationNames, calibrate, type CalibrationOptions, type Sample } from './calibrate.js';
import { cloneGraph, type Graph } from './graph.js';
import { quantizeGraph, type QuantizeOptions } from './quantize.js';
import { rewriteConvTranspose } from './rewrite_conv_transpose.js';
import { splitConcatConv } from './split_concat_conv.js';

export interface QuantizeModelOptions extends CalibrationOptions, QuantizeOptions {
  /** Rewrite 2×2/stride-2 ConvTranspose as Conv + DepthToSpace so it runs in int8 (default true). */
  rewriteConvTranspose?: boolean;
  /**
   * Split each Conv reading a channel Concat into two Convs and an Add (default false; see
   * split_concat_conv.ts): ORT then needs no QLinearConcat and fewer Transposes (base-64 U-Net,
   * per-node minima: 8.6 → 3.9 ms), but the two narrower QLinearConvs cost about as much more.
   */
  splitConcat?: boolean;
}

export async function quantizeModel(fp32: Graph, samples: readonly Sample[], options: QuantizeModelOptions = {}): Promise<{ graph: Graph; rewritten: number }> {
  const graph = cloneGraph(fp32);
  const rewritten = options.rewriteConvTranspose === false ? 0 : rewriteConvTranspose(graph);
  const partials = options.splitConcat ? splitConcatConv(graph, options.keepFloat) : [];
  const ranges = await calibrate(graph, samples, activationNames(graph), { ...options, unclipped: new Set(partials) });
  return { graph: quantizeGraph(graph, ranges, options), rewritten };
}
