/**
 * Static INT8 quantization to a QDQ model, which ORT fuses into QLinearConv / QGemm / int8
 * pooling and concat: every activation next to an int8-capable node gets QuantizeLinear →
 * DequantizeLinear (uint8, asymmetric, from its calibrated range); Conv and Gemm weights become
 * per-output-channel symmetric int8 (scale = max|w|/127) behind a DequantizeLinear, biases int32
 * with scale s_x·s_w[c]. A ReLU right after a quantized Conv/Gemm is dropped: quantizing with
 * zero point at the range's 0 (lo clamped to 0) clamps exactly as ReLU does. Max pooling and
 * pure data-movement ops (DepthToSpace, Flatten) share their input's parameters, so ORT runs them
 * on the int8 data directly. Nodes named in `keepFloat` (e.g. the first conv, heads) keep float
 * weights and their float-only neighbourhood; graph outputs stay float.
 */
import { MedsynthError } from '../errors.js';
import type { Range } from './calibrate.js';
import { consumers, type Graph, type GraphNode, initializerF32, int, producers } from './graph.js';

/** Ops ORT's CPU provider runs in int8 when wrapped in Q/DQ. */
const INT8_CAPABLE = new Set(['Conv', 'Gemm', 'Add', 'MaxPool', 'Concat', 'GlobalAveragePool', 'AveragePool', 'DepthToSpace', 'Flatten']);
/** Ops whose output takes the input's quantization parameters (they only move or select values). */
const SHARES_INPUT_PARAMS = new Set(['MaxPool', 'DepthToSpace', 'Flatten']);
const WEIGHTED = new Set(['Conv', 'Gemm']);
/** Quantized ops whose output Q can absorb a following ReLU (its range starts at 0). */
const ABSORBS_RELU = new Set(['Conv', 'Gemm', 'Add']);

export interface QuantizeOptions {
  /** Node names (module paths like 'enc1.0', 'seg_head') kept in float. */
  keepFloat?: readonly string[];
}

interface QParams {
  scale: number;
  zeroPoint: number;
}

/** uint8 asymmetric parameters covering [min(lo, 0), max(hi, 0)]. */
export function activationParams({ lo, hi }: Range): QParams {
  const rmin = Math.min(lo, 0);
  const rmax = Math.max(hi, 0);
  const scale = rmax > rmin ? (rmax - rmin) / 255 : 1;
  return { scale: Math.fround(scale), zeroPoint: Math.min(255, Math.max(0, Math.round(-rmin / scale))) };
}

/** Per-output-channel symmetric int8 weights (axis 0). */
export function quantizeWeights(w: Float32Array, channels: number): { q: Int8Array; scales: Float32Array } {
  const per = w.length / channels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(w[c * per + i]));
    const s = Math.fround(m > 0 ? m / 127 : 1);
    scales[c] = s;
    for (let i = 0; i < per; i++) q[c * per + i] = Math.max(-127, Math.min(127, Math.round(w[c * per + i] / s)));
  }
  return { q, scales };
}

function isRelu(n: GraphNode | undefined): n is GraphNode {
  return n?.op === 'Relu';
}

/** The QDQ model; `graph` is not modified. Needs ranges for every activation next to a quantized node. */
export function quantizeGraph(source: Graph, ranges: ReadonlyMap<string, Range>, { keepFloat = [] }: QuantizeOptions = {}): Graph {
  const graph: Graph = { ...source, nodes: source.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })), initializers: new Map(source.initializers), metadata: { ...source.metadata } };
  const known = new Set(graph.nodes.map((n) => n.name));
  const unknown = keepFloat.filter((k) => !known.has(k));
  if (unknown.length) throw new MedsynthError('INVALID_ARGUMENT', `--keep-float names no node of the model: ${unknown.join(', ')} (nodes are module paths such as ${[...known].slice(0, 3).join(', ')})`);
  const float = new Set(keepFloat);
  // Graph outputs stay float, and so do the values an output Identity merely renames: the risk
  // score would otherwise come out in 256 levels (ties that cost C-index) — QGemm then writes float.
  const isOutput = new Set(graph.outputs.map((o) => o.name));
  for (const n of graph.nodes) if (n.op === 'Identity' && isOutput.has(n.outputs[0])) isOutput.add(n.inputs[0]);
  const quantized = (n: GraphNode) => INT8_CAPABLE.has(n.op) && !float.has(n.name) && !(WEIGHTED.has(n.op) && !graph.initializers.has(n.inputs[1]));

  // Drop ReLUs that follow a quantized Conv/Gemm/Add alone: the output's Q clamps at 0 instead.
  const users = consumers(graph);
  const dropped = new Set<GraphNode>();
  for (const n of graph.nodes) {
    if (!ABSORBS_RELU.has(n.op) || !quantized(n) || isOutput.has(n.outputs[0])) continue;
    const next = users.get(n.outputs[0]);
    if (next?.length === 1 && isRelu(next[0])) {
      n.outputs[0] = next[0].outputs[0];
      dropped.add(next[0]);
    }
  }
  graph.nodes = graph.nodes.filter((n) => !dropped.has(n));

  // Which activations get Q/DQ, and with which parameters (shared through max pool and reshapes).
  const made = producers(graph);
  const used = consumers(graph);
  const params = new Map<string, QParams>();
  const wants = (t: string) => !isOutput.has(t) && !graph.initializers.has(t) && ([made.get(t), ...(used.get(t) ?? [])].some((n) => n && quantized(n)));
  const paramsFor = (t: string): QParams => {
    const p = made.get(t);
    if (p && SHARES_INPUT_PARAMS.has(p.op) && quantized(p) && params.has(p.inputs[0])) return params.get(p.inputs[0]) as QParams;
    const r = ranges.get(t);
    if (!r || !Number.isFinite(r.lo) || !Number.isFinite(r.hi)) throw new MedsynthError('INVALID_ARGUMENT', `no calibration range for activation ${t}`);
    // A dropped ReLU's output keeps its calibrated range, which starts at 0: the zero point is 0.
    return activationParams(r);
  };
  const activations = [...graph.inputs.map((i) => i.name), ...graph.nodes.flatMap((n) => n.outputs)];
  for (const t of activations) if (wants(t)) params.set(t, paramsFor(t));

  const nodes: GraphNode[] = [];
  const dq = new Map<string, string>();
  const qdq = (t: string) => {
    const p = params.get(t) as QParams;
    const scale = `${t}_scale`;
    const zp = `${t}_zero_point`;
    graph.initializers.set(scale, { dims: [], data: Float32Array.of(p.scale) });
    graph.initializers.set(zp, { dims: [], data: Uint8Array.of(p.zeroPoint) });
    nodes.push({ op: 'QuantizeLinear', name: `${t}_Q`, inputs: [t, scale, zp], outputs: [`${t}_q`], attrs: {} });
    nodes.push({ op: 'DequantizeLinear', name: `${t}_DQ`, inputs: [`${t}_q`, scale, zp], outputs: [`${t}_dq`], attrs: {} });
    dq.set(t, `${t}_dq`);
  };
  for (const i of graph.inputs) if (params.has(i.name)) qdq(i.name);
  for (const n of graph.nodes) {
    const node = { ...n, inputs: n.inputs.map((i) => dq.get(i) ?? i) };
    if (WEIGHTED.has(n.op) && quantized(n)) quantizeWeightsOf(graph, node, params.get(n.inputs[0]) as QParams, nodes);
    nodes.push(node);
    for (const o of n.outputs) if (params.has(o)) qdq(o);
  }
  graph.nodes = nodes;
  graph.metadata = { ...graph.metadata, medsynth_quantization: JSON.stringify({ weights: 'int8 per-channel symmetric', activations: 'uint8 asymmetric', keep_float: [...float] }) };
  return graph;
}

/** Replaces the node's weight and bias inputs by int8 / int32 tensors behind DequantizeLinear nodes. */
function quantizeWeightsOf(graph: Graph, node: GraphNode, x: QParams, nodes: GraphNode[]): void {
  const wName = node.inputs[1];
  const w = initializerF32(graph, wName);
  const channels = w.dims[0];
  const { q, scales } = quantizeWeights(w.data, channels);
  const set = (name: string, dims: number[], data: Float32Array | Int8Array | Int32Array) => graph.initializers.set(name, { dims, data });
  set(`${wName}_quantized`, w.dims, q);
  set(`${wName}_scale`, [channels], scales);
  set(`${wName}_zero_point`, [channels], new Int8Array(channels));
  nodes.push({ op: 'DequantizeLinear', name: `${wName}_DQ`, inputs: [`${wName}_quantized`, `${wName}_scale`, `${wName}_zero_point`], outputs: [`${wName}_dq`], attrs: { axis: int(0) } });
  node.inputs[1] = `${wName}_dq`;
  graph.initializers.delete(wName);
  const bName = node.inputs[2];
  if (!bName) return;
  const b = initializerF32(graph, bName).data;
  const bScale = Float32Array.from(scales, (s) => s * x.scale);
  set(`${bName}_quantized`, [channels], Int32Array.from(b, (v, c) => Math.round(v / bScale[c])));
  set(`${bName}_scale`, [channels], bScale);
  set(`${bName}_zero_point`, [channels], new Int32Array(channels));
  nodes.push({ op: 'DequantizeLinear', name: `${bName}_DQ`, inputs: [`${bName}_quantized`, `${bName}_scale`, `${bName}_zero_point`], outputs: [`${bName}_dq`], attrs: { axis: int(0) } });
  node.inputs[2] = `${bName}_dq`;
  graph.initializers.delete(bName);
}
