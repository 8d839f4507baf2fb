/**
 * Nearest-neighbour up-sampling of [N, C, ...] input by an integer factor per spatial axis
 * (PyTorch's Upsample(scale_factor=s, mode='nearest') for integer s). Its gradient sums each
 * scale block, whose gradient is the up-sampling again, so it is differentiable to any order.
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { perAxis, type PerAxis } from './per_axis.js';

interface UpsamplePlan {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly geometry: Int32Array;
}

export function upsampleNearest(x: Tensor, scale: PerAxis): Tensor {
  const dims = x.ndim - 2;
  if (dims < 1 || dims > 3) {
    throw new MedsynthError('INVALID_ARGUMENT', `upsampleNearest: input must be [N, C, ...] with 1 to 3 spatial axes, got ${formatShape(x.shape)}`);
  }
  const factors = perAxis('upsampleNearest', 'scale', scale, dims, 1, 1);
  const spatial = x.shape.slice(2);
  const out = spatial.map((n, a) => n * factors[a]);
  const plan: UpsamplePlan = {
    inShape: x.shape,
    outShape: [x.shape[0], x.shape[1], ...out],
    geometry: Int32Array.from([dims, x.shape[0] * x.shape[1], ...spatial, ...out, ...factors, ...new Array(dims).fill(1), ...new Array(dims).fill(0)]),
  };
  return upsamplePlanned(x, plan);
}

function upsamplePlanned(x: Tensor, plan: UpsamplePlan): Tensor {
  const y = Tensor.empty(plan.outShape);
  callNativeSync(() => binding().nnUpsampleNearestForward(x.data, y.data, plan.geometry));
  return record(y, 'upsampleNearest', [x], (g) => [blockSum(g, plan)]);
}

function blockSum(g: Tensor, plan: UpsamplePlan): Tensor {
  const gx = Tensor.empty(plan.inShape);
  callNativeSync(() => binding().nnUpsampleNearestBackward(g.data, gx.data, plan.geometry));
  return record(gx, 'upsampleNearestBackward', [g], (gg) => [upsamplePlanned(gg, plan)]);
}
