// Issue 11, item 1: a kernel's input or output taken away while the native call runs (detached by
// structuredClone/ArrayBuffer.prototype.transfer then garbage-collected, or a resizable buffer
// shrunk) ends in the correct result or a coded error, never a signal. The tampering runs in a
// child with --expose-gc, so a crash there fails this test instead of the test run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { MedsynthError, gaussianBlur } from '../lib/index.js';
import { nativeAddon } from '../lib/native.js';
import { ROOT } from './helpers/cli.js';

interface Case { op?: string; target?: string; tamper?: string; result?: string; code?: string; uncoded?: string; done?: boolean }

describe('buffers taken away during a native call', () => {
  it('blur, noise, rasterize, cast and cox end in a correct result or a coded error', () => {
    const child = path.join(ROOT, 'test', 'reliability', 'buffer_tamper_child.mjs');
    const r = spawnSync(process.execPath, ['--expose-gc', '--harmony-rab-gsab-transfer', child], {
      cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TAMPER_EDGE: '128' },
    });
    const cases: Case[] = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect({ status: r.status, signal: r.signal, last: cases.at(-1) }).toEqual({ status: 0, signal: null, last: { done: true } });
    const runs = cases.filter((c) => c.op);
    expect(runs.length).toBe(5 * 2 * 3);
    for (const c of runs) {
      const label = `${c.op} ${c.target} ${c.tamper}`;
      if (c.tamper === 'resize') expect(c.code, label).toBe('INVALID_ARGUMENT');
      else if (c.code !== undefined) expect(c.code, label).toBe(c.target === 'out' || c.op === 'rasterizeLabels' ? 'BUFFER_DETACHED' : 'none');
      else expect(c.result, label).toBe('correct');
    }
    // A detached input never loses the result: the kernel worked on its own copy.
    expect(runs.filter((c) => c.target === 'input' && c.tamper !== 'resize' && c.op !== 'rasterizeLabels').every((c) => c.result === 'correct')).toBe(true);
  });

  it('the binding itself refuses resizable and growable buffers (not only the TypeScript layer)', async () => {
    const addon = nativeAddon<{ affine(a: Float32Array, b: Float32Array, p: object): Promise<void> }>();
    type Growable = new (bytes: number, options: { maxByteLength: number }) => ArrayBufferLike;
    const rab = new Float32Array(new (ArrayBuffer as unknown as Growable)(64, { maxByteLength: 128 }));
    const gsab = new Float32Array(new (SharedArrayBuffer as unknown as Growable)(64, { maxByteLength: 128 }));
    for (const bad of [rab, gsab]) {
      let error: unknown;
      try {
        await addon.affine(bad, new Float32Array(bad.length), { scale: 1, offset: 0 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MedsynthError);
      expect((error as MedsynthError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('synchronous engine ops work on the arrays themselves and still refuse resizable buffers', () => {
    // nnSgdStep updates param in place: a synchronous call cannot be raced by JS, so no copy is
    // taken and nothing needs writing back (bindings/buffer_staging.h, register_synchronous).
    const addon = nativeAddon<{ nnSgdStep(p: Float32Array, g: Float32Array, m: Float32Array | null, o: object): void }>();
    const options = { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true };
    const param = new Float32Array([1, 2, 3, 4]);
    const view = param.subarray(1, 3);
    addon.nnSgdStep(view, new Float32Array([2, 4]), null, options);
    expect(Array.from(param)).toEqual([1, 1, 1, 4]);
    type Growable = new (bytes: number, options: { maxByteLength: number }) => ArrayBufferLike;
    const rab = new Float32Array(new (ArrayBuffer as unknown as Growable)(16, { maxByteLength: 32 }));
    let error: unknown;
    try {
      addon.nnSgdStep(rab, new Float32Array(4), null, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MedsynthError);
    expect((error as MedsynthError).code).toBe('INVALID_ARGUMENT');
  });

  it('SharedArrayBuffer arrays (zero copy) and in-place calls on ordinary arrays give the same result', async () => {
    const n = 20 * 30 * 40;
    const plain = new Float32Array(n).map((_, i) => Math.cos(i * 0.1));
    const shared = new Float32Array(new SharedArrayBuffer(n * 4));
    shared.set(plain);
    const expected = await gaussianBlur(plain, [20, 30, 40], { sigma: 1.2 });
    const inPlace = plain.slice();
    await gaussianBlur(inPlace, [20, 30, 40], { sigma: 1.2 }, inPlace);
    const sharedOut = new Float32Array(new SharedArrayBuffer(n * 4));
    await gaussianBlur(shared, [20, 30, 40], { sigma: 1.2 }, sharedOut);
    expect(inPlace).toEqual(expected);
    expect(Array.from(sharedOut)).toEqual(Array.from(expected));
  });

  it('an input changed by the caller while the call runs keeps the caller\'s change', async () => {
    const input = new Float32Array(1 << 16).fill(1);
    const p = gaussianBlur(input, [256, 256], { sigma: 1 });
    input.fill(7);
    const out = await p;
    expect(out[100]).toBeCloseTo(1, 6);
    expect(input[100]).toBe(7);
  });
});
