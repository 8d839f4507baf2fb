// Each CUDA twin against its CPU kernel on random inputs, with the tolerances: Gaussian
// blur and bias field within 1e-5 relative; noise from the same Philox draws, within 1e-6;
// rasterize with identical labels and coverage, intensities within 1e-6; intensity steps within
// 1e-6 (casts exact for the identity map).
import { expect, it } from 'vitest';

import type { CudaTiming } from '../../lib/core/device.js';
import { nativeAddon } from '../../lib/native.js';
import { labelPriorityTable, packShapes } from '../../lib/ops/rasterize.js';
import { countDifferent, describeGpu, maxAbs, maxRelativeError, randomShapes, randomVolume } from './gpu_helpers.js';

type Kernel = (...args: unknown[]) => Promise<unknown>;
const addon = () => nativeAddon<Record<string, Kernel>>();

/** Runs the binding `name` on the CPU and on CUDA (its params' `device`) on copies of the same arguments. */
async function both<T extends ArrayBufferView>(name: string, makeArgs: () => { args: unknown[]; out: T }) {
  const cpu = makeArgs();
  const gpu = makeArgs();
  await addon()[name](...cpu.args);
  const timing = (await addon()[name](...onCuda(gpu.args))) as CudaTiming;
  expect(timing.deviceMs).toBeGreaterThanOrEqual(0);
  expect(timing.totalMs).toBeGreaterThanOrEqual(timing.deviceMs * 0.5);
  return { cpu: cpu.out, gpu: gpu.out };
}

/** The same arguments with `device: 'cuda'` added to the params object (the last object argument). */
function onCuda(args: unknown[]): unknown[] {
  let i = args.length - 1;
  while (i >= 0 && (args[i] === null || typeof args[i] !== 'object' || ArrayBuffer.isView(args[i]))) i--;
  return args.map((a, k) => (k === i ? { ...(a as object), device: 'cuda' } : a));
}

describeGpu('CUDA intensity steps', () => {
  const n = 100_003;
  const x = randomVolume(n, 1, -1500, 1500);
  x[0] = NaN;
  x[1] = 0.5;
  x[2] = -2.5;

  it('windowLevel, affine and clamp match the CPU within 1e-6', async () => {
    for (const [name, p] of [
      ['windowLevel', { center: 40, width: 400, outMin: 0, outMax: 255 }],
      ['affine', { scale: 0.37, offset: -12.5 }],
      ['clamp', { lo: -100, hi: 300 }],
    ] as const) {
      const { cpu, gpu } = await both(name, () => {
        const out = new Float32Array(n);
        return { args: [x, out, p], out };
      });
      // Relative to the value range: where in·scale + offset cancels, one rounding is the error.
      expect(maxRelativeError(gpu, cpu, Math.max(1e-3, maxAbs(cpu))), name).toBeLessThanOrEqual(1e-6);
    }
  });

  it('casts are exact for the identity map and within one elsewhere', async () => {
    const u8 = await both('castU8', () => {
      const out = new Uint8Array(n);
      return { args: [x, out, { scale: 1, offset: 0 }], out };
    });
    expect(countDifferent(u8.gpu, u8.cpu)).toBe(0);
    const i16 = await both('castI16', () => {
      const out = new Int16Array(n);
      return { args: [x, out, { scale: 30, offset: 0.25 }], out };
    });
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(i16.gpu[i] - i16.cpu[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describeGpu('CUDA Gaussian blur', () => {
  const cases: Array<{ dims: [number, number, number]; sigma: [number, number, number]; truncate: number }> = [
    { dims: [9, 17, 23], sigma: [1, 1.5, 2], truncate: 4 },
    { dims: [16, 40, 70], sigma: [2.5, 0, 3], truncate: 4 },
    { dims: [3, 4, 5], sigma: [3, 3, 3], truncate: 4 }, // radius beyond the axis: repeated reflection
    { dims: [1, 37, 300], sigma: [0, 40, 0.7], truncate: 4 }, // large radius: the direct kernel
    { dims: [2, 3, 600], sigma: [0, 0, 300], truncate: 4 },
  ];
  for (const c of cases) {
    it(`${c.dims.join('×')} sigma ${c.sigma.join(',')} matches the CPU within 1e-5`, async () => {
      const n = c.dims[0] * c.dims[1] * c.dims[2];
      const x = randomVolume(n, 2, 0, 1000);
      const { cpu, gpu } = await both('gaussianBlur', () => {
        const out = new Float32Array(n);
        return { args: [x, out, { dims: c.dims, sigma: c.sigma, truncate: c.truncate }], out };
      });
      expect(maxRelativeError(gpu, cpu, 1e-3 * maxAbs(cpu))).toBeLessThanOrEqual(1e-5);
      const inPlace = Float32Array.from(x);
      await addon().gaussianBlur(inPlace, inPlace, { dims: c.dims, sigma: c.sigma, truncate: c.truncate, device: 'cuda' });
      expect(Buffer.from(inPlace.buffer).equals(Buffer.from(gpu.buffer))).toBe(true);
    });
  }
});

describeGpu('CUDA bias field', () => {
  for (const order of [0, 1, 2, 3]) {
    it(`order ${order} matches the CPU within 1e-5 (applied and field alone)`, async () => {
      const dims: [number, number, number] = [5, 33, 47];
      const n = 5 * 33 * 47;
      const x = randomVolume(n, 3, 0, 1000);
      const terms = ((order + 1) * (order + 2) * (order + 3)) / 6;
      const coefficients = Array.from(randomVolume(terms, 4 + order, -0.6, 0.6));
      const p = { dims, order, coefficients };
      const applied = await both('biasField', () => {
        const out = new Float32Array(n);
        return { args: [x, out, p], out };
      });
      expect(maxRelativeError(applied.gpu, applied.cpu, 1e-3 * maxAbs(applied.cpu))).toBeLessThanOrEqual(1e-5);
      const field = await both('biasField', () => {
        const out = new Float32Array(n);
        return { args: [null, out, p], out };
      });
      expect(maxRelativeError(field.gpu, field.cpu, 1e-6)).toBeLessThanOrEqual(1e-5);
    });
  }
});

describeGpu('CUDA noise', () => {
  const key = { seed: 123456789, sample: 17, stream: 5 };
  for (const n of [1, 3, 4, 4099, 1 << 18]) {
    it(`n = ${n}: the same Philox draws as the CPU, values within 1e-6`, async () => {
      const normals = await both('normalNoise', () => {
        const out = new Float32Array(n);
        return { args: [out, key], out };
      });
      expect(maxRelativeError(normals.gpu, normals.cpu, 1)).toBeLessThanOrEqual(1e-6);
      const x = randomVolume(n, 5, -50, 400);
      for (const p of [
        { kind: 'gaussian', sigma: 12.5 },
        { kind: 'rician', sigma: 20 },
      ]) {
        const r = await both('addNoise', () => {
          const out = new Float32Array(n);
          return { args: [x, out, { ...p, ...key }], out };
        });
        // Relative to the noise's scale: where in + σ·N cancels, one rounding of σ·N is the error.
        expect(maxRelativeError(r.gpu, r.cpu, 6 * p.sigma), p.kind).toBeLessThanOrEqual(1e-6);
      }
      const counts = randomVolume(n, 6, -2, 60); // both Poisson samplers (λ below and above 10)
      const poisson = await both('addNoise', () => {
        const out = new Float32Array(n);
        return { args: [counts, out, { kind: 'poisson', scale: 1.5, ...key }], out };
      });
      expect(maxRelativeError(poisson.gpu, poisson.cpu, 1)).toBeLessThanOrEqual(1e-6);
    });
  }
});

describeGpu('CUDA rasterize', () => {
  for (const [dims, count, planes] of [
    [[24, 40, 48], 25, false],
    [[32, 64, 64], 40, true],
    [[1, 96, 80], 12, true],
  ] as Array<[[number, number, number], number, boolean]>) {
    it(`${dims.join('×')}, ${count} shapes${planes ? ' with planes' : ''}: identical labels and coverage`, async () => {
      const shapes = randomShapes(count, dims, count, planes);
      const packed = packShapes(shapes, dims[0]);
      const table = labelPriorityTable(shapes);
      const n = dims[0] * dims[1] * dims[2];
      const background = randomVolume(n, 8, 0, 50);
      const run = async (device: 'cpu' | 'cuda') => {
        const intensity = Float32Array.from(background);
        const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
        const coverage = new Float64Array(shapes.length);
        await addon().rasterize(packed, table, coverage, { dims, device }, intensity, labels);
        return { intensity, labels, coverage };
      };
      const cpu = await run('cpu');
      const gpu = await run('cuda');
      expect(countDifferent(gpu.labels, cpu.labels)).toBe(0);
      expect([...gpu.coverage]).toEqual([...cpu.coverage]);
      // Relative to the intensity scale: the CPU's vector blends fuse multiply-adds, one rounding apart.
      expect(maxRelativeError(gpu.intensity, cpu.intensity, maxAbs(cpu.intensity))).toBeLessThanOrEqual(1e-6);
    });
  }
});
