/**
 * Folds inference-mode BatchNormalization into the Conv, ConvTranspose or Gemm (transB) that
 * feeds it alone: with s = γ / √(var + ε), W'[c] = W[c]·s[c] and b'[c] = (b[c] − mean[c])·s[c] + β[c],
 * computed in float64 and rounded once. The graph loses the BN node and its four tensors.
 */
import { consumers, type Graph, type GraphNode, initializerF32 } from './graph.js';

/** Axis of the weight that indexes output channels. */
function outputAxis(node: GraphNode): number | null {
  if (node.op === 'Conv') return 0;
  if (node.op === 'ConvTranspose') return 1;
  if (node.op === 'Gemm' && node.attrs.transB?.kind === 'int' && node.attrs.transB.value === 1) return 0;
  return null;
}

export function foldBatchNorm(graph: Graph): number {
  const users = consumers(graph);
  const producerOf = new Map<string, GraphNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producerOf.set(o, n);
  const removed = new Set<GraphNode>();
  for (const bn of graph.nodes) {
    if (bn.op !== 'BatchNormalization') continue;
    const conv = producerOf.get(bn.inputs[0]);
    if (!conv || users.get(bn.inputs[0])?.length !== 1 || graph.outputs.some((o) => o.name === bn.inputs[0])) continue;
    const axis = outputAxis(conv);
    if (axis === null) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((n) => initializerF32(graph, n).data);
    const eps = bn.attrs.epsilon?.kind === 'float' ? bn.attrs.epsilon.value : 1e-5;
    const w = initializerF32(graph, conv.inputs[1]);
    const channels = gamma.length;
    const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + eps));
    // Weight laid out [d0, d1, rest…]; the output channel is d0 (Conv, Gemm) or d1 (ConvTranspose).
    const inner = w.data.length / (w.dims[0] * w.dims[1]);
    for (let i = 0; i < w.dims[0]; i++) {
      for (let j = 0; j < w.dims[1]; j++) {
        const s = scale[axis === 0 ? i : j];
        const base = (i * w.dims[1] + j) * inner;
        for (let k = 0; k < inner; k++) w.data[base + k] = w.data[base + k] * s;
      }
    }
    const oldBias = conv.inputs[2] ? initializerF32(graph, conv.inputs[2]).data : new Float32Array(channels);
    const bias = Float32Array.from(oldBias, (b, c) => (b - mean[c]) * scale[c] + beta[c]);
    const biasName = conv.inputs[2] || `${conv.name}.bias`;
    graph.initializers.set(biasName, { dims: [channels], data: bias });
    conv.inputs[2] = biasName;
    conv.outputs[0] = bn.outputs[0];
    for (const n of bn.inputs.slice(1)) graph.initializers.delete(n);
    removed.add(bn);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  return removed.size;
}
