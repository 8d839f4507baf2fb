import { describe, expect, it } from 'vitest';

import { philox4x32_10, Rng, seedKey, uniformDouble } from '../lib/core/philox.js';
import { philoxWords } from '../lib/core/philox_native.js';
import { setThreads } from '../lib/core/threads.js';

// Random123's kat_vectors, "philox4x32 10" lines: counter[4], key[2] -> output[4].
const KAT: Array<[number[], number[], number[]]> = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

describe('Philox4x32-10', () => {
  it('TypeScript matches the Random123 known-answer vectors', () => {
    for (const [ctr, key, want] of KAT) {
      expect([...philox4x32_10(ctr as [number, number, number, number], key as [number, number])]).toEqual(want);
    }
  });

  it('native matches the known-answer vectors through the (seed, sample, stream, counter) layout', () => {
    for (const [ctr, key, want] of KAT) {
      const seed = BigInt(key[1]) * 2n ** 32n + BigInt(key[0]);
      const counter = ctr[1] * 2 ** 32 + ctr[0];
      if (counter > Number.MAX_SAFE_INTEGER) continue; // counters are safe integers in the API
      expect([...philoxWords(seed, ctr[2], ctr[3], counter, 1)]).toEqual(want);
    }
  });

  it('native and TypeScript streams agree on random keys and counters', () => {
    const rng = new Rng(12345, 0, 0);
    for (let t = 0; t < 50; t++) {
      const seed = rng.nextU32() * 2 ** 21 + (rng.nextU32() >>> 11);
      const sample = rng.nextU32();
      const stream = rng.nextU32();
      const counter = rng.nextU32() * 1000;
      const native = philoxWords(seed, sample, stream, counter, 3);
      for (let i = 0; i < 3; i++) {
        const c = counter + i;
        const ts = philox4x32_10([c % 2 ** 32, Math.floor(c / 2 ** 32), sample, stream], seedKey(seed));
        expect([...native.subarray(4 * i, 4 * i + 4)]).toEqual([...ts]);
      }
    }
  });

  it('bulk words do not depend on the thread count', () => {
    setThreads(1);
    const one = philoxWords(7, 3, 2, 0, 100_000);
    setThreads(2);
    const two = philoxWords(7, 3, 2, 0, 100_000);
    setThreads();
    expect(Buffer.from(one.buffer).equals(Buffer.from(two.buffer))).toBe(true);
  });

  it('Rng draws are reproducible and uniform', () => {
    const a = new Rng(99, 4, 1);
    const b = new Rng(99, 4, 1);
    const xs = Array.from({ length: 20000 }, () => a.uniform());
    expect(xs.every((x, i) => x === (i >= 0 ? b.uniform() : 0))).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / xs.length));
    expect(uniformDouble(0xffffffff, 0xffffffff)).toBeLessThan(1);
    const normals = Array.from({ length: 20000 }, () => a.normal());
    const m = normals.reduce((s, x) => s + x, 0) / normals.length;
    const v = normals.reduce((s, x) => s + (x - m) ** 2, 0) / normals.length;
    expect(Math.abs(m)).toBeLessThan(4 / Math.sqrt(normals.length));
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });

  it('rejects bad seeds and streams with a clear error', () => {
    expect(() => new Rng(-1, 0, 0)).toThrow(/Expected an integer/);
    expect(() => new Rng(1.5, 0, 0)).toThrow(/seed/);
    expect(() => new Rng(1, 2 ** 32, 0)).toThrow(/sample/);
    expect(() => philoxWords(1, 0, 0, 0, -1)).toThrow(/count/);
  });
});
