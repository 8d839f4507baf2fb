/** Pooling layers with torch.nn's defaults (stride = kernel, padding 0, count_include_pad, floor). */
import { checkInput, Module } from '../module.js';
import { adaptiveAvgPool1, avgPool, maxPool } from '../ops/pool.js';
import type { Tensor } from '../tensor.js';

type PerAxis = number | readonly number[];

interface PoolOptions {
  stride?: PerAxis;
  padding?: PerAxis;
}

abstract class PoolNd extends Module {
  constructor(
    private readonly kind: 'max' | 'avg',
    private readonly spatialDims: number,
    readonly kernelSize: PerAxis,
    readonly options: PoolOptions,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkInput(`${this.typeName}(kernel_size=${String(this.kernelSize)})`, x, this.spatialDims + 2);
    const args = { kernel: this.kernelSize, stride: this.options.stride ?? this.kernelSize, padding: this.options.padding ?? 0 };
    return this.kind === 'max' ? maxPool(x, args) : avgPool(x, args);
  }
}

export class MaxPool2d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super('max', 2, kernelSize, options);
  }
}

export class MaxPool3d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super('max', 3, kernelSize, options);
  }
}

export class AvgPool2d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super('avg', 2, kernelSize, options);
  }
}

export class AvgPool3d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super('avg', 3, kernelSize, options);
  }
}

/** AdaptiveAvgPool2d(1): global average pool [N, C, H, W] → [N, C, 1, 1]. Only output size 1. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: 1 = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkInput('AdaptiveAvgPool2d(output_size=1)', x, 4);
    return adaptiveAvgPool1(x);
  }
}

/**
 * AdaptiveMaxPool2d(1): global max pool [N, C, H, W] → [N, C, 1, 1]. Only output size 1. Max
 * pooling with the whole plane as kernel, so its gradient is max pooling's (routed to the argmax).
 */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: 1 = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkInput('AdaptiveMaxPool2d(output_size=1)', x, 4);
    return maxPool(x, { kernel: x.shape.slice(2) });
  }
}

/** AdaptiveAvgPool3d(1): [N, C, D, H, W] → [N, C, 1, 1, 1]. */
export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: 1 = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkInput('AdaptiveAvgPool3d(output_size=1)', x, 5);
    return adaptiveAvgPool1(x);
  }
}
