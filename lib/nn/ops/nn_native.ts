/** The native functions of bindings/bind_nn.cc (element-wise ops, sums, losses). */
import { nativeAddon } from '../../native.js';

export interface NnNative {
  nnUnary(op: number, x: Float32Array, y: Float32Array, a: number, b: number): void;
  nnUnaryBackward(op: number, g: Float32Array, t: Float32Array, gx: Float32Array, a: number, b: number): void;
  nnBinary(op: number, a: Float32Array, b: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnExpand(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnSumMiddle(x: Float32Array, y: Float32Array, outer: number, r: number, inner: number): void;
  nnCrossEntropyForward(logits: Float32Array, target: Int32Array, probs: Float32Array, n: number, c: number): number;
  nnCrossEntropyBackward(probs: Float32Array, target: Int32Array, gx: Float32Array, n: number, c: number, scale: number): void;
  nnBceWithLogitsForward(x: Float32Array, target: Float32Array): number;
  nnBceWithLogitsBackward(x: Float32Array, target: Float32Array, gx: Float32Array, scale: number): void;
  nnFocalTversky(
    pred: Float32Array, target: Float32Array | Uint8Array, grad: Float32Array, perSample: Float64Array, batch: number, size: number,
    weightFN: number, weightFP: number, gamma: number, smooth: number, fromLogits: boolean,
  ): number;
  nnCoxLoss(risk: Float32Array, time: Float32Array, event: Uint8Array, grad: Float32Array, efron: boolean): number;
}

export const nnNative = (): NnNative => nativeAddon<NnNative>();

/** Codes of native/nn/pointwise.h's UnaryOp, UnaryGradOp and BinaryOp. */
export const UNARY = {
  neg: 0, square: 1, sqrt: 2, exp: 3, log: 4, pow: 5, addScalar: 6, mulScalar: 7, relu: 8, leakyRelu: 9,
  sigmoid: 10, tanh: 11, softplus: 12, reluMask: 13, leakyMask: 14, softplusLinear: 15,
} as const;
export const UNARY_GRAD = { relu: 0, leakyRelu: 1, sigmoid: 2, tanh: 3, softplus: 4 } as const;
export const BINARY = { add: 0, sub: 1, mul: 2, div: 3 } as const;
