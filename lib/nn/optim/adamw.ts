/** torch.optim.AdamW: Adam with weight decay applied to the parameter (default 1e-2). */
import type { Tensor } from '../tensor.js';
import { Adam, type AdamOptions } from './adam.js';

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, { weightDecay: 1e-2, ...options });
  }

  override get type(): string {
    return 'AdamW';
  }
}
