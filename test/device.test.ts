// Device selection where CUDA may be missing (CI, this machine): cudaInfo says why, 'auto' falls
// back to the CPU with a reason, 'cuda' throws CUDA_UNAVAILABLE, the CUDA kernels reject instead
// of crashing, and the whole-sample chain on the CPU equals the single kernels run in order.
import { describe, expect, it } from 'vitest';

import { cudaInfo, cudaMemoryUsage, releaseCudaMemory, resolveDevice, setCudaMemoryLimit, useCuda } from '../lib/core/device.js';
import { buildInfo } from '../lib/core/threads.js';
import { applyBiasField } from '../lib/ops/bias_field.js';
import { gaussianBlur } from '../lib/ops/gaussian_blur.js';
import { castToUint8 } from '../lib/ops/intensity.js';
import { addNoise } from '../lib/ops/noise.js';
import { rasterize, type Shape } from '../lib/ops/rasterize.js';
import { renderVolumeSample, type VolumeSampleSpec } from '../lib/ops/render_volume.js';
import { nativeAddon } from '../lib/native.js';

const info = cudaInfo();

const shapes: Shape[] = [
  { type: 'ellipsoid', center: [6, 10, 12], radii: [5, 8, 9], intensity: 120, label: 1 },
  { type: 'capsule', a: [3, 4, 5], b: [9, 15, 18], radius: 2.5, intensity: 200, label: 2, priority: 2 },
  { type: 'bean', center: [7, 12, 10], radii: [3, 4, 5], intensity: 60, label: 3, priority: 1, blend: 'max' },
];

const spec: VolumeSampleSpec = {
  dims: [12, 20, 24],
  shapes,
  blur: { sigma: [0.8, 1, 1.2] },
  bias: { order: 1, coefficients: [0.1, -0.05, 0.08, 0.02] },
  noise: { kind: 'gaussian', sigma: 3, seed: 9, sample: 4, stream: 2 },
  image: 'uint8',
};
const count = 12 * 20 * 24;

describe('cudaInfo', () => {
  it('describes the build and the device, or says why there is none', () => {
    expect(info.compiled).toBe(buildInfo().cudaCompiled);
    expect(typeof info.deviceCount).toBe('number');
    if (info.available) {
      expect(info.reason).toBeUndefined();
      expect(info.device?.name.length).toBeGreaterThan(0);
    } else {
      expect(info.reason).toMatch(/\S/);
      expect(info.reason).not.toMatch(/\n/);
      if (info.compiled) expect(info.reason).toMatch(/no CUDA device|cannot use|no kernels|older than/);
      else expect(info.reason).toMatch(/built without CUDA/);
    }
  });
});

describe('resolveDevice', () => {
  it("'cpu' is always the CPU", () => {
    expect(resolveDevice('cpu')).toEqual({ device: 'cpu' });
  });

  it.skipIf(info.available)("'auto' falls back to the CPU with a one-line reason", () => {
    const r = resolveDevice('auto');
    expect(r.device).toBe('cpu');
    expect(r.reason).toContain(info.reason);
    expect(r.reason).toMatch(/^CUDA unavailable \(.*\); using the CPU$/);
  });

  it.skipIf(info.available)("'cuda' throws CUDA_UNAVAILABLE with the reason", () => {
    expect(() => resolveDevice('cuda')).toThrow(expect.objectContaining({ code: 'CUDA_UNAVAILABLE' }));
    expect(() => resolveDevice('cuda')).toThrow(info.reason);
  });

  it.skipIf(!info.available)("'auto' and 'cuda' pick the GPU where there is one", () => {
    expect(resolveDevice('auto')).toEqual({ device: 'cuda' });
    expect(resolveDevice('cuda')).toEqual({ device: 'cuda' });
  });

  it('rejects anything else', () => {
    expect(() => resolveDevice('gpu' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('useCuda: a kernel option defaults to the CPU', () => {
    expect(useCuda(undefined)).toBe(false);
    expect(useCuda('cpu')).toBe(false);
    expect(useCuda('auto')).toBe(info.available);
  });
});

describe.skipIf(info.available)('CUDA kernels without a device', () => {
  const addon = nativeAddon<Record<string, (...args: unknown[]) => Promise<unknown>>>();

  it('reject with CUDA_UNAVAILABLE instead of crashing', async () => {
    const v = new Float32Array(8);
    const calls: Array<Promise<unknown>> = [
      addon.gaussianBlur(v, v, { dims: [2, 2, 2], sigma: [1, 1, 1], truncate: 4, device: 'cuda' }),
      addon.biasField(v, v, { dims: [2, 2, 2], order: 0, coefficients: [0.1], device: 'cuda' }),
      addon.addNoise(v, v, { kind: 'gaussian', sigma: 1, seed: 1, device: 'cuda' }),
      addon.normalNoise(v, { seed: 1, device: 'cuda' }),
      addon.windowLevel(v, v, { center: 0, width: 1, outMin: 0, outMax: 1, device: 'cuda' }),
      addon.castU8(v, new Uint8Array(8), { scale: 1, offset: 0, device: 'cuda' }),
      addon.rasterize(new Float64Array(0), new Float64Array(256), new Float64Array(0), { dims: [2, 2, 2], device: 'cuda' }, v, null),
      addon.cudaCopyBandwidth({ bytes: 1024, repeats: 1 }),
    ];
    // Settle them together: awaiting one while the others reject would leave those unhandled.
    const settled = await Promise.allSettled(calls);
    for (const r of settled) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'CUDA_UNAVAILABLE' } });
  });

  it("renderVolumeSample: 'cuda' rejects, 'auto' runs on the CPU and says why", async () => {
    const image = new Uint8Array(count);
    await expect(renderVolumeSample(spec, { image }, { device: 'cuda' })).rejects.toMatchObject({ code: 'CUDA_UNAVAILABLE' });
    const r = await renderVolumeSample(spec, { image }, { device: 'auto' });
    expect(r.device).toBe('cpu');
    expect(r.reason).toMatch(/CUDA unavailable/);
  });

  it('memory controls are harmless', () => {
    setCudaMemoryLimit(1 << 20);
    setCudaMemoryLimit();
    releaseCudaMemory();
    expect(cudaMemoryUsage().inUse).toBe(0);
    expect(() => setCudaMemoryLimit(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('renderVolumeSample on the CPU', () => {
  it('equals rasterize → blur → bias → noise → cast run one by one', async () => {
    const image = new Uint8Array(count).fill(7);
    const labels = new Uint8Array(count).fill(9); // overwritten: the chain starts from zero
    const r = await renderVolumeSample(spec, { image, labels });
    expect(r.device).toBe('cpu');

    const dims = spec.dims;
    const intensity = new Float32Array(count);
    const refLabels = new Uint8Array(count);
    const { coverageSum } = await rasterize(shapes, { dims, intensity, labels: refLabels });
    await gaussianBlur(intensity, dims, spec.blur!, intensity);
    await applyBiasField(intensity, dims, spec.bias!, intensity);
    await addNoise(intensity, spec.noise!, intensity);
    const refImage = await castToUint8(intensity);

    expect(Buffer.from(image).equals(Buffer.from(refImage))).toBe(true);
    expect(Buffer.from(labels).equals(Buffer.from(refLabels))).toBe(true);
    expect([...r.coverageSum]).toEqual([...coverageSum]);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('writes float32 images in place of the intensity and leaves out steps not asked for', async () => {
    const image = new Float32Array(count);
    await renderVolumeSample({ dims: spec.dims, shapes, image: 'float32' }, { image });
    const intensity = new Float32Array(count);
    await rasterize(shapes, { dims: spec.dims, intensity });
    expect(Buffer.from(image.buffer).equals(Buffer.from(intensity.buffer))).toBe(true);
  });

  it('rejects bad input with MedsynthError', async () => {
    const image = new Uint8Array(count);
    await expect(renderVolumeSample({ ...spec, image: 'uint16' as never }, { image })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(renderVolumeSample(spec, { image: new Uint8Array(3) })).rejects.toThrow(/targets.image/);
    await expect(renderVolumeSample({ ...spec, blur: { sigma: -1 } }, { image })).rejects.toThrow(/blur.sigma/);
    await expect(renderVolumeSample({ ...spec, bias: { order: 1, coefficients: [1] } }, { image })).rejects.toThrow(/bias.coefficients/);
    await expect(renderVolumeSample({ ...spec, noise: { kind: 'gaussian', seed: 1 } }, { image })).rejects.toThrow(/noise.sigma/);
    await expect(renderVolumeSample(spec, { image }, { device: 'tpu' as never })).rejects.toThrow(/device/);
  });
});
