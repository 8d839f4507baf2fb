import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { callNative, nativeAddon } from '../lib/native.js';
import { gaussianBlur, gaussianKernel1d, gaussianRadius } from '../lib/ops/gaussian_blur.js';
import type { Dims } from '../lib/validate.js';
import { referenceGaussianBlur, referenceKernel } from '../lib/reference/gaussian_blur.js';

interface Fixture {
  inputs: Record<string, { dims: number[]; data: number[] }>;
  cases: Array<{ input: string; sigma: number | number[]; truncate: number; output: number[] }>;
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('./fixtures/scipy_gaussian.json', import.meta.url), 'utf8'),
);

function randomVolume(n: number, seed: number, lo = 0.25, hi = 1.25): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const sameBytes = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Index of the first element where |got - want| > tol(want), or -1. */
function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, tol: (w: number) => number): number {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol(want[i]))) return i;
  }
  return -1;
}

/** 1e-5 relative for data bounded away from 0; 1e-5 of the data's scale for signed data. */
function tolerance(input: ArrayLike<number>): (w: number) => number {
  let min = Infinity, maxAbs = 0;
  for (let i = 0; i < input.length; i++) {
    min = Math.min(min, input[i]);
    maxAbs = Math.max(maxAbs, Math.abs(input[i]));
  }
  return min > 0 ? (w) => 1e-5 * Math.abs(w) : () => 1e-5 * maxAbs;
}

describe('gaussianBlur matches scipy.ndimage.gaussian_filter', () => {
  for (const c of fixture.cases) {
    const inp = fixture.inputs[c.input];
    it(`${c.input} sigma=${JSON.stringify(c.sigma)} truncate=${c.truncate}`, async () => {
      const x = Float32Array.from(inp.data);
      const got = await gaussianBlur(x, inp.dims as unknown as Dims, { sigma: c.sigma, truncate: c.truncate });
      expect(firstMismatch(got, c.output, tolerance(x))).toBe(-1);
      // The oracle used below agrees with scipy too.
      const sigma = typeof c.sigma === 'number' ? inp.dims.map(() => c.sigma as number) : c.sigma;
      const ref = referenceGaussianBlur(x, inp.dims, sigma, c.truncate);
      expect(firstMismatch(ref, c.output, tolerance(x))).toBe(-1);
    });
  }
});

describe('gaussianBlur against the float64 reference', () => {
  const cases: Array<{ dims: number[]; sigma: number[]; truncate?: number; signed?: boolean }> = [
    { dims: [31, 47], sigma: [1.3, 2.1] },
    { dims: [7, 19, 33], sigma: [0.8, 1.7, 2.6] },
    { dims: [5, 1, 9], sigma: [2, 2, 2] }, // an axis of length 1
    { dims: [1, 6, 3], sigma: [1, 3, 4] }, // radii 12 and 16 on axes of 6 and 3
    { dims: [2, 200], sigma: [0.4, 6] },
    { dims: [20, 8, 70], sigma: [3, 0, 1] }, // many slices; z radius 12
    { dims: [3, 130, 300], sigma: [1, 2, 1.5] }, // few large slices: split into row tasks
    { dims: [6, 13, 37], sigma: [2.2, 0.9, 1.1], truncate: 2.5, signed: true },
    { dims: [4, 5, 6], sigma: [0.1, 0.12, 0.2] }, // radius 0 and 1
  ];
  for (const c of cases) {
    it(`${c.dims.join('×')} sigma=${c.sigma.join(',')}${c.signed ? ' signed' : ''}`, async () => {
      const n = count(c.dims);
      const x = c.signed ? randomVolume(n, n, -50, 50) : randomVolume(n, n);
      const want = referenceGaussianBlur(x, c.dims, c.sigma, c.truncate);
      const got = await gaussianBlur(x, c.dims as unknown as Dims, { sigma: c.sigma, truncate: c.truncate });
      expect(firstMismatch(got, want, tolerance(x))).toBe(-1);
      // In place gives the same bytes.
      const y = Float32Array.from(x);
      expect(await gaussianBlur(y, c.dims as unknown as Dims, { sigma: c.sigma, truncate: c.truncate }, y)).toBe(y);
      expect(sameBytes(y, got)).toBe(true);
    });
  }

  it('accepts arrays that start at any byte offset', async () => {
    const dims: Dims = [5, 21, 70];
    const n = count(dims);
    const x = randomVolume(n, 9);
    const want = await gaussianBlur(x, dims, { sigma: [1.5, 2, 2.5] });
    const buffer = new ArrayBuffer(4 * (n + 1));
    const xs = new Float32Array(buffer, 4, n);
    xs.set(x);
    const outBuffer = new ArrayBuffer(4 * (n + 3));
    const out = new Float32Array(outBuffer, 12, n);
    await gaussianBlur(xs, dims, { sigma: [1.5, 2, 2.5] }, out);
    expect(sameBytes(out, want)).toBe(true);
    await gaussianBlur(xs, dims, { sigma: [1.5, 2, 2.5] }, xs);
    expect(sameBytes(xs, want)).toBe(true);
  });
});

describe('gaussianBlur analytic cases', () => {
  it('a blurred delta is the product of the sampled normalised kernels', async () => {
    const dims: Dims = [21, 23, 25];
    const centre = [10, 11, 12];
    const sigma = [1.5, 2, 2.5]; // radii 6, 8, 10: no border is reached
    const x = new Float32Array(count(dims));
    x[(centre[0] * dims[1] + centre[1]) * dims[2] + centre[2]] = 1;
    const got = await gaussianBlur(x, dims, { sigma });
    const k = sigma.map((s) => gaussianKernel1d(s));
    const r = k.map((w) => (w.length - 1) / 2);
    let mismatches = 0;
    for (let z = 0; z < dims[0]; z++) {
      for (let y = 0; y < dims[1]; y++) {
        for (let xx = 0; xx < dims[2]; xx++) {
          const d = [z - centre[0], y - centre[1], xx - centre[2]];
          const inside = d.every((v, a) => Math.abs(v) <= r[a]);
          const want = inside ? k[0][d[0] + r[0]] * k[1][d[1] + r[1]] * k[2][d[2] + r[2]] : 0;
          const v = got[(z * dims[1] + y) * dims[2] + xx];
          if (!(inside ? Math.abs(v - want) <= 1e-5 * want : v === 0)) mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);
  });

  it('a 2D delta is the outer product of the kernels; sigma 0 leaves an axis alone', async () => {
    const x = new Float32Array(3 * 15 * 17);
    x[1 * 255 + 7 * 17 + 8] = 1;
    const got = await gaussianBlur(x, [3, 15, 17], { sigma: [0, 1, 1.5] });
    const ky = gaussianKernel1d(1), kx = gaussianKernel1d(1.5);
    for (let y = 0; y < 15; y++) {
      for (let xx = 0; xx < 17; xx++) {
        const dy = y - 7, dx = xx - 8;
        const want = Math.abs(dy) <= 4 && Math.abs(dx) <= 6 ? ky[dy + 4] * kx[dx + 6] : 0;
        expect(Math.abs(got[255 + y * 17 + xx] - want)).toBeLessThanOrEqual(1e-5 * want);
        expect(got[y * 17 + xx]).toBe(0);
        expect(got[510 + y * 17 + xx]).toBe(0);
      }
    }
  });

  it('keeps a constant volume constant (reflection and normalised taps)', async () => {
    const x = new Float32Array(4 * 9 * 11).fill(3.25);
    const got = await gaussianBlur(x, [4, 9, 11], { sigma: [2, 5, 0.7] });
    for (const v of got) expect(Math.abs(v - 3.25)).toBeLessThanOrEqual(3.25 * 1e-6);
  });

  it('gaussianKernel1d is scipy\'s kernel', () => {
    expect(gaussianRadius(1)).toBe(4);
    expect(gaussianRadius(2, 2.5)).toBe(5);
    expect(gaussianRadius(0.1)).toBe(0);
    for (const [s, t] of [[0.7, 4], [2, 2.5], [3.3, 4]]) {
      const w = gaussianKernel1d(s, t);
      const ref = referenceKernel(s, t);
      expect(w.length).toBe(ref.length);
      w.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 15));
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
    expect([...gaussianKernel1d(0)]).toEqual([1]);
  });

  it('sigma in mm with spacing equals sigma in voxels', async () => {
    const dims: Dims = [6, 12, 14];
    const x = randomVolume(count(dims), 5);
    const mm = await gaussianBlur(x, dims, { sigma: [2, 1.5, 3], spacing: [2, 0.5, 1.5] });
    const vox = await gaussianBlur(x, dims, { sigma: [1, 3, 2] });
    expect(sameBytes(mm, vox)).toBe(true);
  });
});

describe('gaussianBlur determinism', () => {
  for (const dims of [[24, 64, 96], [3, 160, 256]]) {
    it(`${dims.join('×')}: 1 and 2 threads give the same bytes, in and out of place`, async () => {
      const x = randomVolume(count(dims), 11);
      const opts = { sigma: [2, 1.5, 3] };
      try {
        setThreads(1);
        const one = await gaussianBlur(x, dims as unknown as Dims, opts);
        const oneIn = Float32Array.from(x);
        await gaussianBlur(oneIn, dims as unknown as Dims, opts, oneIn);
        setThreads(2);
        const two = await gaussianBlur(x, dims as unknown as Dims, opts);
        const twoIn = Float32Array.from(x);
        await gaussianBlur(twoIn, dims as unknown as Dims, opts, twoIn);
        expect(sameBytes(one, two)).toBe(true);
        expect(sameBytes(one, oneIn)).toBe(true);
        expect(sameBytes(one, twoIn)).toBe(true);
      } finally {
        setThreads();
      }
    });
  }

  it('in place with a y radius longer than the axis (slice copied first)', async () => {
    const dims: Dims = [18, 5, 40];
    const x = randomVolume(count(dims), 12);
    const out = await gaussianBlur(x, dims, { sigma: [0, 3, 0.5] });
    const y = Float32Array.from(x);
    await gaussianBlur(y, dims, { sigma: [0, 3, 0.5] }, y);
    expect(sameBytes(out, y)).toBe(true);
    const want = referenceGaussianBlur(x, dims, [0, 3, 0.5]);
    expect(firstMismatch(out, want, tolerance(x))).toBe(-1);
  });
});

describe('gaussianBlur rejects bad input', () => {
  const x = new Float32Array(2 * 3 * 4);
  const dims: Dims = [2, 3, 4];
  const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ name: 'MedsynthError', code: 'INVALID_ARGUMENT' });

  it('sigma, spacing and truncate', async () => {
    await bad(gaussianBlur(x, dims, { sigma: NaN }));
    await bad(gaussianBlur(x, dims, { sigma: [1, NaN, 1] }));
    await bad(gaussianBlur(x, dims, { sigma: -1 }));
    await bad(gaussianBlur(x, dims, { sigma: Infinity }));
    await bad(gaussianBlur(x, dims, { sigma: [1, 1] }));
    await bad(gaussianBlur(x, dims, { sigma: 1, spacing: [1, 0, 1] }));
    await bad(gaussianBlur(x, dims, { sigma: 1, spacing: [1, 1] }));
    await bad(gaussianBlur(x, dims, { sigma: 1, truncate: 0 }));
    await bad(gaussianBlur(x, dims, { sigma: 1, truncate: NaN }));
    await bad(gaussianBlur(x, dims, { sigma: 1e6 }));
    await bad(gaussianBlur(x, dims, { sigma: 1, spacing: [1e-300, 1, 1] }));
    await bad(gaussianBlur(x, dims, undefined as unknown as { sigma: number }));
    await expect(gaussianBlur(x, dims, { sigma: [1, NaN, 1] })).rejects.toThrow(/sigma\[1\]/);
    expect(() => gaussianKernel1d(NaN)).toThrow(/sigma/);
  });

  it('shapes, lengths, types and overlap', async () => {
    await bad(gaussianBlur(x, [0, 3, 4] as unknown as Dims, { sigma: 1 }));
    await bad(gaussianBlur(x, [2, 3, 4, 1] as unknown as Dims, { sigma: 1 }));
    await bad(gaussianBlur(x, [2, 3.5, 4] as unknown as Dims, { sigma: 1 }));
    await bad(gaussianBlur(x, [5, 5], { sigma: 1 }));
    await bad(gaussianBlur(x, dims, { sigma: 1 }, new Float32Array(5)));
    await bad(gaussianBlur(new Float64Array(24) as unknown as Float32Array, dims, { sigma: 1 }));
    const buffer = new Float32Array(30);
    await bad(gaussianBlur(buffer.subarray(0, 24), dims, { sigma: 1 }, buffer.subarray(2, 26)));
  });

  it('the binding re-checks what it is given', async () => {
    const addon = nativeAddon<{ gaussianBlur(...args: unknown[]): Promise<void> }>();
    const call = (...args: unknown[]) => callNative(Promise.resolve().then(() => addon.gaussianBlur(...args)));
    const p = { dims: [2, 3, 4], sigma: [1, 1, 1], truncate: 4 };
    await bad(call(x, new Float32Array(23), p));
    await bad(call(new Float32Array(25), x, p));
    await bad(call(x, x, { ...p, sigma: [1, 1] }));
    await bad(call(x, x, { ...p, sigma: [1, -1, 1] }));
    await bad(call(x, x, { ...p, truncate: 0 }));
    await bad(call(x, x, { ...p, sigma: [1e9, 1, 1] }));
    await bad(call(x, x, { ...p, dims: [2, 3] }));
    await bad(call(new Int16Array(24), x, p));
    const buffer = new Float32Array(30);
    await bad(call(buffer.subarray(0, 24), buffer.subarray(1, 25), p));
  });
});
