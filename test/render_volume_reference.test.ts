// The plain TypeScript path of a whole sample (lib/reference/volume_sample.ts), which
// `medsynth bench --suite generate` times against the native chain, computes the same sample.
import { describe, expect, it } from 'vitest';

import { resolveAnatomyOptions } from '../lib/anatomy/options.js';
import { sampleAnatomyParams } from '../lib/anatomy/sample_params.js';
import { anatomyVolumeSpec } from '../lib/generators/anatomy3d/render.js';
import { renderVolumeSample } from '../lib/ops/render_volume.js';
import { referenceVolumeSample } from '../lib/reference/volume_sample.js';

describe('referenceVolumeSample', () => {
  const cases = [
    { noiseKind: 'gaussian', noiseSigma: 4, index: 0 },
    { noiseKind: 'gaussian', noiseSigma: 4, index: 5 },
    { noiseKind: 'rician', noiseSigma: 6, index: 1 },
    { noiseKind: 'poisson', noiseSigma: 2, index: 2 },
  ] as const;

  for (const { noiseKind, noiseSigma, index } of cases) {
    it(`equals the native chain: ${noiseKind} noise, sample ${index} (labels exactly, float32 image to rounding, uint8 within one)`, async () => {
      const o = resolveAnatomyOptions({ imageSize: [16, 32, 32], seed: 7, artifacts: { noiseKind, noiseSigma } });
      const params = sampleAnatomyParams(o, index);
      const n = 16 * 32 * 32;
      const float = anatomyVolumeSpec(o, params, 'float32');
      const image = new Float32Array(n);
      const labels = new Uint8Array(n);
      await renderVolumeSample(float, { image, labels });
      const ref = referenceVolumeSample(float);
      expect(Buffer.from(ref.labels).equals(Buffer.from(labels))).toBe(true);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(ref.image[i] - image[i]) / (1 + Math.abs(image[i])));
      expect(worst).toBeLessThan(1e-4);

      const u8 = new Uint8Array(n);
      await renderVolumeSample(anatomyVolumeSpec(o, params, 'uint8'), { image: u8 });
      const refU8 = referenceVolumeSample(anatomyVolumeSpec(o, params, 'uint8')).image;
      let off = 0;
      for (let i = 0; i < n; i++) off = Math.max(off, Math.abs(refU8[i] - u8[i]));
      expect(off).toBeLessThanOrEqual(1);
    });
  }
});
