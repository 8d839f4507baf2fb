/** torch.optim.SGD: momentum, dampening, Nesterov, L2 weight decay (native/nn/optim.cc). */
import { binding } from '../../binding.js';
import type { Tensor } from '../tensor.js';
import { callNativeSync } from '../../native.js';
import { checkHyper, Optimizer } from './optimizer.js';
import { MedsynthError } from '../../errors.js';

export interface SgdOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;

  constructor(params: Iterable<Tensor>, { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false }: SgdOptions = {}) {
    super(params, lr);
    this.momentum = checkHyper('momentum', momentum, momentum >= 0);
    this.dampening = checkHyper('dampening', dampening, true);
    this.weightDecay = checkHyper('weight_decay', weightDecay, weightDecay >= 0);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new MedsynthError('INVALID_ARGUMENT', 'Nesterov momentum requires a momentum and zero dampening');
    }
    this.nesterov = nesterov;
  }

  get type(): string {
    return 'SGD';
  }

  protected hyperParameters(): Record<string, unknown> {
    return { momentum: this.momentum, dampening: this.dampening, weight_decay: this.weightDecay, nesterov: this.nesterov, maximize: false };
  }

  protected override restoreHyperParameters(g: Record<string, unknown>): void {
    this.momentum = Number(g.momentum ?? this.momentum);
    this.dampening = Number(g.dampening ?? this.dampening);
    this.weightDecay = Number(g.weight_decay ?? this.weightDecay);
    this.nesterov = Boolean(g.nesterov ?? this.nesterov);
  }

  protected update(index: number, param: Tensor, grad: Tensor): void {
    const buf = this.momentum !== 0 ? this.buffer(index, 'momentum_buffer') : null;
    callNativeSync(() =>
      binding().nnSgdStep(param.data, grad.data, buf?.data ?? null, {
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        weightDecay: this.weightDecay,
        nesterov: this.nesterov,
        firstStep: buf?.created ?? false,
      }),
    );
  }
}
