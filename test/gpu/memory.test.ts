// Running out of device memory gives a clear MedsynthError (never an abort), and the device is
// usable afterwards.
import { afterAll, expect, it } from 'vitest';

import { cudaInfo, releaseCudaMemory, setCudaMemoryLimit } from '../../lib/core/device.js';
import { nativeAddon } from '../../lib/native.js';
import { renderVolumeSample, type VolumeSampleSpec } from '../../lib/ops/render_volume.js';
import { describeGpu } from './gpu_helpers.js';

const spec: VolumeSampleSpec = {
  dims: [32, 64, 64],
  shapes: [{ type: 'ellipsoid', center: [16, 32, 32], radii: [10, 20, 20], intensity: 100, label: 1 }],
  blur: { sigma: 1 },
  image: 'uint8',
};
const n = 32 * 64 * 64;

describeGpu('CUDA memory', () => {
  afterAll(() => setCudaMemoryLimit());

  it('a memory limit below what a sample needs rejects with OUT_OF_MEMORY naming the limit', async () => {
    releaseCudaMemory();
    setCudaMemoryLimit(1 << 20);
    const r = renderVolumeSample(spec, { image: new Uint8Array(n) }, { device: 'cuda' });
    await expect(r).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
    await expect(renderVolumeSample(spec, { image: new Uint8Array(n) }, { device: 'cuda' })).rejects.toThrow(/memory limit/);
    setCudaMemoryLimit();
    const image = new Uint8Array(n);
    await renderVolumeSample(spec, { image }, { device: 'cuda' });
    expect(Math.max(...image)).toBeGreaterThan(50);
  });

  it('an allocation beyond the device rejects with OUT_OF_MEMORY, and the device still works', async () => {
    const total = cudaInfo().device!.totalMemory;
    const bandwidth = nativeAddon<{ cudaCopyBandwidth(o: { bytes: number; repeats: number }): Promise<number> }>().cudaCopyBandwidth;
    await expect(bandwidth({ bytes: total, repeats: 1 })).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY',
      message: expect.stringMatching(/CUDA device out of memory: cudaMalloc of .* failed/),
    });
    expect(await bandwidth({ bytes: 1 << 24, repeats: 2 })).toBeGreaterThan(0);
    const image = new Uint8Array(n);
    await renderVolumeSample(spec, { image }, { device: 'cuda' });
    expect(Math.max(...image)).toBeGreaterThan(50);
  });
});
