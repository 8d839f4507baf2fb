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
    readonly kernelSize: PerAxis,
    readonly options: PoolOptions,
    private readonly spatialDims: number,
  ) {
    super();
  }

  protected args() {
    return { kernel: this.kernelSize, stride: this.options.stride ?? this.kernelSize, padding: this.options.padding ?? 0 };
  }

  protected check(x: Tensor): void {
    checkInput(`${this.typeName}(kernel_size=${String(this.kernelSize)})`, x, this.spatialDims + 2);
  }
}

export class MaxPool2d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super(kernelSize, options, 2);
  }

  forward(x: Tensor): Tensor {
    this.check(x);
    return maxPool(x, this.args());
  }
}

export class MaxPool3d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super(kernelSize, options, 3);
  }

  forward(x: Tensor): Tensor {
    this.check(x);
    return maxPool(x, this.args());
  }
}

export class AvgPool2d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super(kernelSize, options, 2);
  }

  forward(x: Tensor): Tensor {
    this.check(x);
    return avgPool(x, this.args());
  }
}

export class AvgPool3d extends PoolNd {
  constructor(kernelSize: PerAxis, options: PoolOptions = {}) {
    super(kernelSize, options, 3);
  }

  forward(x: Tensor): Tensor {
    this.check(x);
    return avgPool(x, this.args());
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
