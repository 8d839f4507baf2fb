/**
 * What the batched segmentation losses (focal Tversky, soft Dice, BCE) share: argument checks,
 * output buffers and the result shape. Each loss is the batch mean of a per-sample loss, and
 * `grad` is the gradient of that mean with respect to `pred` (probabilities, or logits when
 * `fromLogits`), ready to back-propagate.
 */
import { invalidParameter } from '../errors.js';
import { checkArray, checkNoOverlap, outputArray } from '../validate.js';
import { type BatchShape, checkBatchShape } from './batch_shape.js';

/** Ground truth: a float mask in [0, 1] (soft labels allowed) or a uint8 mask of 0/1. */
export type LossTarget = Float32Array | Uint8Array;

export interface BatchLossResult {
  /** Mean of `perSample` over the batch. */
  loss: number;
  /** Loss of each sample, [batch]. */
  perSample: Float64Array;
  /** d loss / d pred, [batch, size] — with respect to the logits when `fromLogits`. */
  grad: Float32Array;
}

export interface BatchLossArgs {
  pred: Float32Array;
  target: LossTarget;
  grad: Float32Array;
  perSample: Float64Array;
  batch: number;
  size: number;
  fromLogits: boolean;
}

export function checkBatchLossArgs(
  pred: unknown,
  target: unknown,
  shape: unknown,
  fromLogits: unknown,
  gradOut: unknown,
): BatchLossArgs {
  const { batch, size } = checkBatchShape('shape', shape as BatchShape);
  const n = batch * size;
  const p = checkArray('pred', pred, Float32Array, n);
  if (!(target instanceof Float32Array) && !(target instanceof Uint8Array)) {
    throw invalidParameter('target', 'a Float32Array or Uint8Array', target);
  }
  if (target.length !== n) throw invalidParameter('target', `an array of ${n} elements`, target);
  if (fromLogits !== undefined && typeof fromLogits !== 'boolean') {
    throw invalidParameter('fromLogits', 'a boolean', fromLogits);
  }
  const grad = outputArray('gradOut', gradOut, Float32Array, n);
  checkNoOverlap('gradOut', grad, [p, target]);
  return { pred: p, target, grad, perSample: new Float64Array(batch), batch, size, fromLogits: fromLogits === true };
}
