/** Flatten and nearest Upsample, as torch.nn. */
import { Module } from '../module.js';
import { flatten } from '../ops/shape.js';
import { upsampleNearest } from '../ops/upsample.js';
import type { Tensor } from '../tensor.js';

export class Flatten extends Module {
  constructor(readonly startDim = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim);
  }
}

/** Upsample(scale_factor=s, mode='nearest') with integer scale per spatial axis. */
export class Upsample extends Module {
  constructor(readonly scaleFactor: number | readonly number[] = 2) {
    super();
  }

  forward(x: Tensor): Tensor {
    return upsampleNearest(x, this.scaleFactor);
  }
}
