/**
 * Max and average pooling over 1, 2 or 3 spatial axes of [N, C, ...] input (PyTorch's
 * MaxPoolNd / AvgPoolNd with ceil_mode=False; average pooling counts padding, as PyTorch's
 * default count_include_pad=True), and global average pooling (AdaptiveAvgPoolNd(1)).
 *
 * Differentiable to any order: max pooling's gradient is a scatter through the argmax indices,
 * whose gradient is the gather through the same indices (and back); average pooling's gradient
 * is its adjoint, whose gradient is average pooling again.
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { perAxis, type PerAxis } from './per_axis.js';

export interface PoolOptions {
  kernel: PerAxis;
  /** Default: the kernel. */
  stride?: PerAxis;
  padding?: PerAxis;
}

/** A resolved pooling: input and output shapes and the native geometry. */
export interface PoolPlan {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly geometry: Int32Array;
}

/** Plans a pooling of x: [N, C, spatial...] with 1–3 spatial axes. */
export function planPool(op: string, x: Tensor, options: PoolOptions): PoolPlan {
  const dims = x.ndim - 2;
  if (dims < 1 || dims > 3) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: input must be [N, C, ...] with 1 to 3 spatial axes, got ${formatShape(x.shape)}`);
  }
  const kernel = perAxis(op, 'kernel', options.kernel, dims, 1, 1);
  const stride = perAxis(op, 'stride', options.stride ?? options.kernel, dims, 1, 1);
  const padding = perAxis(op, 'padding', options.padding, dims, 0, 0);
  const spatial = x.shape.slice(2);
  const out = spatial.map((n, a) => Math.floor((n + 2 * padding[a] - kernel[a]) / stride[a]) + 1);
  spatial.forEach((n, a) => {
    if (2 * padding[a] > kernel[a]) {
      throw new MedsynthError('INVALID_ARGUMENT', `${op}: padding ${padding[a]} must be at most half the kernel ${kernel[a]}`);
    }
    if (n + 2 * padding[a] < kernel[a]) {
      throw new MedsynthError('INVALID_ARGUMENT', `${op}: kernel ${formatShape(kernel)} is larger than the padded input ${formatShape(spatial)}`);
    }
  });
  const planes = x.shape[0] * x.shape[1];
  return {
    inShape: x.shape,
    outShape: [x.shape[0], x.shape[1], ...out],
    geometry: Int32Array.from([dims, planes, ...spatial, ...out, ...kernel, ...stride, ...padding]),
  };
}

export function maxPool(x: Tensor, options: PoolOptions): Tensor {
  const plan = planPool('maxPool', x, options);
  const y = Tensor.empty(plan.outShape);
  const argmax = new Int32Array(y.size);
  callNativeSync(() => binding().nnMaxPoolForward(x.data, y.data, argmax, plan.geometry));
  return record(y, 'maxPool', [x], (g) => [maxPoolScatter(g, argmax, plan)]);
}

/** The gradient of max pooling: g routed to the argmax elements (zeros elsewhere). */
function maxPoolScatter(g: Tensor, argmax: Int32Array, plan: PoolPlan): Tensor {
  const gx = Tensor.empty(plan.inShape);
  callNativeSync(() => binding().nnMaxPoolScatter(g.data, argmax, gx.data, plan.geometry));
  return record(gx, 'maxPoolScatter', [g], (gg) => [maxPoolGather(gg, argmax, plan)]);
}

/** The adjoint of the scatter: the elements at argmax. */
function maxPoolGather(x: Tensor, argmax: Int32Array, plan: PoolPlan): Tensor {
  const y = Tensor.empty(plan.outShape);
  callNativeSync(() => binding().nnMaxPoolGather(x.data, argmax, y.data, plan.geometry));
  return record(y, 'maxPoolGather', [x], (g) => [maxPoolScatter(g, argmax, plan)]);
}

export function avgPool(x: Tensor, options: PoolOptions): Tensor {
  return avgPoolPlanned(x, planPool('avgPool', x, options));
}

/** Global average pooling to [N, C, 1, ...] (AdaptiveAvgPool2d(1) / AdaptiveAvgPool3d(1)). */
export function adaptiveAvgPool1(x: Tensor): Tensor {
  if (x.ndim < 3) {
    throw new MedsynthError('INVALID_ARGUMENT', `adaptiveAvgPool1: input must be [N, C, ...] with spatial axes, got ${formatShape(x.shape)}`);
  }
  return avgPoolPlanned(x, planPool('adaptiveAvgPool1', x, { kernel: x.shape.slice(2) }));
}

function avgPoolPlanned(x: Tensor, plan: PoolPlan): Tensor {
  const y = Tensor.empty(plan.outShape);
  callNativeSync(() => binding().nnAvgPoolForward(x.data, y.data, plan.geometry));
  return record(y, 'avgPool', [x], (g) => [avgPoolAdjoint(g, plan)]);
}

function avgPoolAdjoint(g: Tensor, plan: PoolPlan): Tensor {
  const gx = Tensor.empty(plan.inShape);
  callNativeSync(() => binding().nnAvgPoolBackward(g.data, gx.data, plan.geometry));
  return record(gx, 'avgPoolBackward', [g], (gg) => [avgPoolPlanned(gg, plan)]);
}
