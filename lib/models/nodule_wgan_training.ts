/**
 * Seed 002's WGAN-GP training step: n_critic = 5 critic updates per generator update, critic loss
 * mean(D(fake)) − mean(D(real)) + λ·GP with λ = 10, generator loss −mean(D(G(z))), Adam lr 1e-4,
 * betas (0.5, 0.999), batch 16. The gradient penalty differentiates the critic's input gradient
 * again (grad with createGraph), exactly as torch.autograd.grad(..., create_graph=True) does.
 */
import { Rng } from '../core/philox.js';
import { MedsynthError } from '../errors.js';
import { withArena } from '../nn/arena.js';
import { backward, grad, noGrad } from '../nn/autograd.js';
import { Adam } from '../nn/optim/adam.js';
import { add, addScalar, mulScalar, neg, sqrt, square, sub } from '../nn/ops/pointwise.js';
import { mean, sum } from '../nn/ops/reduce.js';
import { Tensor } from '../nn/tensor.js';
import type { Module } from '../nn/module.js';
import type { NoduleCritic, NoduleGenerator } from './nodule_wgan.js';

export const WGAN_DEFAULTS = { lambdaGp: 10, nCritic: 5, lr: 1e-4, betas: [0.5, 0.999] as const, batchSize: 16 };

/** Philox streams of the training draws (latent vectors, interpolation weights, shuffles). */
const LATENT_STREAM = 0x6a17;
const ALPHA_STREAM = 0x6a18;

/**
 * GP = mean_i (‖∇ₓ D(x̂_i)‖₂ − 1)² at x̂ = α·real + (1 − α)·fake, α ~ U(0, 1) per sample (alpha:
 * [N]). real and fake are treated as constants; the result has a graph back to the critic's
 * parameters through the input gradient.
 */
export function gradientPenalty(critic: Module, real: Tensor, fake: Tensor, alpha: Float32Array): Tensor {
  const n = real.shape[0];
  if (alpha.length !== n || fake.shape.join() !== real.shape.join()) {
    throw new MedsynthError('INVALID_ARGUMENT', `gradientPenalty: real, fake and alpha must share the batch (${real.shape} / ${fake.shape} / ${alpha.length})`);
  }
  const per = real.size / n;
  const mixed = new Float32Array(real.size);
  for (let i = 0; i < n; i++) {
    const a = alpha[i];
    for (let j = i * per; j < (i + 1) * per; j++) mixed[j] = a * real.data[j] + (1 - a) * fake.data[j];
  }
  const interpolates = new Tensor(mixed, real.shape, true);
  const scores = critic.forward(interpolates);
  const [g] = grad(sum(scores), [interpolates], { createGraph: true });
  const dims = real.shape.map((_, d) => d).slice(1);
  const slopes = sqrt(sum(square(g), dims));
  return mean(square(addScalar(slopes, -1)));
}

export interface WganLosses {
  critic: number;
  generator: number;
  gp: number;
  /** mean D(real) − mean D(fake) of the last critic batch: the Wasserstein-1 estimate. */
  wasserstein: number;
}

export interface WganTrainerOptions {
  seed?: number;
  lr?: number;
  betas?: readonly [number, number];
  lambdaGp?: number;
  nCritic?: number;
}

export class WganTrainer {
  readonly optG: Adam;
  readonly optD: Adam;
  readonly lambdaGp: number;
  readonly nCritic: number;
  readonly seed: number;
  /** Critic updates so far; keys the draws, so a run is reproducible from (seed, step). */
  criticSteps = 0;
  generatorSteps = 0;

  constructor(
    readonly generator: NoduleGenerator,
    readonly critic: NoduleCritic,
    { seed = 0, lr = WGAN_DEFAULTS.lr, betas = WGAN_DEFAULTS.betas, lambdaGp = WGAN_DEFAULTS.lambdaGp, nCritic = WGAN_DEFAULTS.nCritic }: WganTrainerOptions = {},
  ) {
    if (generator.shape.size !== critic.shape.size) {
      throw new MedsynthError('INVALID_ARGUMENT', `generator (${generator.shape.size}³) and critic (${critic.shape.size}³) sizes differ`);
    }
    this.optG = new Adam(generator.parameters(), { lr, betas: [betas[0], betas[1]] });
    this.optD = new Adam(critic.parameters(), { lr, betas: [betas[0], betas[1]] });
    this.lambdaGp = lambdaGp;
    this.nCritic = nCritic;
    this.seed = seed;
  }

  /** n standard-normal latent vectors, keyed (seed, stream step). */
  latent(n: number, step: number, stream = LATENT_STREAM): Tensor {
    const rng = new Rng(this.seed, step, stream);
    const z = new Float32Array(n * this.generator.shape.latentDim);
    for (let i = 0; i < z.length; i++) z[i] = rng.normal();
    return new Tensor(z, [n, this.generator.shape.latentDim]);
  }

  /** One critic update on a real batch [N, 1, s, s, s]. */
  criticStep(real: Tensor): { loss: number; gp: number; wasserstein: number } {
    const n = real.shape[0];
    const step = this.criticSteps++;
    return withArena(() => {
      const fake = noGrad(() => this.generator.forward(this.latent(n, step)));
      const rng = new Rng(this.seed, step, ALPHA_STREAM);
      const alpha = Float32Array.from({ length: n }, () => rng.uniform());
      const dReal = mean(this.critic.forward(real));
      const dFake = mean(this.critic.forward(fake));
      const gp = gradientPenalty(this.critic, real, fake, alpha);
      const loss = add(sub(dFake, dReal), mulScalar(gp, this.lambdaGp));
      this.optD.zeroGrad();
      backward(loss);
      this.optD.step();
      this.optD.zeroGrad();
      return { loss: loss.item(), gp: gp.item(), wasserstein: dReal.item() - dFake.item() };
    });
  }

  /** One generator update on a fresh latent batch of n. */
  generatorStep(n: number): number {
    const step = this.generatorSteps++;
    return withArena(() => {
      const z = this.latent(n, step, LATENT_STREAM + 0x100);
      const loss = neg(mean(this.critic.forward(this.generator.forward(z))));
      this.optG.zeroGrad();
      this.optD.zeroGrad();
      backward(loss);
      this.optG.step();
      this.optG.zeroGrad();
      this.optD.zeroGrad();
      return loss.item();
    });
  }

  /** n_critic critic updates (one real batch each), then one generator update. */
  iteration(realBatches: readonly Tensor[]): WganLosses {
    if (realBatches.length !== this.nCritic) {
      throw new MedsynthError('INVALID_ARGUMENT', `a WGAN iteration needs ${this.nCritic} real batches, got ${realBatches.length}`);
    }
    let last = { loss: 0, gp: 0, wasserstein: 0 };
    for (const b of realBatches) last = this.criticStep(b);
    const generator = this.generatorStep(realBatches[0].shape[0]);
    return { critic: last.loss, generator, gp: last.gp, wasserstein: last.wasserstein };
  }

  /** n samples in eval mode (batch norm with running statistics), as [n, 1, s, s, s]. */
  sample(n: number, seed: number): Float32Array {
    const rng = new Rng(seed, 0, LATENT_STREAM + 0x200);
    const z = new Float32Array(n * this.generator.shape.latentDim);
    for (let i = 0; i < z.length; i++) z[i] = rng.normal();
    return sampleGenerator(this.generator, new Tensor(z, [n, this.generator.shape.latentDim]));
  }
}

/** G(z) in eval mode, copied out of the arena. */
export function sampleGenerator(generator: NoduleGenerator, z: Tensor): Float32Array {
  const before = generator.mode;
  generator.setMode('eval');
  try {
    return withArena(() => noGrad(() => Float32Array.from(generator.forward(z).data)));
  } finally {
    generator.setMode(before);
  }
}
