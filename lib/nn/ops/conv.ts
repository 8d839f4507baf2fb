/**
 * Convolution ops (1, 2 or 3 spatial axes, groups = 1), differentiable to any order.
 *
 * Three ops close under differentiation: `conv` (y = A(w)·x), `convInputGrad` (Aᵀ(w)·gy, which
 * is also the transposed convolution) and `convWeightGrad` (the weight gradient, bilinear in x
 * and gy). Each one's backward is written in the other two, so gradients of gradients (WGAN-GP's
 * gradient penalty) come from the same kernels. Bias gradients are the op library's `sum` over
 * the batch and spatial axes (its backward, `expand`, is differentiable too).
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { sum } from './reduce.js';



/** A number for every spatial axis, or one per axis. */
export type PerAxis = number | readonly number[];

export interface ConvOptions {
  stride?: PerAxis;
  padding?: PerAxis;
  dilation?: PerAxis;
}

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size on one side of each output axis (PyTorch's output_padding); below the stride. */
  outputPadding?: PerAxis;
}

/** Resolved per-axis parameters of one convolution. */
export interface ConvParams {
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
}

function perAxis(op: string, name: string, value: PerAxis | undefined, dims: number, fallback: number, min: number): number[] {
  const values = value === undefined ? new Array<number>(dims).fill(fallback) : typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (values.length !== dims || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: ${name} must be an integer >= ${min} or ${dims} of them, got ${JSON.stringify(value)}`);
  }
  return values;
}

function resolveParams(op: string, options: ConvOptions, dims: number): ConvParams {
  return {
    stride: perAxis(op, 'stride', options.stride, dims, 1, 1),
    padding: perAxis(op, 'padding', options.padding, dims, 0, 0),
    dilation: perAxis(op, 'dilation', options.dilation, dims, 1, 1),
  };
}

function spatialDims(op: string, w: Tensor): number {
  const dims = w.ndim - 2;
  if (dims < 1 || dims > 3) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: the weight must have 3 to 5 axes ([Cout, Cin, k...]), got ${formatShape(w.shape)}`);
  }
  return dims;
}

/** Conv output size per axis; throws naming both shapes when the kernel does not fit. */
function convOutputSize(op: string, xShape: readonly number[], wShape: readonly number[], p: ConvParams): number[] {
  const dims = wShape.length - 2;
  return xShape.slice(2).map((size, a) => {
    const span = size + 2 * p.padding[a] - p.dilation[a] * (wShape[2 + a] - 1) - 1;
    if (span < 0) {
      throw new MedsynthError(
        'INVALID_ARGUMENT',
        `${op}: input ${formatShape(xShape)} is smaller than the dilated kernel of weight ${formatShape(wShape)} on spatial axis ${a} of ${dims} (padding ${p.padding[a]})`,
      );
    }
    return Math.floor(span / p.stride[a]) + 1;
  });
}

/** The geometry array bind_nn_conv.cc reads: conv input x (N, Cin, in...), weight (Cout, Cin, k...). */
function geometry(xShape: readonly number[], wShape: readonly number[], outSpatial: readonly number[], p: ConvParams): Int32Array {
  const dims = wShape.length - 2;
  return Int32Array.from([
    dims, xShape[0], wShape[1], wShape[0],
    ...xShape.slice(2), ...outSpatial, ...wShape.slice(2), ...p.stride, ...p.padding, ...p.dilation,
  ]);
}

function opName(base: string, dims: number): string {
  return `${base}${dims}d`;
}

function checkBias(op: string, b: Tensor | null, channels: number, w: Tensor): void {
  if (b && (b.ndim !== 1 || b.shape[0] !== channels)) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: bias ${formatShape(b.shape)} does not match weight ${formatShape(w.shape)} (needs [${channels}])`);
  }
}

/**
 * Convolution as PyTorch's conv1d/2d/3d (groups = 1): x [N, Cin, ...], w [Cout, Cin, k...],
 * b [Cout] or null → [N, Cout, ...]. The number of spatial axes comes from w.
 */
export function conv(x: Tensor, w: Tensor, b: Tensor | null, options: ConvOptions = {}): Tensor {
  const dims = spatialDims('conv', w);
  const op = opName('conv', dims);
  if (x.ndim !== w.ndim || x.shape[1] !== w.shape[1]) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: input ${formatShape(x.shape)} does not match weight ${formatShape(w.shape)} (needs [N, ${w.shape[1]}, ${dims} spatial axes])`);
  }
  checkBias(op, b, w.shape[0], w);
  const p = resolveParams(op, options, dims);
  return convWithParams(x, w, b, p);
}

function convWithParams(x: Tensor, w: Tensor, b: Tensor | null, p: ConvParams): Tensor {
  const out = convOutputSize(opName('conv', w.ndim - 2), x.shape, w.shape, p);
  const y = Tensor.empty([x.shape[0], w.shape[0], ...out]);
  callNativeSync(() => binding().nnConvForward(x.data, w.data, b?.data ?? null, y.data, geometry(x.shape, w.shape, out, p)));
  return record(y, opName('conv', w.ndim - 2), [x, w, b], (g) => [
    x.requiresGrad ? convInputGradWithParams(g, w, null, x.shape, p) : null,
    w.requiresGrad ? convWeightGradWithParams(x, g, w.shape, p) : null,
    b?.requiresGrad ? biasGrad(g) : null,
  ]);
}

/**
 * The gradient of conv(x, w) with respect to x for an upstream gradient gy, as a tensor of
 * `inputShape` (the transposed convolution), plus b per channel when given. Differentiable in
 * gy, w and b.
 */
export function convInputGrad(gy: Tensor, w: Tensor, inputShape: readonly number[], options: ConvOptions = {}): Tensor {
  const dims = spatialDims('convInputGrad', w);
  const p = resolveParams('convInputGrad', options, dims);
  checkInputGradShapes('convInputGrad', gy, w, inputShape, p);
  return convInputGradWithParams(gy, w, null, inputShape, p);
}

function checkInputGradShapes(op: string, gy: Tensor, w: Tensor, inputShape: readonly number[], p: ConvParams): void {
  const ok =
    inputShape.length === w.ndim && gy.ndim === w.ndim && inputShape[1] === w.shape[1] && gy.shape[1] === w.shape[0] && gy.shape[0] === inputShape[0] &&
    inputShape.every((d) => Number.isInteger(d) && d >= 1);
  if (!ok || convOutputSize(op, inputShape, w.shape, p).some((d, a) => d !== gy.shape[2 + a])) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: gradient ${formatShape(gy.shape)} is not the conv output of input ${formatShape(inputShape)} with weight ${formatShape(w.shape)}`);
  }
}

function convInputGradWithParams(gy: Tensor, w: Tensor, b: Tensor | null, inputShape: readonly number[], p: ConvParams): Tensor {
  const gx = Tensor.empty(inputShape);
  const outSpatial = gy.shape.slice(2);
  callNativeSync(() => binding().nnConvBackwardInput(gy.data, w.data, b?.data ?? null, gx.data, geometry(inputShape, w.shape, outSpatial, p)));
  return record(gx, 'convInputGrad', [gy, w, b], (g) => [
    gy.requiresGrad ? convWithParams(g, w, null, p) : null,
    w.requiresGrad ? convWeightGradWithParams(g, gy, w.shape, p) : null,
    b?.requiresGrad ? biasGrad(g) : null,
  ]);
}

/**
 * The gradient of conv(x, w) with respect to a weight of `weightShape` for an upstream gradient
 * gy (Σ_n gy[n] · im2col(x[n])ᵀ). Bilinear in x and gy; differentiable in both.
 */
export function convWeightGrad(x: Tensor, gy: Tensor, weightShape: readonly number[], options: ConvOptions = {}): Tensor {
  const dims = weightShape.length - 2;
  if (dims < 1 || dims > 3 || !weightShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new MedsynthError('INVALID_ARGUMENT', `convWeightGrad: weight shape ${formatShape(weightShape)} must be [Cout, Cin, k...] with 1 to 3 spatial axes`);
  }
  const p = resolveParams('convWeightGrad', options, dims);
  const ok = x.ndim === weightShape.length && gy.ndim === weightShape.length && x.shape[1] === weightShape[1] && gy.shape[1] === weightShape[0] && x.shape[0] === gy.shape[0];
  if (!ok || convOutputSize('convWeightGrad', x.shape, weightShape, p).some((d, a) => d !== gy.shape[2 + a])) {
    throw new MedsynthError('INVALID_ARGUMENT', `convWeightGrad: input ${formatShape(x.shape)} and gradient ${formatShape(gy.shape)} do not fit weight ${formatShape(weightShape)}`);
  }
  return convWeightGradWithParams(x, gy, weightShape, p);
}

function convWeightGradWithParams(x: Tensor, gy: Tensor, weightShape: readonly number[], p: ConvParams): Tensor {
  const gw = Tensor.empty(weightShape);
  callNativeSync(() => binding().nnConvBackwardWeight(x.data, gy.data, gw.data, geometry(x.shape, weightShape, gy.shape.slice(2), p)));
  return record(gw, 'convWeightGrad', [x, gy], (g) => [
    x.requiresGrad ? convInputGradWithParams(gy, g, null, x.shape, p) : null,
    gy.requiresGrad ? convWithParams(x, g, null, p) : null,
  ]);
}

/**
 * Transposed convolution as PyTorch's conv_transpose1d/2d/3d (groups = 1): x [N, Cin, ...],
 * w [Cin, Cout, k...], b [Cout] or null → [N, Cout, ...] with
 * out = (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 */
export function convTranspose(x: Tensor, w: Tensor, b: Tensor | null, options: ConvTransposeOptions = {}): Tensor {
  const dims = spatialDims('convTranspose', w);
  const op = opName('convTranspose', dims);
  if (x.ndim !== w.ndim || x.shape[1] !== w.shape[0]) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: input ${formatShape(x.shape)} does not match weight ${formatShape(w.shape)} (needs [N, ${w.shape[0]}, ${dims} spatial axes])`);
  }
  checkBias(op, b, w.shape[1], w);
  const p = resolveParams(op, options, dims);
  const outputPadding = perAxis(op, 'outputPadding', options.outputPadding, dims, 0, 0);
  const out = x.shape.slice(2).map((size, a) => {
    if (outputPadding[a] >= p.stride[a]) {
      throw new MedsynthError('INVALID_ARGUMENT', `${op}: outputPadding ${outputPadding[a]} must be smaller than the stride ${p.stride[a]} on axis ${a}`);
    }
    return (size - 1) * p.stride[a] - 2 * p.padding[a] + p.dilation[a] * (w.shape[2 + a] - 1) + outputPadding[a] + 1;
  });
  if (out.some((d) => d < 1)) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: input ${formatShape(x.shape)} with weight ${formatShape(w.shape)} gives an empty output ${formatShape(out)}`);
  }
  return convInputGradWithParams(x, w, b, [x.shape[0], w.shape[1], ...out], p);
}

/** The bias gradient: g [N, C, ...] summed over every axis but the channels → [C]. */
export function biasGrad(g: Tensor): Tensor {
  return sum(g, g.shape.map((_, a) => a).filter((a) => a !== 1));
}
