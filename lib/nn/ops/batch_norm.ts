/**
 * Batch normalisation of [N, C] or [N, C, ...] input (PyTorch's BatchNorm1d/2d/3d functional
 * form). Training normalises with the batch's statistics and updates the running ones in place
 * (momentum 0.1 by default, unbiased variance in the running estimate, as PyTorch); eval uses
 * the running statistics.
 *
 * A plain backward uses one fused native kernel. When the tape records the backward
 * (createGraph), the same gradient is composed of differentiable ops (the batch statistics
 * recomputed from x), so gradients of gradients work as in PyTorch; the two agree.
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { isGradEnabled, record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { addScalar, mul, pow, sub } from './pointwise.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';

export interface BatchNormOptions {
  training: boolean;
  momentum?: number;
  eps?: number;
}

export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  { training, momentum = 0.1, eps = 1e-5 }: BatchNormOptions,
): Tensor {
  if (x.ndim < 2) throw new MedsynthError('INVALID_ARGUMENT', `batchNorm: input must be [N, C, ...], got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  const s = n * c === 0 ? 0 : x.size / (n * c);
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== c)) {
      throw new MedsynthError('INVALID_ARGUMENT', `batchNorm: ${name} ${formatShape(t.shape)} does not match the input's ${c} channels (input ${formatShape(x.shape)})`);
    }
  }
  if (!training && (!runningMean || !runningVar)) {
    throw new MedsynthError('INVALID_ARGUMENT', 'batchNorm: eval mode needs running statistics');
  }
  if (training && n * s <= 1) {
    throw new MedsynthError('INVALID_ARGUMENT', `batchNorm: training needs more than one value per channel, got input ${formatShape(x.shape)}`);
  }
  const native = binding();
  const y = Tensor.empty(x.shape);
  const mean = new Float32Array(c);
  const invstd = new Float32Array(c);
  if (training) {
    callNativeSync(() =>
      native.nnBatchNormTrain(x.data, weight?.data ?? null, bias?.data ?? null, runningMean?.data ?? null, runningVar?.data ?? null,
        y.data, mean, invstd, n, c, s, eps, momentum),
    );
  } else {
    callNativeSync(() => native.nnBatchNormEval(x.data, weight?.data ?? null, bias?.data ?? null, runningMean!.data, runningVar!.data, y.data, n, c, s, eps));
    mean.set(runningMean!.data);
    for (let i = 0; i < c; i++) invstd[i] = 1 / Math.sqrt(runningVar!.data[i] + eps);
  }
  return record(y, 'batchNorm', [x, weight, bias], (g) => {
    if (isGradEnabled()) return composedBackward(g, x, weight, bias, training ? null : { mean, invstd }, eps);
    const gx = x.requiresGrad ? Tensor.empty(x.shape) : null;
    const gw = weight?.requiresGrad ? Tensor.empty(weight.shape) : null;
    const gb = bias?.requiresGrad ? Tensor.empty(bias.shape) : null;
    callNativeSync(() =>
      native.nnBatchNormBackward(x.data, g.data, weight?.data ?? null, mean, invstd, gx?.data ?? null, gw?.data ?? null, gb?.data ?? null, n, c, s, training),
    );
    return [gx, gw, gb];
  });
}

/**
 * batch norm's gradient in differentiable ops. Training (frozen = null): with x̂ = (x − μ)·r,
 * r = (σ² + eps)^−½ over the batch, gx = w·r·(g − mean(g) − x̂·mean(g·x̂)); eval: the running
 * statistics are constants and gx = w·r·g. gw = Σ g·x̂, gb = Σ g over all axes but C.
 */
function composedBackward(
  g: Tensor, x: Tensor, weight: Tensor | null, bias: Tensor | null,
  frozen: { mean: Float32Array; invstd: Float32Array } | null, eps: number,
): (Tensor | null)[] {
  const c = x.shape[1];
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const stat = x.shape.map((_, i) => (i === 1 ? c : 1));
  let xhat: Tensor;
  let invstd: Tensor;
  if (frozen) {
    invstd = new Tensor(frozen.invstd, stat);
    xhat = mul(sub(x, new Tensor(frozen.mean, stat)), invstd);
  } else {
    const centred = sub(x, mean(x, axes, true));
    invstd = pow(addScalar(mean(mul(centred, centred), axes, true), eps), -0.5);
    xhat = mul(centred, invstd);
  }
  const scale = weight ? mul(reshape(weight, stat), invstd) : invstd;
  let gx: Tensor | null = null;
  if (x.requiresGrad) {
    gx = frozen
      ? mul(g, scale)
      : mul(scale, sub(sub(g, mean(g, axes, true)), mul(xhat, mean(mul(g, xhat), axes, true))));
  }
  return [gx, weight?.requiresGrad ? sum(mul(g, xhat), axes) : null, bias?.requiresGrad ? sum(g, axes) : null];
}
