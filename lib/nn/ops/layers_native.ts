/** The native functions of bindings/bind_nn_layers.cc (batch norm, pooling, up-sampling, dropout). */
import { nativeAddon } from '../../native.js';

export interface NnLayersNative {
  nnBatchNormTrain(
    x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, runningMean: Float32Array | null,
    runningVar: Float32Array | null, y: Float32Array, saveMean: Float32Array, saveInvstd: Float32Array,
    n: number, c: number, s: number, eps: number, momentum: number,
  ): void;
  nnBatchNormEval(
    x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, runningMean: Float32Array,
    runningVar: Float32Array, y: Float32Array, n: number, c: number, s: number, eps: number,
  ): void;
  nnBatchNormBackward(
    x: Float32Array, g: Float32Array, weight: Float32Array | null, mean: Float32Array, invstd: Float32Array,
    gx: Float32Array | null, gw: Float32Array | null, gb: Float32Array | null, n: number, c: number, s: number, training: boolean,
  ): void;
  nnMaxPoolForward(x: Float32Array, y: Float32Array, argmax: Int32Array, geometry: Int32Array): void;
  nnMaxPoolScatter(gy: Float32Array, argmax: Int32Array, gx: Float32Array, geometry: Int32Array): void;
  nnMaxPoolGather(x: Float32Array, argmax: Int32Array, y: Float32Array, geometry: Int32Array): void;
  nnAvgPoolForward(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnAvgPoolBackward(gy: Float32Array, gx: Float32Array, geometry: Int32Array): void;
  nnUpsampleNearestForward(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnUpsampleNearestBackward(gy: Float32Array, gx: Float32Array, geometry: Int32Array): void;
  nnDropoutMask(mask: Float32Array, seed: number | bigint, step: number, layer: number, p: number): void;
  nnApplyMask(x: Float32Array, mask: Float32Array, y: Float32Array, groups: number, inner: number): void;
}

export const nnLayersNative = (): NnLayersNative => nativeAddon<NnLayersNative>();
