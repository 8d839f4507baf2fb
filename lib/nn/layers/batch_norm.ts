/**
 * torch.nn.BatchNorm1d/2d/3d: weight 1, bias 0, running_mean 0, running_var 1, momentum 0.1,
 * eps 1e-5; num_batches_tracked counts training batches (stored as int64, as torch does).
 */
import type { ResetParameters } from '../init.js';
import { checkInput, Module, parameterTensor, type CounterBuffer } from '../module.js';
import { batchNorm } from '../ops/batch_norm.js';
import type { Tensor } from '../tensor.js';

export interface BatchNormOptions {
  momentum?: number;
  eps?: number;
}

abstract class BatchNormNd extends Module implements ResetParameters {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: CounterBuffer;
  readonly momentum: number;
  readonly eps: number;

  constructor(
    readonly numFeatures: number,
    private readonly ranks: readonly number[],
    options: BatchNormOptions,
  ) {
    super();
    this.momentum = options.momentum ?? 0.1;
    this.eps = options.eps ?? 1e-5;
    this.weight = this.registerParameter('weight', parameterTensor([numFeatures], 1)) as Tensor;
    this.bias = this.registerParameter('bias', parameterTensor([numFeatures])) as Tensor;
    this.runningMean = this.registerBuffer('running_mean', parameterTensor([numFeatures]));
    this.runningVar = this.registerBuffer('running_var', parameterTensor([numFeatures], 1));
    this.numBatchesTracked = this.registerCounter('num_batches_tracked', { value: 0 });
  }

  resetParameters(_seed: number, key: number): number {
    this.weight.data.fill(1);
    this.bias.data.fill(0);
    this.runningMean.data.fill(0);
    this.runningVar.data.fill(1);
    this.numBatchesTracked.value = 0;
    return key;
  }

  forward(x: Tensor): Tensor {
    const name = `${this.typeName}(${this.numFeatures})`;
    checkInput(name, x, this.ranks.includes(x.ndim) ? x.ndim : this.ranks[this.ranks.length - 1], { 1: this.numFeatures });
    if (this.training) this.numBatchesTracked.value++;
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}

/** Input [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, [2, 3], options);
  }
}

/** Input [N, C, H, W]. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, [4], options);
  }
}

/** Input [N, C, D, H, W]. */
export class BatchNorm3d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, [5], options);
  }
}
