/**
 * safetensors (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}` padded
 * with spaces to a multiple of 8, then the tensors' bytes (little-endian, C order) back to back;
 * offsets count from the end of the header. Reading checks every offset, length and dtype, so a
 * truncated or hand-edited file is refused with what is wrong instead of yielding garbage.
 */
import { readFileSync } from 'node:fs';

import { MedsynthError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8';

type DtypeArray = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** One stored tensor: its dtype, shape and elements in C order. */
export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: DtypeArray;
}

export interface SafetensorsFile {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

const DTYPES: Record<SafetensorsDtype, { bytes: number; make: (buffer: ArrayBuffer) => DtypeArray; array: string }> = {
  F64: { bytes: 8, make: (b) => new Float64Array(b), array: 'Float64Array' },
  F32: { bytes: 4, make: (b) => new Float32Array(b), array: 'Float32Array' },
  I64: { bytes: 8, make: (b) => new BigInt64Array(b), array: 'BigInt64Array' },
  I32: { bytes: 4, make: (b) => new Int32Array(b), array: 'Int32Array' },
  I16: { bytes: 2, make: (b) => new Int16Array(b), array: 'Int16Array' },
  I8: { bytes: 1, make: (b) => new Int8Array(b), array: 'Int8Array' },
  U8: { bytes: 1, make: (b) => new Uint8Array(b), array: 'Uint8Array' },
};

/** The header may not exceed 100 MB (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Serialises tensors (in name order) and string metadata into one safetensors byte buffer. */
export function encodeSafetensors(tensors: ReadonlyMap<string, StoredTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new MedsynthError('INVALID_ARGUMENT', `safetensors metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const names = [...tensors.keys()].sort();
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new MedsynthError('INVALID_ARGUMENT', "a tensor may not be named '__metadata__'");
    const t = tensors.get(name)!;
    const spec = DTYPES[t.dtype];
    if (!spec) throw new MedsynthError('INVALID_ARGUMENT', `tensor '${name}': unknown dtype ${String(t.dtype)}`);
    if (t.data.constructor.name !== spec.array) {
      throw new MedsynthError('INVALID_ARGUMENT', `tensor '${name}': dtype ${t.dtype} needs a ${spec.array}, got a ${t.data.constructor.name}`);
    }
    if (elementCount(t.shape) !== t.data.length) {
      throw new MedsynthError('INVALID_ARGUMENT', `tensor '${name}': shape [${t.shape.join(', ')}] needs ${elementCount(t.shape)} values, got ${t.data.length}`);
    }
    const bytes = t.data.length * spec.bytes;
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);

  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    // Typed arrays are little-endian on every platform Node supports (x86-64, arm64).
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

function corrupt(source: string, why: string): MedsynthError {
  return new MedsynthError('CORRUPT_FILE', `${source} is not a valid safetensors file: ${why}`);
}

/** Parses a safetensors buffer; `source` names it in errors. Tensor data is copied (aligned). */
export function decodeSafetensors(bytes: Uint8Array, source = 'buffer'): SafetensorsFile {
  if (bytes.length < 8) throw corrupt(source, `${bytes.length} bytes is shorter than the 8-byte header length`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerBytes > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw corrupt(source, `header length ${headerBytes} exceeds the ${bytes.length - 8} bytes that follow`);
  }
  const n = Number(headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString('utf8'));
  } catch (err) {
    throw corrupt(source, `header is not JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw corrupt(source, 'header is not a JSON object');

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw corrupt(source, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw corrupt(source, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw corrupt(source, `entry '${name}' is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPES)) throw corrupt(source, `tensor '${name}' has unsupported dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw corrupt(source, `tensor '${name}' has an invalid shape`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw corrupt(source, `tensor '${name}' has invalid data_offsets`);
    }
    const dtype = e.dtype as SafetensorsDtype;
    const shape = e.shape as number[];
    const expected = elementCount(shape) * DTYPES[dtype].bytes;
    if (offsets[1] - offsets[0] !== expected) {
      throw corrupt(source, `tensor '${name}' (${dtype} [${shape.join(', ')}]) needs ${expected} bytes but data_offsets span ${offsets[1] - offsets[0]}`);
    }
    if (offsets[1] > dataLength) throw corrupt(source, `tensor '${name}' ends at byte ${offsets[1]} but the file holds ${dataLength} data bytes (truncated?)`);
    entries.push({ name, dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  // The data section is exactly the tensors, back to back: no holes, no overlaps.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const e of byOffset) {
    if (e.begin !== cursor) throw corrupt(source, `tensor '${e.name}' starts at byte ${e.begin}, expected ${cursor} (overlap or hole)`);
    cursor = e.end;
  }
  if (cursor !== dataLength) throw corrupt(source, `${dataLength - cursor} bytes after the last tensor`);

  const tensors = new Map<string, StoredTensor>();
  for (const e of entries) {
    // A copy (Buffer.slice would share the pool): aligned, and independent of the file bytes.
    const copy = new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: Object.freeze(e.shape), data: DTYPES[e.dtype].make(copy.buffer) });
  }
  return { tensors, metadata };
}

/** Writes a safetensors file atomically (temp file + rename). */
export function writeSafetensors(file: string, tensors: ReadonlyMap<string, StoredTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomicSync(file, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(file: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new MedsynthError('IO_ERROR', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return decodeSafetensors(bytes, file);
}
