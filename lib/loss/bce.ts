/** Binary cross-entropy with its gradient, on probabilities or (numerically stable) on logits. */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import type { BatchShape } from './batch_shape.js';
import { type BatchLossResult, type LossTarget, checkBatchLossArgs } from './batch_loss.js';

export interface BceOptions {
  /** `pred` holds logits (BCE-with-logits); `grad` is then d loss / d logits. */
  fromLogits?: boolean;
}

/**
 * Binary cross-entropy of a batch: per element
 *   probabilities: −[g·log p + (1 − g)·log(1 − p)], each log clamped at −100 and the gradient
 *                  (p − g) / max(p·(1 − p), 1e-12), as PyTorch's BCELoss does;
 *   logits:        max(x, 0) − x·g + log(1 + exp(−|x|)), gradient sigmoid(x) − g (stable for
 *                  any finite x);
 * per sample the mean over its elements, and `loss` the batch mean.
 *
 * @param pred probabilities in [0, 1] (or logits with `fromLogits`), [batch, size]
 * @param target [batch, size]: Float32Array in [0, 1] or Uint8Array of 0/1
 * @param shape `{ batch, size }` or the dims `[N, ...]`
 * @param gradOut optional buffer for the gradient (must not overlap the inputs)
 */
export async function binaryCrossEntropyLoss(
  pred: Float32Array,
  target: LossTarget,
  shape: BatchShape,
  options: BceOptions = {},
  gradOut?: Float32Array,
): Promise<BatchLossResult> {
  const o = options ?? {};
  const a = checkBatchLossArgs(pred, target, shape, o.fromLogits, gradOut);
  const params = { batch: a.batch, size: a.size, fromLogits: a.fromLogits };
  const loss = await callNative(binding().binaryCrossEntropy(a.pred, a.target, a.grad, a.perSample, params));
  return { loss, perSample: a.perSample, grad: a.grad };
}
