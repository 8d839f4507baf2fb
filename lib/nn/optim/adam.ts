/**
 * torch.optim.Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay), with
 * bias correction; defaults betas (0.9, 0.999), eps 1e-8 (native/nn/optim.cc).
 */
import { binding } from '../../binding.js';
import type { Tensor } from '../tensor.js';
import { callNativeSync } from '../../native.js';
import { checkHyper, Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamOptions = {}) {
    super(params, lr);
    checkHyper('beta parameter at index 0', betas[0], betas[0] >= 0 && betas[0] < 1);
    checkHyper('beta parameter at index 1', betas[1], betas[1] >= 0 && betas[1] < 1);
    this.betas = [betas[0], betas[1]];
    this.eps = checkHyper('epsilon', eps, eps >= 0);
    this.weightDecay = checkHyper('weight_decay', weightDecay, weightDecay >= 0);
  }

  get type(): string {
    return 'Adam';
  }

  protected hyperParameters(): Record<string, unknown> {
    return { betas: [...this.betas], eps: this.eps, weight_decay: this.weightDecay, amsgrad: false, maximize: false };
  }

  protected override restoreHyperParameters(g: Record<string, unknown>): void {
    if (Array.isArray(g.betas) && g.betas.length === 2) this.betas = [Number(g.betas[0]), Number(g.betas[1])];
    if (typeof g.eps === 'number') this.eps = g.eps;
    if (typeof g.weight_decay === 'number') this.weightDecay = g.weight_decay;
  }

  protected update(index: number, param: Tensor, grad: Tensor): void {
    const m = this.buffer(index, 'exp_avg').data;
    const v = this.buffer(index, 'exp_avg_sq').data;
    callNativeSync(() =>
      binding().nnAdamStep(param.data, grad.data, m, v, {
        lr: this.lr,
        beta1: this.betas[0],
        beta2: this.betas[1],
        eps: this.eps,
        weightDecay: this.weightDecay,
        step: this.steps.get(index)!,
        decoupled: this.decoupled,
      }),
    );
  }
}
