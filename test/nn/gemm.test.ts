import { binding } from '../../lib/binding.js';
import { afterEach, describe, expect, it } from 'vitest';

import { setThreads } from '../../lib/core/threads.js';
import { MedsynthError } from '../../lib/errors.js';
import { callNativeSync } from '../../lib/native.js';
import { gemmIsa, setGemmIsa } from '../../lib/nn/ops/linear.js';
import { referenceGemm } from '../reference/nn/linear.js';
import { expectClose, randomTensor } from './helpers.js';

/** c = alpha·op(a)·op(b) + beta·c through the binding; returns a new array. */
function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, b: Float32Array, beta: number, c0: Float32Array): Float32Array {
  const c = c0.slice();
  callNativeSync(() => binding().nnGemm(a, b, c, Int32Array.of(m, n, k, transA ? 1 : 0, transB ? 1 : 0), alpha, beta));
  return c;
}

const random = (n: number, seed: number) => randomTensor([n], seed).data;
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

// K-long float32 dot products of N(0, 1) values: the error grows like √K·ε·|terms|.
const tolerance = (k: number) => ({ rtol: 1e-4, atol: 1e-5 * Math.max(1, Math.sqrt(k)) * 4 });

const bestIsa = gemmIsa() as 'avx512' | 'avx2' | 'scalar';

describe('sgemm against the float64 reference', () => {
  afterEach(() => setGemmIsa(bestIsa));

  const sizes: [number, number, number][] = [
    [1, 1, 1], [7, 33, 257], [257, 7, 33], [33, 257, 7], [1, 300, 20], [130, 1, 70], [97, 145, 600],
  ];
  for (const [m, n, k] of sizes) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${m}×${n}×${k} transA=${transA} transB=${transB}`, () => {
        const a = random(m * k, m + 1);
        const b = random(k * n, n + 2);
        const c0 = random(m * n, k + 3);
        for (const [alpha, beta] of [[1, 0], [-0.5, 1], [2, -0.75]]) {
          const expected = referenceGemm(transA, transB, m, n, k, alpha, a, b, beta, c0);
          expectClose(gemm(transA, transB, m, n, k, alpha, a, b, beta, c0), expected, `alpha ${alpha} beta ${beta}`, tolerance(k));
        }
      });
    }
  }

  it('beta = 0 never reads C (NaN there does not leak) and k = 0 scales C by beta', () => {
    const a = random(9 * 5, 1);
    const b = random(5 * 50, 2);
    const out = gemm(false, false, 9, 50, 5, 1, a, b, 0, new Float32Array(9 * 50).fill(NaN));
    expect(out.every(Number.isFinite)).toBe(true);
    const c0 = random(6, 3);
    expectClose(gemm(false, false, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 0.5, c0), Array.from(c0, (v) => v * 0.5), 'k = 0');
    expect([...gemm(false, false, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 0, c0)]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('every kernel set this CPU has agrees with the reference; the FMA kernels agree to the bit', () => {
    const [m, n, k] = [61, 203, 530];
    const a = random(m * k, 5);
    const b = random(k * n, 6);
    const c0 = random(m * n, 7);
    const expected = referenceGemm(false, true, m, n, k, 1.5, a, b, 0.5, c0);
    const results = new Map<string, Float32Array>();
    for (const isa of ['avx512', 'avx2', 'scalar'] as const) {
      if (!setGemmIsa(isa)) continue;
      const c = gemm(false, true, m, n, k, 1.5, a, b, 0.5, c0);
      expectClose(c, expected, isa, tolerance(k));
      results.set(isa, c);
    }
    expect(results.has('scalar')).toBe(true);
    if (results.has('avx512') && results.has('avx2')) expect(bytes(results.get('avx512')!)).toBe(bytes(results.get('avx2')!));
  });
});

describe('sgemm determinism', () => {
  afterEach(() => setThreads());

  it('gives the same bytes on 1 and 2 threads', () => {
    const [m, n, k] = [300, 515, 700];
    const a = random(m * k, 8);
    const b = random(k * n, 9);
    const run = (threads: number) => {
      setThreads(threads);
      return [bytes(gemm(false, false, m, n, k, 1, a, b, 0, new Float32Array(m * n))), bytes(gemm(true, true, n, m, k, 1, b, a, 0, new Float32Array(m * n)))];
    };
    expect(run(2)).toEqual(run(1));
  });
});

describe('sgemm bad input', () => {
  it('rejects wrong lengths and bad sizes with INVALID_ARGUMENT', () => {
    const f = (n: number) => new Float32Array(n);
    const call = (dims: number[], a = f(6), b = f(12), c = f(8)) => () =>
      callNativeSync(() => binding().nnGemm(a, b, c, Int32Array.from(dims), 1, 0));
    expect(call([2, 4, 3, 0, 0])).not.toThrow();
    expect(call([2, 4, 3, 0, 0], f(5))).toThrow(/a has 5 elements but the shape needs 6/);
    expect(call([2, 4, 3, 0, 0], f(6), f(6))).toThrow(MedsynthError);
    expect(call([2, 4, 3, 0])).toThrow(/dims must be/);
    expect(call([-2, 4, 3, 0, 0])).toThrow(/>= 0/);
    expect(() => binding().nnGemm(new Float64Array(6) as unknown as Float32Array, f(12), f(8), Int32Array.of(2, 4, 3, 0, 0), 1, 0)).toThrow(/Float32Array/);
    expect(() => setGemmIsa('sse' as 'avx2')).toThrow(/isa must be/);
  });
});
