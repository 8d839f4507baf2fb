/**
 * Seed 002's 3D WGAN-GP, layer for layer, with torch's module names so the state dicts load into
 * the same PyTorch modules with strict=True:
 *
 *   Generator: fc = Linear(100, 512·4³) → reshape [N, 512, 4, 4, 4] → net = Sequential(
 *                BatchNorm3d(512), ReLU, ConvTranspose3d(512, 256, 4, 2, 1),   →  8³
 *                BatchNorm3d(256), ReLU, ConvTranspose3d(256, 128, 4, 2, 1),   → 16³
 *                BatchNorm3d(128), ReLU, ConvTranspose3d(128, 64, 4, 2, 1),    → 32³
 *                BatchNorm3d(64),  ReLU, ConvTranspose3d(64, 1, 4, 2, 1),      → 64³
 *                Tanh)
 *   Critic:    net = Sequential(Conv3d(1, 64, 4, 2, 1), LeakyReLU(0.2), … 128, 256, 512 …)
 *              → flatten → fc = Linear(512·4³, 1): the Wasserstein score (no batch norm: the
 *              gradient penalty is per sample, and batch norm would couple the samples).
 *
 * The seed draws kernel sizes nowhere; 4/2/1 is the DCGAN choice that doubles (halves) each side
 * exactly. `size` 32 drops the widest-resolution level (one up-sampling step fewer, one
 * down-sampling step fewer); `width` scales every channel count (512·w, 256·w, …) for CPU runs.
 */
import { MedsynthError } from '../errors.js';
import type { Architecture } from '../nn/checkpoint.js';
import { initialize } from '../nn/init.js';
import { BatchNorm3d, Conv3d, ConvTranspose3d, LeakyReLU, Linear, ReLU, Sequential, Tanh } from '../nn/layers/index.js';
import { Module } from '../nn/module.js';
import { flatten, reshape } from '../nn/ops/shape.js';
import { formatShape, type Tensor } from '../nn/tensor.js';

export const NODULE_GENERATOR_NAME = 'NoduleGenerator';
export const NODULE_CRITIC_NAME = 'NoduleCritic';
export const LATENT_DIM = 100;
/** The side of the first (generator) / last (critic) feature map. */
const BASE_SIDE = 4;
const LEAKY_SLOPE = 0.2;

export interface WganShape {
  /** Patch side: 64 (the seed), 32, 16 or 8; each halving drops one level. */
  size?: number;
  /** Channel multiplier (1 = the seed's 512/256/128/64). */
  width?: number;
  latentDim?: number;
}

export interface ResolvedWganShape {
  size: number;
  width: number;
  latentDim: number;
  /** Channels from the 4³ map outwards: [512, 256, 128, 64]·width, truncated to the levels used. */
  channels: number[];
}

export function resolveWganShape({ size = 64, width = 1, latentDim = LATENT_DIM }: WganShape = {}): ResolvedWganShape {
  const levels = Math.log2(size / BASE_SIDE);
  if (!Number.isInteger(levels) || levels < 1 || levels > 4) {
    throw new MedsynthError('INVALID_ARGUMENT', `WGAN size must be 8, 16, 32 or 64, got ${size}`);
  }
  if (!(width > 0) || !Number.isFinite(width)) throw new MedsynthError('INVALID_ARGUMENT', `WGAN width must be > 0, got ${width}`);
  if (!Number.isInteger(latentDim) || latentDim < 1) throw new MedsynthError('INVALID_ARGUMENT', `latent dim must be >= 1, got ${latentDim}`);
  const channels = [512, 256, 128, 64].slice(0, levels).map((c) => Math.max(1, Math.round(c * width)));
  return { size, width, latentDim, channels };
}

function wganArchitecture(name: string, s: ResolvedWganShape): Architecture {
  return { name, size: s.size, width: s.width, latent_dim: s.latentDim };
}

export class NoduleGenerator extends Module {
  readonly shape: ResolvedWganShape;
  readonly fc: Linear;
  readonly net: Sequential;

  constructor(shape: WganShape = {}, { seed = 0 }: { seed?: number } = {}) {
    super();
    this.shape = resolveWganShape(shape);
    const ch = this.shape.channels;
    this.fc = this.registerModule('fc', new Linear(this.shape.latentDim, ch[0] * BASE_SIDE ** 3));
    const layers: Module[] = [];
    ch.forEach((c, i) => {
      const next = i + 1 < ch.length ? ch[i + 1] : 1;
      layers.push(new BatchNorm3d(c), new ReLU(), new ConvTranspose3d(c, next, 4, { stride: 2, padding: 1 }));
    });
    layers.push(new Tanh());
    this.net = this.registerModule('net', new Sequential(...layers));
    initialize(this, seed);
  }

  override get typeName(): string {
    return NODULE_GENERATOR_NAME;
  }

  architecture(): Architecture {
    return wganArchitecture(NODULE_GENERATOR_NAME, this.shape);
  }

  /** z: [N, latent] → patches [N, 1, size, size, size] in [-1, 1]. */
  forward(z: Tensor): Tensor {
    if (z.ndim !== 2 || z.shape[1] !== this.shape.latentDim) {
      throw new MedsynthError('INVALID_ARGUMENT', `${NODULE_GENERATOR_NAME} expects z [N, ${this.shape.latentDim}], got ${formatShape(z.shape)}`);
    }
    const h = reshape(this.fc.forward(z), [z.shape[0], this.shape.channels[0], BASE_SIDE, BASE_SIDE, BASE_SIDE]);
    return this.net.forward(h);
  }
}

export class NoduleCritic extends Module {
  readonly shape: ResolvedWganShape;
  readonly net: Sequential;
  readonly fc: Linear;

  constructor(shape: WganShape = {}, { seed = 0 }: { seed?: number } = {}) {
    super();
    this.shape = resolveWganShape(shape);
    const ch = [...this.shape.channels].reverse();
    const layers: Module[] = [];
    ch.forEach((c, i) => {
      layers.push(new Conv3d(i === 0 ? 1 : ch[i - 1], c, 4, { stride: 2, padding: 1 }), new LeakyReLU(LEAKY_SLOPE));
    });
    this.net = this.registerModule('net', new Sequential(...layers));
    this.fc = this.registerModule('fc', new Linear(ch[ch.length - 1] * BASE_SIDE ** 3, 1));
    initialize(this, seed);
  }

  override get typeName(): string {
    return NODULE_CRITIC_NAME;
  }

  architecture(): Architecture {
    return wganArchitecture(NODULE_CRITIC_NAME, this.shape);
  }

  /** x: [N, 1, size, size, size] → scores [N, 1]. */
  forward(x: Tensor): Tensor {
    const s = this.shape.size;
    if (x.ndim !== 5 || x.shape[1] !== 1 || x.shape[2] !== s || x.shape[3] !== s || x.shape[4] !== s) {
      throw new MedsynthError('INVALID_ARGUMENT', `${NODULE_CRITIC_NAME} expects x [N, 1, ${s}, ${s}, ${s}], got ${formatShape(x.shape)}`);
    }
    return this.fc.forward(flatten(this.net.forward(x), 1));
  }
}
