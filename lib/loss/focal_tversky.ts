/**
 * Focal Tversky loss (Abraham & Khan 2019) for binary segmentation under heavy class imbalance,
 * with its gradient computed natively in one fused forward + backward pass.
 */
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { checkNumber } from '../validate.js';
import type { BatchShape } from './batch_shape.js';
import { type BatchLossResult, type LossTarget, checkBatchLossArgs } from './batch_loss.js';

/**
 * Options of {@link focalTverskyLoss}. The defaults are the PET/CT seed's "α = 0.3, β = 0.7,
 * γ = 0.75, emphasising false negatives": false negatives weigh 0.7, false positives 0.3.
 *
 * The weights are named by what they weigh because the literature disagrees on the letters:
 * - Salehi et al. (2017, the Tversky loss), Keras and MONAI (TverskyLoss) write
 *   TI = TP / (TP + α·FP + β·FN): `weightFP` = α, `weightFN` = β. The seed's α = 0.3, β = 0.7
 *   are in this convention, hence our defaults weightFP = 0.3, weightFN = 0.7.
 * - Abraham & Khan (2019, the focal Tversky loss) write TI = TP / (TP + α·FN + β·FP):
 *   `weightFN` = α, `weightFP` = β; their α = 0.7, β = 0.3 are the same defaults.
 * weightFN = weightFP = 0.5 with γ = 1 is the soft Dice loss (with smoothing s on both sides).
 */
export interface FocalTverskyOptions {
  /** Weight of false negatives, >= 0 (default 0.7). */
  weightFN?: number;
  /** Weight of false positives, >= 0 (default 0.3). */
  weightFP?: number;
  /** Focal exponent γ > 0 (default 0.75); γ < 1 raises the loss of samples already near TI = 1. */
  gamma?: number;
  /** Additive smoothing s >= 0 in numerator and denominator (default 1, in units of voxels). */
  smooth?: number;
  /** `pred` holds logits; the sigmoid is applied natively and `grad` is d loss / d logits. */
  fromLogits?: boolean;
}

/**
 * Focal Tversky loss of a batch: per sample, with p the predicted foreground probability and g
 * the target,
 *
 *   TP = Σ p·g,  FN = Σ (1 − p)·g,  FP = Σ p·(1 − g)
 *   TI = (TP + s) / (TP + weightFN·FN + weightFP·FP + s),  loss = (1 − TI)^γ
 *
 * and `loss` is the batch mean. Sums run in float64, in an order that does not depend on the
 * thread count. A sample with TI = 1 has loss 0 and gradient 0 (for γ < 1 the derivative of
 * (1 − TI)^γ is unbounded there, so 0 is the convention); with `smooth: 0`, an empty prediction
 * of an empty mask counts as TI = 1.
 *
 * @param pred probabilities in [0, 1] (or logits with `fromLogits`), [batch, size]
 * @param target mask, [batch, size]: Float32Array in [0, 1] or Uint8Array of 0/1
 * @param shape `{ batch, size }` or the dims `[N, ...]`, e.g. `[8, 1, 256, 256]`
 * @param gradOut optional buffer for the gradient (reused between calls; must not overlap the inputs)
 * @throws MedsynthError INVALID_ARGUMENT for bad shapes, options, lengths or values (NaN,
 *   probabilities outside [0, 1], non-finite logits, targets outside [0, 1])
 */
export async function focalTverskyLoss(
  pred: Float32Array,
  target: LossTarget,
  shape: BatchShape,
  options: FocalTverskyOptions = {},
  gradOut?: Float32Array,
): Promise<BatchLossResult> {
  const o = options ?? {};
  const a = checkBatchLossArgs(pred, target, shape, o.fromLogits, gradOut);
  const params = {
    batch: a.batch,
    size: a.size,
    weightFN: checkNumber('weightFN', o.weightFN ?? 0.7, { min: 0 }),
    weightFP: checkNumber('weightFP', o.weightFP ?? 0.3, { min: 0 }),
    gamma: checkNumber('gamma', o.gamma ?? 0.75, { above: 0 }),
    smooth: checkNumber('smooth', o.smooth ?? 1, { min: 0 }),
    fromLogits: a.fromLogits,
  };
  const loss = await callNative(binding().focalTversky(a.pred, a.target, a.grad, a.perSample, params));
  return { loss, perSample: a.perSample, grad: a.grad };
}
