/**
 * Turns sampled parameters into voxels with native kernels only: rasterize the body and the
 * present structures, blur with the scanner PSF, apply the bias field, add noise, cast — one
 * renderVolumeSample call on either device (the chain's order lives in native/render/ and its
 * CUDA twin). The renderer owns its buffers and reuses them from sample to sample.
 */
import { resolveDevice, type Device, type DeviceOption } from '../../core/device.js';
import { checkMemory } from '../../core/resources.js';
import type { NoiseOptions } from '../../ops/noise.js';
import type { Shape } from '../../ops/rasterize.js';
import { renderVolumeSample, type VolumeSampleSpec } from '../../ops/render_volume.js';
import type { ResolvedAnatomyOptions } from '../../anatomy/options.js';
import { STREAM, type AnatomySampleParams } from '../../anatomy/sample_params.js';
import { allocateImage, rendererBytes, type ImageArray, type ImageDtype } from './image.js';
import { pinnedArray } from '../../core/pinned.js';


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

  /**
   * Renders one sample into this renderer's buffers, or into `into` (arrays of the same sizes
   * that the caller owns; the renderer's intensity buffer is then only the integer dtypes' work).
   */
  async render(params: AnatomySampleParams, into: { image: ImageArray; labels: Uint8Array } = this): Promise<void> {
    await renderVolumeSample(
      anatomyVolumeSpec(this.options, params, this.dtype),
      // The CPU keeps an integer image's float intensity in this.intensity (the work buffer).
      { image: into.image, labels: into.labels, work: this.dtype === 'float32' ? undefined : this.intensity },
      { device: this.device },
    );
  }
}

/** Sample `params` as one renderVolumeSample chain: the body and the present structures, then the artifacts. */
export function anatomyVolumeSpec(o: ResolvedAnatomyOptions, params: AnatomySampleParams, image: ImageDtype): VolumeSampleSpec {
  const shapes: Shape[] = [params.body];
  const present = params.structures.filter((s) => s.present);
  // Draw low priority first so the higher-priority organ's intensity ends on top, like its label.
  present.sort((a, b) => (a.shape.priority ?? 0) - (b.shape.priority ?? 0) || a.label - b.label);
  for (const s of present) shapes.push(s.shape);
  return {
    dims: o.imageSize,
    shapes,
    blur: params.blurSigmaMm.some((s) => s > 0) ? { sigma: params.blurSigmaMm, spacing: o.spacing } : undefined,
    bias: params.bias.coefficients.some((c) => c !== 0) ? params.bias : undefined,
    noise: noiseOptions(params, o.seed),
    image,
  };
}

/** The sample's voxel-noise options (Poisson reads `sigma` as counts per unit), or none. */
function noiseOptions(params: AnatomySampleParams, seed: number | bigint): NoiseOptions | undefined {
  const { kind, sigma } = params.noise;
  if (!(sigma > 0)) return undefined;
  const key = { seed, sample: params.index, stream: STREAM.voxelNoise };
  return kind === 'poisson' ? { kind, scale: sigma, ...key } : { kind, sigma, ...key };
}
