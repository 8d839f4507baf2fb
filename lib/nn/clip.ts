/**
 * torch.nn.utils.clip_grad_norm_: scales every gradient by max_norm / (total_norm + 1e-6) when
 * that is below 1, where total_norm is the 2-norm of all gradients together (accumulated in
 * float64 here, in a fixed order, so it does not depend on threads). Returns the total norm.
 */
import { MedsynthError } from '../errors.js';
import type { Tensor } from './tensor.js';

export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new MedsynthError('INVALID_ARGUMENT', `max_norm must be positive, got ${maxNorm}`);
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  let sumSquares = 0;
  for (const g of grads) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) sumSquares += d[i] * d[i];
  }
  const total = Math.sqrt(sumSquares);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    const c = Math.fround(coef);
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] *= c;
    }
  }
  return total;
}
