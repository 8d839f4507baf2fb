/**
 * Batch normalisation of [N, C] or [N, C, ...] input (PyTorch's BatchNorm1d/2d/3d functional
 * form). Training normalises with the batch's statistics and updates the running ones in place
 * (momentum 0.1 by default, unbiased variance in the running estimate, as PyTorch); eval uses
 * the running statistics.
 *
 * The gradient comes from one fused native kernel. It is first-order: differentiating it again
 * (createGraph through batch norm) is refused with a clear error — no model here needs it
 * (WGAN-GP critics have no batch norm, as the WGAN-GP paper advises).
 */
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { isGradEnabled, record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { nnLayersNative } from './layers_native.js';

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
  const native = nnLayersNative();
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
    if (isGradEnabled()) {
      throw new MedsynthError('INVALID_ARGUMENT', 'batchNorm: gradients of gradients through batch norm are not supported (createGraph through a batch-norm layer)');
    }
    const gx = x.requiresGrad ? Tensor.empty(x.shape) : null;
    const gw = weight?.requiresGrad ? Tensor.empty(weight.shape) : null;
    const gb = bias?.requiresGrad ? Tensor.empty(bias.shape) : null;
    callNativeSync(() =>
      native.nnBatchNormBackward(x.data, g.data, weight?.data ?? null, mean, invstd, gx?.data ?? null, gw?.data ?? null, gb?.data ?? null, n, c, s, training),
    );
    return [gx, gw, gb];
  });
}
