// Whole samples on CUDA against the same chain of CPU kernels (renderVolumeSample, device 'cpu'
// vs 'cuda'): identical labels and coverage; images within float tolerance (a cast may round
// the other way where a value sits within rounding of a .5 tie, so a few voxels may differ by one).
import { expect, it } from 'vitest';

import { renderVolumeSample, type VolumeImageType, type VolumeSampleSpec } from '../../lib/ops/render_volume.js';
import type { NoiseOptions } from '../../lib/ops/noise.js';
import { countDifferent, describeGpu, maxAbs, maxRelativeError, randomShapes } from './gpu_helpers.js';

const dims: [number, number, number] = [40, 64, 72];
const n = 40 * 64 * 72;

function spec(image: VolumeImageType, noise?: NoiseOptions): VolumeSampleSpec {
  const shapes = randomShapes(11, dims, 14).map((s) => ({ ...s, intensity: 20 + Math.abs(s.intensity ?? 0) % 200 }));
  return {
    dims,
    shapes,
    blur: { sigma: [0.9, 0.75, 0.75] },
    bias: { order: 2, coefficients: [0.05, -0.03, 0.02, 0.04, -0.01, 0.03, 0.02, -0.02, 0.01, 0.03] },
    noise,
    image,
  };
}

const ctor = { float32: Float32Array, uint8: Uint8Array, int16: Int16Array } as const;

async function renderBoth(s: VolumeSampleSpec) {
  const run = async (device: 'cpu' | 'cuda') => {
    const image = new ctor[s.image](n);
    const labels = new Uint8Array(n);
    const r = await renderVolumeSample(s, { image, labels }, { device });
    expect(r.device).toBe(device);
    return { image, labels, coverage: r.coverageSum, timing: r.timing };
  };
  return { cpu: await run('cpu'), gpu: await run('cuda') };
}

describeGpu('CUDA whole samples', () => {
  for (const [image, noise] of [
    ['float32', { kind: 'gaussian', sigma: 4, seed: 42, sample: 3, stream: 7 }],
    ['uint8', { kind: 'gaussian', sigma: 4, seed: 42, sample: 4, stream: 7 }],
    ['int16', { kind: 'rician', sigma: 6, seed: 42, sample: 5, stream: 7 }],
    ['float32', { kind: 'poisson', scale: 2, seed: 42, sample: 6, stream: 7 }],
    ['uint8', undefined],
  ] as Array<[VolumeImageType, NoiseOptions | undefined]>) {
    it(`${image}, ${noise?.kind ?? 'no'} noise: same labels and coverage, image within tolerance`, async () => {
      const { cpu, gpu } = await renderBoth(spec(image, noise));
      expect(countDifferent(gpu.labels, cpu.labels)).toBe(0);
      expect([...gpu.coverage]).toEqual([...cpu.coverage]);
      expect(gpu.timing?.deviceMs).toBeGreaterThan(0);
      if (image === 'float32' && noise?.kind !== 'poisson') {
        expect(maxRelativeError(gpu.image, cpu.image, 1e-3 * maxAbs(cpu.image))).toBeLessThanOrEqual(1e-4);
      } else {
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(gpu.image[i] - cpu.image[i]));
        if (noise?.kind !== 'poisson') expect(worst).toBeLessThanOrEqual(1);
        expect(countDifferent(gpu.image, cpu.image)).toBeLessThanOrEqual(n / 1000);
      }
    });
  }

  it('is deterministic and reuses its buffers across samples', async () => {
    const s = spec('uint8', { kind: 'gaussian', sigma: 4, seed: 1, sample: 0 });
    const a = new Uint8Array(n);
    const b = new Uint8Array(n);
    await renderVolumeSample(s, { image: a }, { device: 'cuda' });
    await Promise.all([
      renderVolumeSample(s, { image: b }, { device: 'cuda' }),
      renderVolumeSample(spec('float32'), { image: new Float32Array(n) }, { device: 'cuda' }),
    ]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
