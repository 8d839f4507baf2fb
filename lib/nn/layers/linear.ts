/** torch.nn.Linear: weight [out, in], bias [out], y = x wᵀ + b; PyTorch's default init. */
import { resetWeightAndBias, type ResetParameters } from '../init.js';
import { checkInput, Module, parameterTensor } from '../module.js';
import { linear } from '../ops/linear.js';
import type { Tensor } from '../tensor.js';

export class Linear extends Module implements ResetParameters {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true }: { bias?: boolean } = {},
  ) {
    super();
    this.weight = this.registerParameter('weight', parameterTensor([outFeatures, inFeatures])) as Tensor;
    this.bias = this.registerParameter('bias', bias ? parameterTensor([outFeatures]) : null);
    this.resetParameters(0, 0);
  }

  resetParameters(seed: number, key: number): number {
    return resetWeightAndBias(this.weight, this.bias, seed, key);
  }

  forward(x: Tensor): Tensor {
    checkInput(`Linear(in_features=${this.inFeatures}, out_features=${this.outFeatures})`, x, 2, { 1: this.inFeatures });
    return linear(x, this.weight, this.bias);
  }
}
