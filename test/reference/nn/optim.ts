/** float64 references of the optimizer updates (torch.optim's formulas, plain loops). */

export interface SgdRefOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** One SGD step; `buf` is null before the first momentum step and returned updated. */
export function referenceSgdStep(param: Float64Array, grad: ArrayLike<number>, buf: Float64Array | null, o: SgdRefOptions): Float64Array | null {
  let next = buf;
  if (o.momentum !== 0 && !next) next = new Float64Array(param.length);
  for (let i = 0; i < param.length; i++) {
    let d = grad[i] + o.weightDecay * param[i];
    if (o.momentum !== 0) {
      const b = buf ? o.momentum * next![i] + (1 - o.dampening) * d : d;
      next![i] = b;
      d = o.nesterov ? d + o.momentum * b : b;
    }
    param[i] -= o.lr * d;
  }
  return next;
}

export interface AdamRefOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
}

/** One Adam/AdamW step number `step` (1-based). */
export function referenceAdamStep(param: Float64Array, grad: ArrayLike<number>, m: Float64Array, v: Float64Array, step: number, o: AdamRefOptions): void {
  const bc1 = 1 - o.beta1 ** step;
  const bc2 = 1 - o.beta2 ** step;
  for (let i = 0; i < param.length; i++) {
    if (o.decoupled) param[i] *= 1 - o.lr * o.weightDecay;
    const g = grad[i] + (o.decoupled ? 0 : o.weightDecay * param[i]);
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    param[i] -= ((o.lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps);
  }
}
