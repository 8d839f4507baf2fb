/**
 * The learned decoder of `medsynth longitudinal vae-train` behind the generator's
 * `LatentImageDecoder`, so latentTraversalPng and the dataset writer use it as they use the
 * parametric renderer. Images are the decoder's mean, sigmoid(logits), mapped back from the
 * training scale [0, 1] to the data's intensities (lo + (hi − lo)·p); no decoder-side noise, so
 * `subjects` does not change the image.
 */
import { invalidParameter, MedsynthError } from '../errors.js';
import type { DecodedImages, LatentImageDecoder } from '../generators/longitudinal/decoder.js';
import { withArena } from '../nn/arena.js';
import { noGrad } from '../nn/autograd.js';
import { sigmoid } from '../nn/ops/pointwise.js';
import { Tensor } from '../nn/tensor.js';
import { loadCheckpoint, readCheckpoint } from '../nn/checkpoint.js';
import { CONV_VAE_NAME, ConvVae } from './conv_vae.js';

/** The affine map between data intensities and the VAE's [0, 1] targets. */
export interface IntensityScale {
  lo: number;
  hi: number;
}

export class VaeDecoder implements LatentImageDecoder {
  readonly factorColumns: readonly string[] = [];

  constructor(
    readonly model: ConvVae,
    readonly scale: IntensityScale,
    readonly kind = 'vae',
  ) {}

  get latentDim(): number {
    return this.model.latentDim;
  }
  get height(): number {
    return this.model.height;
  }
  get width(): number {
    return this.model.width;
  }

  /** [n, latentDim] latent rows → [n, H, W] decoder means in data units (synchronous core). */
  decodeSync(z: Float64Array): Float32Array {
    const D = this.latentDim;
    if (!(z instanceof Float64Array) || z.length % D !== 0) throw invalidParameter('z', `a Float64Array of n × ${D} values`, z);
    for (let k = 0; k < z.length; k++) if (!Number.isFinite(z[k])) throw invalidParameter(`z[${k}]`, 'a finite number', z[k]);
    const n = z.length / D;
    const out = new Float32Array(n * this.height * this.width);
    const { lo, hi } = this.scale;
    withArena(() =>
      noGrad(() => {
        const p = sigmoid(this.model.decode(Tensor.from(z, [n, D])));
        for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * p.data[i];
      }),
    );
    return out;
  }

  async decode(z: Float64Array, subjects: readonly number[]): Promise<DecodedImages> {
    if (z.length !== subjects.length * this.latentDim) throw invalidParameter('z', `a Float64Array of ${subjects.length} × ${this.latentDim} values`, z);
    return { images: this.decodeSync(z), factors: new Float64Array(0) };
  }

  describe(): Record<string, unknown> {
    return {
      kind: this.kind,
      latent_dim: this.latentDim,
      image_size: [this.height, this.width],
      architecture: this.model.architecture(),
      intensity_scale: this.scale,
      image_equation: 'x = lo + (hi - lo) * sigmoid(decoder(z)) (the learned decoder mean; no sampling noise)',
    };
  }
}

/** The learned decoder of a `vae-train` run's model.safetensors (architecture and intensity scale from its header). */
export function loadVaeDecoder(file: string): VaeDecoder {
  const { header } = readCheckpoint(file);
  const a = header.architecture as Record<string, unknown>;
  const scale = (header.config as { intensity_scale?: IntensityScale }).intensity_scale;
  if (a.name !== CONV_VAE_NAME || !scale) throw new MedsynthError('INVALID_ARGUMENT', `${file} is not a vae-train model (architecture ${String(a.name)})`);
  const model = new ConvVae({ height: a.height as number, width: a.width as number, latentDim: a.latent_dim as number, channels: a.channels as number, blocks: a.blocks as number });
  loadCheckpoint(file, model, { architecture: model.architecture() });
  return new VaeDecoder(model, scale, `vae:${file}`);
}
