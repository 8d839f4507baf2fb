/** The addon's optimizer kernels (native/nn/optim.h), called synchronously from the training loop. */
import { callNativeSync, nativeAddon } from '../../native.js';

export interface NnOptimNative {
  nnSgdStep(
    param: Float32Array,
    grad: Float32Array,
    momentumBuffer: Float32Array | null,
    options: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; firstStep: boolean },
  ): void;
  nnAdamStep(
    param: Float32Array,
    grad: Float32Array,
    expAvg: Float32Array,
    expAvgSq: Float32Array,
    options: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; step: number; decoupled: boolean },
  ): void;
}

export function optimNative(): NnOptimNative {
  return nativeAddon<NnOptimNative>();
}

export { callNativeSync };
