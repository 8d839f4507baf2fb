/**
 * A convolutional VAE for the longitudinal generator's OCT B-scans (seed 003's VAE), on the
 * engine. PyTorch-style attributes, so the state dict keys are torch's:
 *
 *   encoder = Sequential(Conv2d(1, c, 4, stride=2, padding=1), LeakyReLU(0.2),
 *                        Conv2d(c, 2c, 4, 2, 1), LeakyReLU(0.2), … blocks stride-2 blocks)
 *   fc_mu, fc_logvar = Linear(C·h·w, latent_dim)           (h = H/2^blocks, w = W/2^blocks)
 *   fc_dec = Linear(latent_dim, C·h·w)
 *   decoder = Sequential(ReLU(), ConvTranspose2d(C, C/2, 4, 2, 1), ReLU(), …, ConvTranspose2d(c, 1, 4, 2, 1))
 *   run(x, noise) = logits of p(x | z), μ, log σ², z; sigmoid(logits) is the reconstruction in [0, 1].
 *
 * Loss (per image, mean over the batch — torch's usual `reduction='sum'` / N):
 *   reconstruction = Σ_pixels BCE(sigmoid(logits), x)   (x scaled into [0, 1]; continuous-valued
 *                    Bernoulli likelihood, as the torch VAE example; MSE would need a noise scale)
 *   KL             = −½ Σ_k (1 + log σ²_k − μ_k² − σ²_k)
 *   loss = −ELBO   = reconstruction + β · KL
 * The reparameterisation z = μ + exp(½ log σ²)·ε draws ε from Philox keyed by (seed, step), so a
 * training run is a pure function of its seed.
 */
import { Rng } from '../core/philox.js';
import { MedsynthError } from '../errors.js';
import type { Architecture } from '../nn/checkpoint.js';
import { initialize } from '../nn/init.js';
import { ConvTranspose2d, Conv2d, LeakyReLU, Linear, ReLU, Sequential } from '../nn/layers/index.js';
import { Module } from '../nn/module.js';
import { bceWithLogits } from '../nn/ops/loss.js';
import { add, addScalar, exp, mul, mulScalar, square, sub } from '../nn/ops/pointwise.js';
import { sum } from '../nn/ops/reduce.js';
import { flatten, reshape } from '../nn/ops/shape.js';
import { formatShape, Tensor } from '../nn/tensor.js';

export const CONV_VAE_NAME = 'ConvVAE';
/** Philox stream of the reparameterisation noise ε (sample index = optimizer step). */
export const VAE_NOISE_STREAM = 0x7ae0;

export interface ConvVaeOptions {
  height: number;
  width: number;
  /** Latent dimensions (default 8, the longitudinal generator's z). */
  latentDim?: number;
  /** Channels of the first block; each further block doubles them (default 16). */
  channels?: number;
  /** Stride-2 blocks in the encoder and decoder (default 4: 64×128 → 4×8). */
  blocks?: number;
  /** Seeds the initial weights. */
  seed?: number;
}

export interface VaeOutput {
  /** [N, 1, H, W] logits of the reconstruction. */
  logits: Tensor;
  mu: Tensor;
  logvar: Tensor;
  z: Tensor;
}

export interface VaeLoss {
  loss: Tensor;
  reconstruction: Tensor;
  kl: Tensor;
}

function positiveInt(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new MedsynthError('INVALID_ARGUMENT', `ConvVAE: ${name} must be an integer in 1-${max}, got ${v}`);
  return v;
}

export class ConvVae extends Module {
  readonly encoder: Sequential;
  readonly fc_mu: Linear;
  readonly fc_logvar: Linear;
  readonly fc_dec: Linear;
  readonly decoder: Sequential;
  readonly height: number;
  readonly width: number;
  readonly latentDim: number;
  readonly channels: number;
  readonly blocks: number;
  /** Channels and size of the innermost feature map. */
  readonly inner: [number, number, number];

  constructor(options: ConvVaeOptions) {
    super();
    this.blocks = positiveInt('blocks', options.blocks ?? 4, 6);
    this.latentDim = positiveInt('latent_dim', options.latentDim ?? 8, 256);
    this.channels = positiveInt('channels', options.channels ?? 16, 256);
    this.height = positiveInt('height', options.height, 4096);
    this.width = positiveInt('width', options.width, 4096);
    const f = 2 ** this.blocks;
    if (this.height % f || this.width % f) {
      throw new MedsynthError('INVALID_ARGUMENT', `ConvVAE: image ${this.height}x${this.width} must be divisible by 2^blocks = ${f}`);
    }
    const ch = (b: number) => this.channels * 2 ** b;
    const enc: Module[] = [];
    for (let b = 0; b < this.blocks; b++) enc.push(new Conv2d(b ? ch(b - 1) : 1, ch(b), 4, { stride: 2, padding: 1 }), new LeakyReLU(0.2));
    const C = ch(this.blocks - 1);
    this.inner = [C, this.height / f, this.width / f];
    const flat = C * this.inner[1] * this.inner[2];
    this.encoder = this.registerModule('encoder', new Sequential(...enc));
    this.fc_mu = this.registerModule('fc_mu', new Linear(flat, this.latentDim));
    this.fc_logvar = this.registerModule('fc_logvar', new Linear(flat, this.latentDim));
    this.fc_dec = this.registerModule('fc_dec', new Linear(this.latentDim, flat));
    const dec: Module[] = [];
    for (let b = this.blocks - 1; b >= 0; b--) dec.push(new ReLU(), new ConvTranspose2d(ch(b), b ? ch(b - 1) : 1, 4, { stride: 2, padding: 1 }));
    this.decoder = this.registerModule('decoder', new Sequential(...dec));
    initialize(this, options.seed ?? 0);
  }

  override get typeName(): string {
    return CONV_VAE_NAME;
  }

  architecture(): Architecture {
    return { name: CONV_VAE_NAME, height: this.height, width: this.width, latent_dim: this.latentDim, channels: this.channels, blocks: this.blocks };
  }

  /** x [N, 1, H, W] → (μ, log σ²), each [N, latent_dim]. */
  encode(x: Tensor): { mu: Tensor; logvar: Tensor } {
    if (x.ndim !== 4 || x.shape[1] !== 1 || x.shape[2] !== this.height || x.shape[3] !== this.width) {
      throw new MedsynthError('INVALID_ARGUMENT', `ConvVAE expects x [N, 1, ${this.height}, ${this.width}], got ${formatShape(x.shape)}`);
    }
    const h = flatten(this.encoder.forward(x), 1);
    return { mu: this.fc_mu.forward(h), logvar: this.fc_logvar.forward(h) };
  }

  /** z [N, latent_dim] → logits [N, 1, H, W]. */
  decode(z: Tensor): Tensor {
    if (z.ndim !== 2 || z.shape[1] !== this.latentDim) {
      throw new MedsynthError('INVALID_ARGUMENT', `ConvVAE.decode expects z [N, ${this.latentDim}], got ${formatShape(z.shape)}`);
    }
    const h = reshape(this.fc_dec.forward(z), [z.shape[0], ...this.inner]);
    return this.decoder.forward(h);
  }

  /** z = μ + exp(½ log σ²)·ε, ε ~ N(0, I) from Philox (seed, step); `step` null: z = μ (eval). */
  reparameterize(mu: Tensor, logvar: Tensor, noise: { seed: number; step: number } | null): Tensor {
    if (!noise) return mu;
    const eps = Tensor.empty(mu.shape);
    const rng = new Rng(noise.seed, noise.step, VAE_NOISE_STREAM);
    for (let i = 0; i < eps.size; i++) eps.data[i] = rng.normal();
    return add(mu, mul(exp(mulScalar(logvar, 0.5)), eps));
  }

  /** Encode, sample (or take μ when `noise` is null), decode. */
  run(x: Tensor, noise: { seed: number; step: number } | null): VaeOutput {
    const { mu, logvar } = this.encode(x);
    const z = this.reparameterize(mu, logvar, noise);
    return { logits: this.decode(z), mu, logvar, z };
  }

  /** Module's forward: logits of the posterior-mean reconstruction (z = μ). */
  forward(x: Tensor): Tensor {
    return this.run(x, null).logits;
  }
}

/** KL(N(μ, σ²) ‖ N(0, I)) summed over the latent, averaged over the batch, in engine ops. */
export function gaussianKl(mu: Tensor, logvar: Tensor): Tensor {
  const n = mu.shape[0];
  const terms = sub(sub(addScalar(logvar, 1), square(mu)), exp(logvar));
  return mulScalar(sum(terms), -0.5 / n);
}

/** −ELBO per image (see the file comment); `target` [N, 1, H, W] in [0, 1]. */
export function vaeLoss(out: VaeOutput, target: Tensor, beta = 1): VaeLoss {
  const pixels = target.size / target.shape[0];
  const reconstruction = mulScalar(bceWithLogits(out.logits, target), pixels);
  const kl = gaussianKl(out.mu, out.logvar);
  return { loss: add(reconstruction, mulScalar(kl, beta)), reconstruction, kl };
}
