/** Soft Dice loss with its gradient, for use alone or combined with BCE or focal Tversky. */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkNumber } from '../validate.js';
import type { BatchShape } from './batch_shape.js';
import { type BatchLossResult, type LossTarget, checkBatchLossArgs } from './batch_loss.js';

export interface SoftDiceOptions {
  /** Additive smoothing s >= 0 (default 1). */
  smooth?: number;
  /** `pred` holds logits; the sigmoid is applied natively and `grad` is d loss / d logits. */
  fromLogits?: boolean;
}

/**
 * Soft Dice loss of a batch (the linear form): per sample
 *   loss = 1 − (2·Σ p·g + s) / (Σ p + Σ g + s),
 * and `loss` is the batch mean. With `smooth: 0` an empty prediction of an empty mask is a
 * perfect match (loss 0, gradient 0).
 *
 * @param pred probabilities in [0, 1] (or logits with `fromLogits`), [batch, size]
 * @param target mask, [batch, size]: Float32Array in [0, 1] or Uint8Array of 0/1
 * @param shape `{ batch, size }` or the dims `[N, ...]`
 * @param gradOut optional buffer for the gradient (must not overlap the inputs)
 */
export async function softDiceLoss(
  pred: Float32Array,
  target: LossTarget,
  shape: BatchShape,
  options: SoftDiceOptions = {},
  gradOut?: Float32Array,
): Promise<BatchLossResult> {
  const o = options ?? {};
  const a = checkBatchLossArgs(pred, target, shape, o.fromLogits, gradOut);
  const params = {
    batch: a.batch,
    size: a.size,
    smooth: checkNumber('smooth', o.smooth ?? 1, { min: 0 }),
    fromLogits: a.fromLogits,
  };
  const loss = await callNative(binding().softDice(a.pred, a.target, a.grad, a.perSample, params));
  return { loss, perSample: a.perSample, grad: a.grad };
}
