import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type StoredTensor } from '../../lib/nn/safetensors.js';

const PYTHON = '/usr/bin/python3';

function sample(): Map<string, StoredTensor> {
  return new Map<string, StoredTensor>([
    ['cnn.0.weight', { dtype: 'F32', shape: [2, 1, 3], data: Float32Array.of(1, -2, 3.5, 4, 5e-8, -6) }],
    ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: BigInt64Array.of(12345678901n) }],
    ['x', { dtype: 'F64', shape: [2], data: Float64Array.of(Math.PI, -0) }],
    ['labels', { dtype: 'U8', shape: [3], data: Uint8Array.of(0, 1, 255) }],
    ['idx', { dtype: 'I32', shape: [1, 1], data: Int32Array.of(-7) }],
    ['empty', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
  ]);
}

describe('safetensors', () => {
  it('round-trips every dtype, shape and the metadata', () => {
    const bytes = encodeSafetensors(sample(), { format: 'pt', note: 'ü' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt', note: 'ü' });
    for (const [name, t] of sample()) {
      const r = back.tensors.get(name)!;
      expect(r.dtype).toBe(t.dtype);
      expect([...r.shape]).toEqual([...t.shape]);
      expect(r.data).toEqual(t.data);
    }
  });

  it('writes atomically and reads back from disk', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'st-'));
    const file = path.join(dir, 'm.safetensors');
    writeSafetensors(file, sample());
    expect(readdirSync(dir)).toEqual(['m.safetensors']);
    expect(readSafetensors(file).tensors.get('cnn.0.weight')!.data).toEqual(sample().get('cnn.0.weight')!.data);
  });

  it('refuses truncated, malformed and inconsistent files with what is wrong', () => {
    const bytes = encodeSafetensors(sample());
    expect(() => decodeSafetensors(bytes.slice(0, 5))).toThrow(/shorter than the 8-byte/);
    expect(() => decodeSafetensors(bytes.slice(0, bytes.length - 4))).toThrow(/truncated|after the last|ends at byte/);
    const garbage = Uint8Array.from(bytes);
    garbage[8] = 0x78; // corrupt the JSON
    expect(() => decodeSafetensors(garbage)).toThrow(/CORRUPT|not JSON|not a valid/);
    const huge = Uint8Array.from(bytes);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => decodeSafetensors(huge, 'x.safetensors')).toThrow(/x\.safetensors .*header length/);
    const header = JSON.stringify({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } });
    const bad = new Uint8Array(8 + header.length + 8);
    new DataView(bad.buffer).setBigUint64(0, BigInt(header.length), true);
    bad.set(Buffer.from(header), 8);
    expect(() => decodeSafetensors(bad)).toThrow(/needs 12 bytes but data_offsets span 8/);
    expect(() => encodeSafetensors(new Map([['a', { dtype: 'F32', shape: [2], data: new Float32Array(3) }]]))).toThrow(/needs 2 values/);
  });

  it.skipIf(!existsSync(PYTHON))('is read by the reference implementation (python safetensors or a manual parse with torch)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'st-'));
    const file = path.join(dir, 'm.safetensors');
    writeSafetensors(file, sample(), { format: 'pt' });
    const script = `
import json, struct, sys
import numpy as np
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
data = b[8 + n:]
w = h['cnn.0.weight']
a = np.frombuffer(data[w['data_offsets'][0]:w['data_offsets'][1]], dtype='<f4').reshape(w['shape'])
t = h['bn.num_batches_tracked']
c = np.frombuffer(data[t['data_offsets'][0]:t['data_offsets'][1]], dtype='<i8')
try:
    from safetensors.numpy import load_file
    assert np.array_equal(load_file(sys.argv[1])['cnn.0.weight'], a)
except ImportError:
    pass
print(json.dumps({'w': a.tolist(), 'c': int(c[0]), 'meta': h['__metadata__']}))
`;
    const out = JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }));
    expect(out.c).toBe(12345678901);
    expect(out.meta).toEqual({ format: 'pt' });
    expect(out.w.flat(2)).toEqual(Array.from(Float32Array.of(1, -2, 3.5, 4, 5e-8, -6)));
    void readFileSync;
    void writeFileSync;
  });
});
