/**
 * Losses of the engine; each returns a scalar tensor (shape []), the mean as PyTorch's default
 * reduction.
 *
 * - `crossEntropy` and `bceWithLogits` run natively and are differentiable to any order: a
 *   plain backward uses the fused native gradient, a recorded one (createGraph) composes the same
 *   gradient from differentiable ops (softmax / sigmoid of the logits).
 * - `mse` is composed of differentiable ops.
 * - `focalTversky` and `coxLoss` wrap the loss kernels of native/loss (shared with
 *   lib/loss/), which return the loss and dLoss/dprediction together. Their backward is
 *   gradOutput × that stored gradient: FIRST-ORDER ONLY (the stored gradient is a constant of the
 *   graph, so a gradient of their gradient is wrong, not just missing).
 */
import { MedsynthError } from '../../errors.js';
import { checkBatchLossArgs } from '../../loss/batch_loss.js';
import { callNativeSync } from '../../native.js';
import { allocFloat32 } from '../arena.js';
import { isGradEnabled, record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { nnNative } from './nn_native.js';
import { div, exp, mul, mulScalar, neg, requireSameShape, sigmoid, square, sub } from './pointwise.js';
import { expand, mean, sum } from './reduce.js';

/** A scalar loss value as a tensor of shape []. */
function scalar(value: number): Tensor {
  const t = Tensor.empty([]);
  t.data[0] = value;
  return t;
}

/** The scalar gradient g broadcast over `like`, times a constant gradient tensor. */
function scaleBy(g: Tensor, gradient: Tensor): Tensor {
  return mul(expand(g, gradient.shape), gradient);
}

/**
 * Cross-entropy of logits [N, C] against class indices (PyTorch's F.cross_entropy with mean
 * reduction over N): mean_n (logsumexp(logits_n) − logits_n[target_n]).
 */
export function crossEntropy(logits: Tensor, target: Int32Array): Tensor {
  if (logits.ndim !== 2 || logits.shape[0] === 0 || logits.shape[1] === 0) {
    throw new MedsynthError('INVALID_ARGUMENT', `crossEntropy: logits must be [N, C] with N, C >= 1, got ${formatShape(logits.shape)}`);
  }
  const [n, c] = logits.shape;
  if (!(target instanceof Int32Array) || target.length !== n) {
    throw new MedsynthError('INVALID_ARGUMENT', `crossEntropy: target must be an Int32Array of ${n} class indices for logits ${formatShape(logits.shape)}, got ${target?.length ?? typeof target} values`);
  }
  for (let i = 0; i < n; i++) {
    if (!(target[i] >= 0 && target[i] < c)) {
      throw new MedsynthError('INVALID_ARGUMENT', `crossEntropy: target[${i}] = ${target[i]} is not a class of logits ${formatShape(logits.shape)}`);
    }
  }
  const probs = allocFloat32(n * c);
  const loss = callNativeSync(() => nnNative().nnCrossEntropyForward(logits.data, target, probs, n, c));
  return record(scalar(loss), 'crossEntropy', [logits], (g) => {
    if (!isGradEnabled()) {
      const gx = Tensor.empty(logits.shape);
      callNativeSync(() => nnNative().nnCrossEntropyBackward(probs, target, gx.data, n, c, g.item() / n));
      return [gx];
    }
    // softmax(logits) − onehot, composed; the row maximum is a constant shift (it cancels).
    const shift = new Tensor(rowMax(logits), [n, 1]);
    const e = exp(sub(logits, shift));
    const softmax = div(e, sum(e, 1, true));
    return [scaleBy(g, mulScalar(sub(softmax, oneHot(target, c)), 1 / n))];
  });
}

function rowMax(x: Tensor): Float32Array {
  const [n, c] = x.shape;
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j < c; j++) best = Math.max(best, x.data[i * c + j]);
    m[i] = best;
  }
  return m;
}

function oneHot(target: Int32Array, c: number): Tensor {
  const t = Tensor.zeros([target.length, c]);
  target.forEach((k, i) => (t.data[i * c + k] = 1));
  return t;
}

/**
 * Binary cross-entropy on logits (F.binary_cross_entropy_with_logits, mean reduction), in the
 * stable form max(x, 0) − x·t + log(1 + e^{−|x|}). Gradients: (σ(x) − t)/n for the logits and
 * −x/n for the target.
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  requireSameShape('bceWithLogits', logits, target, ['logits', 'target']);
  if (logits.size === 0) throw new MedsynthError('INVALID_ARGUMENT', `bceWithLogits: empty logits ${formatShape(logits.shape)}`);
  const n = logits.size;
  const loss = callNativeSync(() => nnNative().nnBceWithLogitsForward(logits.data, target.data));
  return record(scalar(loss), 'bceWithLogits', [logits, target], (g) => {
    let gx: Tensor | null = null;
    if (logits.requiresGrad) {
      if (isGradEnabled()) {
        gx = scaleBy(g, mulScalar(sub(sigmoid(logits), target), 1 / n));
      } else {
        gx = Tensor.empty(logits.shape);
        const out = gx;
        callNativeSync(() => nnNative().nnBceWithLogitsBackward(logits.data, target.data, out.data, g.item() / n));
      }
    }
    const gt = target.requiresGrad ? scaleBy(g, mulScalar(neg(logits), 1 / n)) : null;
    return [gx, gt];
  });
}

/** Mean squared error (F.mse_loss, mean reduction); composed, so differentiable to any order. */
export function mse(a: Tensor, b: Tensor): Tensor {
  requireSameShape('mse', a, b, ['input', 'target']);
  if (a.size === 0) throw new MedsynthError('INVALID_ARGUMENT', `mse: empty input ${formatShape(a.shape)}`);
  return mean(square(sub(a, b)));
}

export interface FocalTverskyLossOptions {
  /** Weight of false negatives (default 0.7; see lib/loss/focal_tversky.ts for the conventions). */
  weightFN?: number;
  /** Weight of false positives (default 0.3). */
  weightFP?: number;
  /** Focal exponent γ > 0 (default 0.75). */
  gamma?: number;
  /** Additive smoothing s >= 0 (default 1). */
  smooth?: number;
  /** `pred` holds logits (the sigmoid is applied inside; the gradient is per logit). */
  fromLogits?: boolean;
}

/**
 * Focal Tversky loss of [N, ...] predictions against a mask of the same size (the seed-004
 * convention of lib/loss/focal_tversky.ts: per sample TI = (TP + s) / (TP + wFN·FN + wFP·FP + s),
 * loss (1 − TI)^γ, mean over N). FIRST-ORDER ONLY: the backward is gradOutput × the kernel's
 * dLoss/dpred, a constant of the graph.
 */
export function focalTversky(pred: Tensor, target: Tensor | Uint8Array, options: FocalTverskyLossOptions = {}): Tensor {
  if (pred.ndim < 1 || pred.size === 0) throw new MedsynthError('INVALID_ARGUMENT', `focalTversky: pred must be a non-empty [N, ...], got ${formatShape(pred.shape)}`);
  const targetData = target instanceof Tensor ? target.data : target;
  if (target instanceof Tensor ? target.size !== pred.size : !(target instanceof Uint8Array) || target.length !== pred.size) {
    const what = target instanceof Tensor ? formatShape(target.shape) : `${(target as Uint8Array)?.length} values`;
    throw new MedsynthError('INVALID_ARGUMENT', `focalTversky: target ${what} does not match pred ${formatShape(pred.shape)}`);
  }
  const o = {
    weightFN: options.weightFN ?? 0.7,
    weightFP: options.weightFP ?? 0.3,
    gamma: options.gamma ?? 0.75,
    smooth: options.smooth ?? 1,
  };
  if (!(o.weightFN >= 0 && o.weightFP >= 0 && o.gamma > 0 && o.smooth >= 0 && Object.values(o).every(Number.isFinite))) {
    throw new MedsynthError('INVALID_ARGUMENT', `focalTversky: need weightFN, weightFP >= 0, gamma > 0, smooth >= 0, got ${JSON.stringify(o)}`);
  }
  const gradient = Tensor.empty(pred.shape);
  const a = checkBatchLossArgs(pred.data, targetData, pred.shape, options.fromLogits, gradient.data);
  const loss = callNativeSync(() =>
    nnNative().nnFocalTversky(a.pred, a.target, a.grad, a.perSample, a.batch, a.size, o.weightFN, o.weightFP, o.gamma, o.smooth, a.fromLogits),
  );
  return record(scalar(loss), 'focalTversky', [pred], (g) => [scaleBy(g, gradient)]);
}

export interface CoxLossOptions {
  /** Tie handling (default 'efron', as lib/loss/cox.ts, R's coxph and lifelines). */
  ties?: 'breslow' | 'efron';
}

/**
 * Cox negative log partial likelihood of risk scores [n] or [n, 1] (mean over events; see
 * lib/loss/cox.ts). FIRST-ORDER ONLY: the backward is gradOutput × the kernel's dLoss/drisk.
 */
export function coxLoss(risk: Tensor, time: Float32Array | Tensor, event: Uint8Array, options: CoxLossOptions = {}): Tensor {
  const n = risk.size;
  if (n === 0 || !(risk.ndim === 1 || (risk.ndim === 2 && risk.shape[1] === 1))) {
    throw new MedsynthError('INVALID_ARGUMENT', `coxLoss: risk must be [n] or [n, 1] with n >= 1, got ${formatShape(risk.shape)}`);
  }
  const timeData = time instanceof Tensor ? time.data : time;
  if (!(timeData instanceof Float32Array) || timeData.length !== n || !(event instanceof Uint8Array) || event.length !== n) {
    throw new MedsynthError('INVALID_ARGUMENT', `coxLoss: time and event must hold ${n} values each for risk ${formatShape(risk.shape)}`);
  }
  const ties = options.ties ?? 'efron';
  if (ties !== 'efron' && ties !== 'breslow') throw new MedsynthError('INVALID_ARGUMENT', `coxLoss: ties must be 'efron' or 'breslow', got ${String(ties)}`);
  const gradient = Tensor.empty(risk.shape);
  const loss = callNativeSync(() => nnNative().nnCoxLoss(risk.data, timeData, event, gradient.data, ties === 'efron'));
  return record(scalar(loss), 'coxLoss', [risk], (g) => [scaleBy(g, gradient)]);
}
