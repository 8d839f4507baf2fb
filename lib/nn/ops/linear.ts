/**
 * Dense ops on the native GEMM (native/nn/gemm.h): `linear` (PyTorch's F.linear) and `matmul`
 * with optional transposes. matmul's backward is two matmuls, so both are differentiable to any
 * order; linear's backward is matmuls plus a sum over the batch for the bias.
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';
import { biasGrad } from './conv.js';

export interface MatmulOptions {
  /** Use aᵀ (a is stored [k, m]). */
  transA?: boolean;
  /** Use bᵀ (b is stored [n, k]). */
  transB?: boolean;
}

/** op(a) · op(b) for 2-D tensors: [m, k] · [k, n] → [m, n]. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new MedsynthError('INVALID_ARGUMENT', `matmul: needs 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new MedsynthError(
      'INVALID_ARGUMENT',
      `matmul: ${transA ? 'transposed ' : ''}${formatShape(a.shape)} and ${transB ? 'transposed ' : ''}${formatShape(b.shape)} have inner sizes ${k} and ${kb}`,
    );
  }
  const c = Tensor.empty([m, n]);
  callNativeSync(() => binding().nnGemm(a.data, b.data, c.data, Int32Array.of(m, n, k, transA ? 1 : 0, transB ? 1 : 0), 1, 0));
  // C = op(A)·op(B): dL/dop(A) = G·op(B)ᵀ and dL/dop(B) = op(A)ᵀ·G, transposed back when the
  // operand is stored transposed.
  return record(c, 'matmul', [a, b], (g) => [
    a.requiresGrad ? (transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transB: !transB })) : null,
    b.requiresGrad ? (transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA })) : null,
  ]);
}

/** y = x · wᵀ + b as PyTorch's F.linear: x [N, in], w [out, in], b [out] or null → [N, out]. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  if (x.ndim !== 2 || w.ndim !== 2 || x.shape[1] !== w.shape[1]) {
    throw new MedsynthError('INVALID_ARGUMENT', `linear: input ${formatShape(x.shape)} does not match weight ${formatShape(w.shape)} (needs [N, ${w.shape[1] ?? '?'}])`);
  }
  const [n, inFeatures] = x.shape;
  const outFeatures = w.shape[0];
  if (b && (b.ndim !== 1 || b.shape[0] !== outFeatures)) {
    throw new MedsynthError('INVALID_ARGUMENT', `linear: bias ${formatShape(b.shape)} does not match weight ${formatShape(w.shape)} (needs [${outFeatures}])`);
  }
  if (n === 0 || inFeatures === 0 || outFeatures === 0) {
    throw new MedsynthError('INVALID_ARGUMENT', `linear: empty input ${formatShape(x.shape)} or weight ${formatShape(w.shape)}`);
  }
  const y = Tensor.empty([n, outFeatures]);
  callNativeSync(() => binding().nnLinearForward(x.data, w.data, b?.data ?? null, y.data, n, inFeatures, outFeatures));
  return record(y, 'linear', [x, w, b], (g) => [
    x.requiresGrad ? matmul(g, w) : null,
    w.requiresGrad ? matmul(g, x, { transA: true }) : null,
    b?.requiresGrad ? biasGrad(g) : null,
  ]);
}

/** The GEMM microkernel set in use on this CPU: 'avx512', 'avx2' or 'scalar'. */
export function gemmIsa(): string {
  return binding().nnGemmIsa();
}

/** Forces a GEMM kernel set (tests, benchmarks); false when this CPU lacks it. */
export function setGemmIsa(isa: 'avx512' | 'avx2' | 'scalar'): boolean {
  return callNativeSync(() => binding().nnSetGemmIsa(isa));
}
