/**
 * Dropout (PyTorch's Dropout) and channel dropout (Dropout2d / Dropout3d: whole channels of
 * [N, C, ...] input). Masks come from Philox keyed by (seed, step, layer), so a training run,
 * or one Monte Carlo dropout pass, is reproducible on any thread count: the same (seed, step,
 * layer) drops the same elements. Kept values are scaled by 1 / (1 − p). In eval mode, or with
 * p = 0, the input is returned as it is.
 */
import { binding } from '../../binding.js';
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { record } from '../autograd.js';
import { formatShape, Tensor } from '../tensor.js';

export interface DropoutOptions {
  training: boolean;
  seed: number | bigint;
  /** Which mask: e.g. the optimizer step, or the Monte Carlo pass. */
  step: number;
  /** Which dropout layer in the model. */
  layer: number;
}

export function dropout(x: Tensor, p: number, options: DropoutOptions): Tensor {
  return masked('dropout', x, p, options, x.size, 1);
}

export function channelDropout(x: Tensor, p: number, options: DropoutOptions): Tensor {
  if (x.ndim < 3) {
    throw new MedsynthError('INVALID_ARGUMENT', `channelDropout: input must be [N, C, ...] with spatial axes, got ${formatShape(x.shape)}`);
  }
  const groups = x.shape[0] * x.shape[1];
  return masked('channelDropout', x, p, options, groups, groups === 0 ? 1 : x.size / groups);
}

function masked(op: string, x: Tensor, p: number, options: DropoutOptions, groups: number, inner: number): Tensor {
  if (!(p >= 0 && p <= 1)) throw new MedsynthError('INVALID_ARGUMENT', `${op}: p must be in [0, 1], got ${p}`);
  if (!options.training || p === 0) return x;
  const mask = new Float32Array(groups);
  if (p < 1) callNativeSync(() => binding().nnDropoutMask(mask, options.seed, options.step, options.layer, p));
  return applyMask(x, mask, groups, inner);
}

/** x times a fixed mask (one value per group of `inner` elements); its own adjoint. */
function applyMask(x: Tensor, mask: Float32Array, groups: number, inner: number): Tensor {
  const y = Tensor.empty(x.shape);
  callNativeSync(() => binding().nnApplyMask(x.data, mask, y.data, groups, inner));
  return record(y, 'dropout', [x], (g) => [applyMask(g, mask, groups, inner)]);
}
