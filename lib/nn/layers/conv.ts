/**
 * Convolution layers as torch.nn defines them: weight [Cout, Cin, k…] for Conv, [Cin, Cout, k…]
 * for ConvTranspose, optional bias [Cout], PyTorch's default initialisation (see init.ts).
 */
import { resetWeightAndBias, type ResetParameters } from '../init.js';
import { checkInput, Module, parameterTensor } from '../module.js';
import { conv, convTranspose } from '../ops/conv.js';
import type { Tensor } from '../tensor.js';

type PerAxis = number | readonly number[];

export interface ConvOptions {
  stride?: PerAxis;
  padding?: PerAxis;
  dilation?: PerAxis;
  bias?: boolean;
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: PerAxis;
}

function perAxis(value: PerAxis, dims: number): number[] {
  return typeof value === 'number' ? Array(dims).fill(value) : [...value];
}

function tuple(v: readonly number[]): string {
  return `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
}

abstract class ConvNd extends Module implements ResetParameters {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: PerAxis,
    readonly spatialDims: number,
    readonly transposed: boolean,
    options: ConvOptions,
  ) {
    super();
    this.kernelSize = perAxis(kernelSize, spatialDims);
    this.stride = perAxis(options.stride ?? 1, spatialDims);
    this.padding = perAxis(options.padding ?? 0, spatialDims);
    this.dilation = perAxis(options.dilation ?? 1, spatialDims);
    const wShape = transposed ? [inChannels, outChannels, ...this.kernelSize] : [outChannels, inChannels, ...this.kernelSize];
    this.weight = this.registerParameter('weight', parameterTensor(wShape)) as Tensor;
    this.bias = this.registerParameter('bias', options.bias === false ? null : parameterTensor([outChannels]));
    this.resetParameters(0, 0);
  }

  resetParameters(seed: number, key: number): number {
    return resetWeightAndBias(this.weight, this.bias, seed, key);
  }

  protected describe(): string {
    const parts = [String(this.inChannels), String(this.outChannels), `kernel_size=${tuple(this.kernelSize)}`];
    if (this.stride.some((s) => s !== 1)) parts.push(`stride=${tuple(this.stride)}`);
    if (this.padding.some((p) => p !== 0)) parts.push(`padding=${tuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${tuple(this.dilation)}`);
    return `${this.typeName}(${parts.join(', ')})`;
  }

  protected checkX(x: Tensor): void {
    checkInput(this.describe(), x, this.spatialDims + 2, { 1: this.inChannels });
  }
}

abstract class ForwardConvNd extends ConvNd {
  forward(x: Tensor): Tensor {
    this.checkX(x);
    return conv(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }
}

export class Conv2d extends ForwardConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis, options: ConvOptions = {}) {
    super(inChannels, outChannels, kernelSize, 2, false, options);
  }
}

export class Conv3d extends ForwardConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis, options: ConvOptions = {}) {
    super(inChannels, outChannels, kernelSize, 3, false, options);
  }
}

abstract class ConvTransposeNd extends ConvNd {
  readonly outputPadding: number[];

  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis, dims: number, options: ConvTransposeOptions) {
    super(inChannels, outChannels, kernelSize, dims, true, options);
    this.outputPadding = perAxis(options.outputPadding ?? 0, dims);
  }

  forward(x: Tensor): Tensor {
    this.checkX(x);
    return convTranspose(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
    });
  }
}

export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis, options: ConvTransposeOptions = {}) {
    super(inChannels, outChannels, kernelSize, 2, options);
  }
}

export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis, options: ConvTransposeOptions = {}) {
    super(inChannels, outChannels, kernelSize, 3, options);
  }
}
