/**
 * Turns sampled parameters into voxels with native kernels only: rasterize the body and the
 * present structures, blur with the scanner PSF, apply the bias field, add noise, cast. The
 * renderer owns its buffers and reuses them from sample to sample. On a CUDA device the same chain
 * runs on the GPU in one call (renderVolumeSample), reusing device buffers.
 */
import { resolveDevice, type Device, type DeviceOption } from '../../core/device.js';
import { checkMemory } from '../../core/memory_check.js';
import { pinnedArray } from '../../core/pinned.js';
import { applyBiasField } from '../../ops/bias_field.js';
import { gaussianBlur } from '../../ops/gaussian_blur.js';
import { castToInt16, castToUint8 } from '../../ops/intensity.js';
import { addNoise, type NoiseOptions } from '../../ops/noise.js';
import { rasterize, type Shape } from '../../ops/rasterize.js';
import { renderVolumeSample } from '../../ops/render_volume.js';
import type { ResolvedAnatomyOptions } from './options.js';
import { STREAM, type AnatomySampleParams } from './sample_params.js';

export type ImageDtype = 'float32' | 'int16' | 'uint8';
export type ImageArray = Float32Array | Int16Array | Uint8Array;

export function allocateImage(dtype: ImageDtype, n: number): ImageArray {
  return dtype === 'float32' ? pinnedArray(Float32Array, n) : dtype === 'int16' ? pinnedArray(Int16Array, n) : pinnedArray(Uint8Array, n);
}

/** Bytes one renderer holds: float32 intensity, labels, and the cast image unless float32. */
export function rendererBytes(imageSize: readonly number[], dtype: ImageDtype): number {
  const n = imageSize[0] * imageSize[1] * imageSize[2];
  return n * 4 + n + (dtype === 'float32' ? 0 : n * (dtype === 'int16' ? 2 : 1));
}

export class AnatomyRenderer {
  readonly intensity: Float32Array;
  readonly labels: Uint8Array;
  readonly image: ImageArray;
  /** Where samples are rendered, and why 'auto' fell back to the CPU. */
  readonly device: Device;
  readonly deviceReason?: string;

  constructor(
    readonly options: ResolvedAnatomyOptions,
    readonly dtype: ImageDtype,
    device: DeviceOption = 'cpu',
  ) {
    const where = resolveDevice(device);
    this.device = where.device;
    this.deviceReason = where.reason;
    const [z, y, x] = options.imageSize;
    const n = z * y * x;
    checkMemory(`rendering a ${z}×${y}×${x} anatomy sample (${dtype})`, rendererBytes(options.imageSize, dtype));
    // Over SharedArrayBuffers: the kernels work on them in place (lib/core/pinned.ts).
    this.intensity = pinnedArray(Float32Array, n);
    this.labels = pinnedArray(Uint8Array, n);
    // float32 output is the intensity buffer itself; other dtypes get their own.
    this.image = dtype === 'float32' ? this.intensity : allocateImage(dtype, n);
  }

  /** Renders one sample into this renderer's buffers. */
  async render(params: AnatomySampleParams): Promise<void> {
    const o = this.options;
    const dims = o.imageSize;
    const shapes: Shape[] = [params.body];
    const present = params.structures.filter((s) => s.present);
    // Draw low priority first so the higher-priority organ's intensity ends on top, like its label.
    present.sort((a, b) => (a.shape.priority ?? 0) - (b.shape.priority ?? 0) || a.label - b.label);
    for (const s of present) shapes.push(s.shape);
    const noise = noiseOptions(params, o.seed);
    if (this.device === 'cuda') {
      await renderVolumeSample(
        {
          dims,
          shapes,
          blur: params.blurSigmaMm.some((s) => s > 0) ? { sigma: params.blurSigmaMm, spacing: o.spacing } : undefined,
          bias: params.bias.coefficients.some((c) => c !== 0) ? params.bias : undefined,
          noise,
          image: this.dtype,
        },
        { image: this.image, labels: this.labels },
        { device: 'cuda' },
      );
      return;
    }
    this.intensity.fill(0);
    this.labels.fill(0);
    await rasterize(shapes, { dims, intensity: this.intensity, labels: this.labels });

    if (params.blurSigmaMm.some((s) => s > 0)) {
      await gaussianBlur(this.intensity, dims, { sigma: params.blurSigmaMm, spacing: o.spacing }, this.intensity);
    }
    if (params.bias.coefficients.some((c) => c !== 0)) {
      await applyBiasField(this.intensity, dims, params.bias, this.intensity);
    }
    if (noise) await addNoise(this.intensity, noise, this.intensity);
    if (this.dtype === 'uint8') await castToUint8(this.intensity, undefined, this.image as Uint8Array);
    else if (this.dtype === 'int16') await castToInt16(this.intensity, undefined, this.image as Int16Array);
  }
}

/** The sample's voxel-noise options (Poisson reads `sigma` as counts per unit), or none. */
function noiseOptions(params: AnatomySampleParams, seed: number | bigint): NoiseOptions | undefined {
  const { kind, sigma } = params.noise;
  if (!(sigma > 0)) return undefined;
  const key = { seed, sample: params.index, stream: STREAM.voxelNoise };
  return kind === 'poisson' ? { kind, scale: sigma, ...key } : { kind, sigma, ...key };
}
