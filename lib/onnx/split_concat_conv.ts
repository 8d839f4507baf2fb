/**
 * A Conv that alone reads a channel Concat of two tensors is exactly the sum of two Convs, one
 * per part, with the weight split along its input channels (the bias goes to the first):
 *   Conv(Concat(a, b), W, bias) = Conv(a, W[:, :Ca], bias) + Conv(b, W[:, Ca:])
 * Same multiply-adds, but in the U-Net's decoder the int8 graph ORT builds no longer needs the
 * Concat (ORT runs QLinearConcat in NCHW, so it transposes the skip tensor out of NHWC and the
 * concatenation back into it): the skip goes straight into its own QLinearConv and the two
 * partial results meet in a QLinearAdd. Measured on the base-64 U-Net at 256² (sums of per-node
 * minimum times, 1 thread): the layout work falls from 8.6 to 3.9 ms, but the two narrower
 * QLinearConvs take ~5 ms more than the one they replace — a wash, so quantizeModel applies it
 * only when asked (`splitConcat: true`).
 */
import { MedsynthError } from '../errors.js';
import { consumers, type Graph, type GraphNode, initializerF32, producers } from './graph.js';

/** Channel count of a value, followed back through ops that keep or rescale it (undefined: unknown). */
export function channelsOf(graph: Graph, name: string, made = producers(graph)): number | undefined {
  const input = graph.inputs.find((i) => i.name === name);
  if (input) return typeof input.dims?.[1] === 'number' ? input.dims[1] : undefined;
  const n = made.get(name);
  if (!n) return undefined;
  if (n.op === 'Conv') return graph.initializers.get(n.inputs[1])?.dims[0];
  if (n.op === 'ConvTranspose') {
    const w = graph.initializers.get(n.inputs[1]);
    const group = n.attrs.group?.kind === 'int' ? n.attrs.group.value : 1;
    return w ? w.dims[1] * group : undefined;
  }
  if (n.op === 'DepthToSpace') {
    const c = channelsOf(graph, n.inputs[0], made);
    const b = n.attrs.blocksize?.kind === 'int' ? n.attrs.blocksize.value : NaN;
    return c === undefined ? undefined : c / (b * b);
  }
  if (['Relu', 'LeakyRelu', 'Sigmoid', 'MaxPool', 'AveragePool', 'BatchNormalization', 'Identity', 'Resize'].includes(n.op)) return channelsOf(graph, n.inputs[0], made);
  if (n.op === 'Concat' && n.attrs.axis?.kind === 'int' && n.attrs.axis.value === 1) {
    let sum = 0;
    for (const i of n.inputs) {
      const c = channelsOf(graph, i, made);
      if (c === undefined) return undefined;
      sum += c;
    }
    return sum;
  }
  return undefined;
}

/**
 * Rewrites every eligible Concat → Conv in place (not the Convs named in `keep`); returns the
 * partial sums' value names (two per split). Calibration must not clip those: they can be large
 * and of either sign yet cancel in the sum.
 */
export function splitConcatConv(graph: Graph, keep: readonly string[] = []): string[] {
  const made = producers(graph);
  const users = consumers(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const gone = new Set<GraphNode>();
  const replace = new Map<GraphNode, GraphNode[]>();
  const partials: string[] = [];
  for (const conv of graph.nodes) {
    if (conv.op !== 'Conv' || keep.includes(conv.name) || (conv.attrs.group && !(conv.attrs.group.kind === 'int' && conv.attrs.group.value === 1))) continue;
    const cat = made.get(conv.inputs[0]);
    if (!cat || cat.op !== 'Concat' || cat.inputs.length !== 2 || !(cat.attrs.axis?.kind === 'int' && cat.attrs.axis.value === 1)) continue;
    if (users.get(cat.outputs[0])?.length !== 1 || outputs.has(cat.outputs[0]) || !graph.initializers.has(conv.inputs[1])) continue;
    const ca = channelsOf(graph, cat.inputs[0], made);
    const w = initializerF32(graph, conv.inputs[1]);
    const [cout, cin] = w.dims;
    if (ca === undefined || !(ca > 0 && ca < cin)) continue;
    const per = w.data.length / (cout * cin);
    const part = (from: number, to: number) => {
      const out = new Float32Array(cout * (to - from) * per);
      for (let o = 0; o < cout; o++) out.set(w.data.subarray((o * cin + from) * per, (o * cin + to) * per), o * (to - from) * per);
      return out;
    };
    const [wa, wb] = [`${conv.inputs[1]}_a`, `${conv.inputs[1]}_b`];
    graph.initializers.set(wa, { dims: [cout, ca, ...w.dims.slice(2)], data: part(0, ca) });
    graph.initializers.set(wb, { dims: [cout, cin - ca, ...w.dims.slice(2)], data: part(ca, cin) });
    graph.initializers.delete(conv.inputs[1]);
    const [ya, yb] = [`${conv.outputs[0]}_a`, `${conv.outputs[0]}_b`];
    partials.push(ya, yb);
    replace.set(conv, [
      { ...conv, name: `${conv.name}.a`, inputs: [cat.inputs[0], wa, ...conv.inputs.slice(2)], outputs: [ya] },
      { ...conv, name: `${conv.name}.b`, inputs: [cat.inputs[1], wb], outputs: [yb] },
      { op: 'Add', name: `${conv.name}.sum`, inputs: [ya, yb], outputs: [...conv.outputs], attrs: {} },
    ]);
    gone.add(cat);
  }
  if (replace.size === 0) return partials;
  const nodes: GraphNode[] = [];
  for (const n of graph.nodes) {
    if (gone.has(n)) continue;
    nodes.push(...(replace.get(n) ?? [n]));
  }
  // The Concat's inputs are produced before it, so every replacement stays topologically ordered.
  if (nodes.length !== graph.nodes.length - gone.size + 2 * replace.size) throw new MedsynthError('INVALID_ARGUMENT', 'splitConcatConv: node count mismatch');
  graph.nodes = nodes;
  return partials;
}
