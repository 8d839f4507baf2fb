/**
 * The plain TypeScript path of renderVolumeSample (lib/ops/render_volume.ts): the float64
 * references of rasterize → Gaussian blur → bias field → noise, rounded to float32 between steps
 * as the native chain's buffers are, then the cast (half away from zero, saturating, NaN → 0).
 * `medsynth bench` times it against the native chain (suite generate); test/render_volume_reference
 * checks they agree.
 */
import { blurParams } from '../ops/gaussian_blur.js';
import type { VolumeImage, VolumeSampleSpec } from '../ops/render_volume.js';
import { referenceBiasField } from './bias_field.js';
import { referenceGaussianBlur } from './gaussian_blur.js';
import { referenceGaussian, referencePoisson, referenceRician } from './noise.js';
import { referenceRasterize } from './rasterize.js';

const RANGES = { uint8: [0, 255], int16: [-32768, 32767] } as const;

function cast(v: Float32Array, type: 'uint8' | 'int16', map: { scale: number; offset: number }): VolumeImage {
  const [lo, hi] = RANGES[type];
  const out = type === 'uint8' ? new Uint8Array(v.length) : new Int16Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] * map.scale + map.offset;
    out[i] = Number.isNaN(x) ? 0 : Math.min(hi, Math.max(lo, Math.sign(x) * Math.round(Math.abs(x))));
  }
  return out;
}

/** The image and label map `renderVolumeSample(spec, …)` writes, computed in plain TypeScript. */
export function referenceVolumeSample(spec: VolumeSampleSpec): { image: VolumeImage; labels: Uint8Array } {
  const [nz, ny, nx] = spec.dims.length === 3 ? spec.dims : [1, spec.dims[0], spec.dims[1]];
  const dims: [number, number, number] = [nz, ny, nx];
  let v = new Float32Array(nz * ny * nx);
  const labels = new Uint8Array(v.length);
  referenceRasterize(spec.shapes, { dims, intensity: v, labels, labelPriority: spec.labelPriority });
  if (spec.blur) {
    const { sigma, truncate } = blurParams(spec.blur, spec.dims.length);
    v = Float32Array.from(referenceGaussianBlur(v, dims, sigma, truncate));
  }
  if (spec.bias) v = Float32Array.from(referenceBiasField(v, dims, spec.bias.order, spec.bias.coefficients));
  const n = spec.noise;
  if (n) {
    const key = { seed: n.seed, sample: n.sample, stream: n.stream };
    const noisy =
      n.kind === 'poisson' ? referencePoisson(v, n.scale ?? 1, key) : n.kind === 'rician' ? referenceRician(v, n.sigma ?? 0, key) : referenceGaussian(v, n.sigma ?? 0, key);
    v = Float32Array.from(noisy);
  }
  const image = spec.image === 'float32' ? v : cast(v, spec.image, spec.cast ?? { scale: 1, offset: 0 });
  return { image, labels };
}
