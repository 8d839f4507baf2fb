/**
 * Dropout (elementwise) and Dropout2d/3d (whole channels), active in 'train' and 'mcDropout'
 * modes. Masks are Philox draws keyed by (seed, step, layer) set through
 * Module.setDropoutContext, so a training step or an MC-dropout pass is reproducible.
 */
import { MedsynthError } from '../../errors.js';
import { Module, type DropoutKeyed } from '../module.js';
import { channelDropout, dropout } from '../ops/dropout.js';
import type { Tensor } from '../tensor.js';

abstract class DropoutBase extends Module implements DropoutKeyed {
  private seed = 0;
  private step = 0;
  private layer = 0;

  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new MedsynthError('INVALID_ARGUMENT', `dropout probability has to be between 0 and 1, but got ${p}`);
  }

  setDropoutKey(seed: number, step: number, layer: number): void {
    this.seed = seed;
    this.step = step;
    this.layer = layer;
  }

  protected key() {
    return { training: this.dropoutActive, seed: this.seed, step: this.step, layer: this.layer };
  }
}

export class Dropout extends DropoutBase {
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.key());
  }
}

/** Zeroes whole channels of [N, C, H, W]. */
export class Dropout2d extends DropoutBase {
  forward(x: Tensor): Tensor {
    return channelDropout(x, this.p, this.key());
  }
}

/** Zeroes whole channels of [N, C, D, H, W]. */
export class Dropout3d extends DropoutBase {
  forward(x: Tensor): Tensor {
    return channelDropout(x, this.p, this.key());
  }
}
