/**
 * ORT's CPU provider has no int8 ConvTranspose, so a quantized U-Net would run its up-sampling
 * in float. A 2-D ConvTranspose with kernel 2, stride 2, no padding/dilation/output padding is
 * exactly a 1×1 Conv to 4·Cout channels followed by DepthToSpace(2, CRD):
 *   y[n, co, 2h+dy, 2w+dx] = b[co] + Σ_ci x[n, ci, h, w] · W[ci, co, dy, dx]
 * so the Conv's weight is W'[co·4 + dy·2 + dx, ci, 0, 0] = W[ci, co, dy, dx] and its bias b
 * repeated four times; CRD's channel order is c·4 + dy·2 + dx. Both then quantize as usual.
 */
import type { Attribute, Graph, GraphNode } from './graph.js';
import { initializerF32, int, ints, str } from './graph.js';

const is = (a: Attribute | undefined, v: number[]): boolean => (a === undefined ? true : a.kind === 'ints' && a.value.length === v.length && a.value.every((x, i) => x === v[i]));

function rewritable(node: GraphNode, graph: Graph): boolean {
  if (node.op !== 'ConvTranspose') return false;
  const w = graph.initializers.get(node.inputs[1]);
  if (!w || w.dims.length !== 4 || w.dims[2] !== 2 || w.dims[3] !== 2) return false;
  const a = node.attrs;
  return is(a.strides, [2, 2]) && is(a.pads, [0, 0, 0, 0]) && is(a.dilations, [1, 1]) && is(a.output_padding, [0, 0]) && (a.group === undefined || (a.group.kind === 'int' && a.group.value === 1));
}

/** Rewrites every eligible ConvTranspose in place; returns how many. */
export function rewriteConvTranspose(graph: Graph): number {
  const out: GraphNode[] = [];
  let count = 0;
  for (const node of graph.nodes) {
    if (!rewritable(node, graph)) {
      out.push(node);
      continue;
    }
    const w = initializerF32(graph, node.inputs[1]);
    const [cin, cout] = w.dims;
    const weight = new Float32Array(cout * 4 * cin);
    for (let ci = 0; ci < cin; ci++) {
      for (let co = 0; co < cout; co++) {
        for (let k = 0; k < 4; k++) weight[(co * 4 + k) * cin + ci] = w.data[(ci * cout + co) * 4 + k];
      }
    }
    const bias = node.inputs[2] ? initializerF32(graph, node.inputs[2]).data : new Float32Array(cout);
    const wName = `${node.name}.weight_1x1`;
    const bName = `${node.name}.bias_1x1`;
    graph.initializers.set(wName, { dims: [cout * 4, cin, 1, 1], data: weight });
    graph.initializers.set(bName, { dims: [cout * 4], data: Float32Array.from({ length: cout * 4 }, (_, i) => bias[Math.floor(i / 4)]) });
    graph.initializers.delete(node.inputs[1]);
    if (node.inputs[2]) graph.initializers.delete(node.inputs[2]);
    const mid = `${node.name}_phases`;
    out.push({ op: 'Conv', name: node.name, inputs: [node.inputs[0], wName, bName], outputs: [mid], attrs: { kernel_shape: ints([1, 1]) } });
    out.push({ op: 'DepthToSpace', name: `${node.name}.d2s`, inputs: [mid], outputs: [...node.outputs], attrs: { blocksize: int(2), mode: str('CRD') } });
    count++;
  }
  graph.nodes = out;
  return count;
}
