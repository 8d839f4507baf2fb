/**
 * A plain in-memory ONNX graph (nodes, typed-array initializers, named inputs/outputs) that the
 * exporter builds, the quantizer and the pruner rewrite, and `encodeModel` serialises through
 * onnx-proto's protobuf messages (and `decodeModel` reads back, e.g. ORT's optimised graph).
 * Keeping our own structure means graph passes work on typed arrays, not protobuf objects.
 */
import onnxProto from 'onnx-proto';

import { MedsynthError } from '../errors.js';

const { onnx } = onnxProto;

export const OPSET = 17;
/** IR version 8 (ONNX 1.10+; onnx-proto's schema and Debian's checker both accept it). */
export const IR_VERSION = 8;

export type TensorData = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

export interface Initializer {
  dims: number[];
  data: TensorData;
}

export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };

export interface GraphNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attribute>;
  domain?: string;
}

/** A graph input or output: float32 unless said, dims with strings for symbolic axes ('batch'); null: shape unknown. */
export interface ValueInfo {
  name: string;
  dims: (number | string)[] | null;
  elemType?: number;
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: GraphNode[];
  initializers: Map<string, Initializer>;
  /** Free-form metadata stored in the model (producer facts, architecture JSON). */
  metadata: Record<string, string>;
}

export const int = (value: number): Attribute => ({ kind: 'int', value });
export const ints = (value: readonly number[]): Attribute => ({ kind: 'ints', value: [...value] });
export const float = (value: number): Attribute => ({ kind: 'float', value });
export const str = (value: string): Attribute => ({ kind: 'string', value });

/** Builds a graph with unique node and value names. */
export class GraphBuilder {
  readonly graph: Graph;
  private readonly used = new Set<string>();

  constructor(name: string) {
    this.graph = { name, inputs: [], outputs: [], nodes: [], initializers: new Map(), metadata: {} };
  }

  /** A fresh value name derived from `base`. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  input(name: string, dims: (number | string)[]): string {
    this.used.add(name);
    this.graph.inputs.push({ name, dims });
    return name;
  }

  /** Marks `value` as the graph output `name` (an Identity renames it when they differ). */
  output(name: string, value: string, dims: (number | string)[]): void {
    if (value !== name) this.node('Identity', [value], {}, { name, outputs: [name] });
    this.graph.outputs.push({ name, dims });
  }

  /** A constant tensor (copied), named after `name`. */
  constant(name: string, data: TensorData, dims: readonly number[]): string {
    const unique = this.unique(name);
    this.graph.initializers.set(unique, { dims: [...dims], data: data.slice() as TensorData });
    return unique;
  }

  /** Adds a node; returns its first output's name. */
  node(op: string, inputs: string[], attrs: Record<string, Attribute> = {}, { name, outputs }: { name?: string; outputs?: string[] } = {}): string {
    const nodeName = this.unique(name ?? op);
    const outs = outputs ?? [this.unique(`${nodeName}_out`)];
    for (const o of outs) this.used.add(o);
    this.graph.nodes.push({ op, name: nodeName, inputs, outputs: outs, attrs });
    return outs[0];
  }
}

const ELEM: Record<string, number> = {
  Float32Array: onnx.TensorProto.DataType.FLOAT,
  Int8Array: onnx.TensorProto.DataType.INT8,
  Uint8Array: onnx.TensorProto.DataType.UINT8,
  Int32Array: onnx.TensorProto.DataType.INT32,
  BigInt64Array: onnx.TensorProto.DataType.INT64,
};

function tensorProto(name: string, t: Initializer): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: t.dims, dataType: ELEM[t.data.constructor.name], rawData: bytes };
}

function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  const elemType = v.elemType ?? onnx.TensorProto.DataType.FLOAT;
  if (!v.dims) return { name: v.name, type: { tensorType: { elemType } } };
  const dim = v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name: v.name, type: { tensorType: { elemType, shape: { dim } } } };
}

function attributeProto(name: string, a: Attribute): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

/** Serialises a graph as an ONNX ModelProto (opset 17 + com.microsoft when used). */
export function encodeModel(graph: Graph, producer = 'medsynth'): Uint8Array {
  const domains = new Set(graph.nodes.map((n) => n.domain ?? ''));
  const opsetImport = [{ domain: '', version: OPSET }];
  if (domains.has('com.microsoft')) opsetImport.push({ domain: 'com.microsoft', version: 1 });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: producer,
    opsetImport,
    metadataProps: Object.entries(graph.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: [...graph.initializers].map(([name, t]) => tensorProto(name, t)),
      node: graph.nodes.map((n) => ({
        opType: n.op,
        name: n.name,
        input: n.inputs,
        output: n.outputs,
        domain: n.domain ?? '',
        attribute: Object.entries(n.attrs).map(([k, a]) => attributeProto(k, a)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The nodes of a serialised model (op type, domain, inputs, outputs) and its metadata; weights are not decoded. */
export interface DecodedModel {
  producer: string;
  metadata: Record<string, string>;
  nodes: { op: string; domain: string; name: string; inputs: string[]; outputs: string[] }[];
  inputs: string[];
  outputs: string[];
  initializerNames: string[];
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new MedsynthError('CORRUPT_FILE', `not an ONNX model: ${(err as Error).message}`);
  }
  if (!model.graph) throw new MedsynthError('CORRUPT_FILE', 'not an ONNX model: no graph');
  const g = model.graph;
  const names = (xs: ({ name?: string | null } | null | undefined)[] | null | undefined) => (xs ?? []).map((v) => v?.name ?? '');
  return {
    producer: model.producerName ?? '',
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    nodes: (g.node ?? []).map((n) => ({ op: n.opType ?? '', domain: n.domain ?? '', name: n.name ?? '', inputs: n.input ?? [], outputs: n.output ?? [] })),
    inputs: names(g.input),
    outputs: names(g.output),
    initializerNames: names(g.initializer),
  };
}

/** Consumers of each value name. */
export function consumers(graph: Graph): Map<string, GraphNode[]> {
  const out = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) out.set(i, [...(out.get(i) ?? []), n]);
  return out;
}

/** The node producing each value name. */
export function producers(graph: Graph): Map<string, GraphNode> {
  const out = new Map<string, GraphNode>();
  for (const n of graph.nodes) for (const o of n.outputs) out.set(o, n);
  return out;
}

export function initializerF32(graph: Graph, name: string): { dims: number[]; data: Float32Array } {
  const t = graph.initializers.get(name);
  if (!t || !(t.data instanceof Float32Array)) throw new MedsynthError('INVALID_ARGUMENT', `initializer ${name} is not a float tensor`);
  return { dims: t.dims, data: t.data };
}

/** A deep copy (initializer data copied), for passes that must not touch the original. */
export function cloneGraph(graph: Graph): Graph {
  return {
    name: graph.name,
    inputs: graph.inputs.map((v) => ({ ...v, dims: v.dims && [...v.dims] })),
    outputs: graph.outputs.map((v) => ({ ...v, dims: v.dims && [...v.dims] })),
    nodes: graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    initializers: new Map([...graph.initializers].map(([k, t]) => [k, { dims: [...t.dims], data: t.data.slice() as TensorData }])),
    metadata: { ...graph.metadata },
  };
}
