/**
 * Pruning of engine models before export:
 *  - magnitude (unstructured): one global threshold over every Conv/ConvTranspose/Linear weight
 *    (biases and batch norm untouched) zeroes the smallest |w| until `sparsity` of them are 0.
 *    The tensors keep their shape, so ORT does the same work: the model only compresses better.
 *  - channels (structured, U-Net): each block's inner width shrinks to the channels with the
 *    largest L1 norm of their batch-norm-scaled filters; the block's input and output widths stay,
 *    so the pruned U-Net is a smaller MultiTaskUNet (architecture `mid`) with real fewer FLOPs.
 * Both change the function; a fine-tune on the engine is what recovers accuracy.
 */
import { MedsynthError } from '../errors.js';
import { MultiTaskUNet, UNET_BLOCKS, type UNetBlock } from '../models/unet.js';
import { Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d, Linear } from '../nn/layers/index.js';
import type { Module } from '../nn/module.js';
import type { StoredTensor } from '../nn/safetensors.js';

function checkFraction(name: string, f: number): void {
  if (!(f >= 0 && f < 1)) throw new MedsynthError('INVALID_ARGUMENT', `${name} has to be in [0, 1), got ${f}`);
}

export interface MagnitudePruneResult {
  threshold: number;
  zeroed: number;
  total: number;
}

/** The weights magnitude pruning acts on: every Conv/ConvTranspose/Linear weight. */
export function prunableWeights(model: Module): Float32Array[] {
  return model
    .namedModules()
    .map(([, m]) => m)
    .filter((m): m is Conv2d | Conv3d | ConvTranspose2d | ConvTranspose3d | Linear => m instanceof Conv2d || m instanceof Conv3d || m instanceof ConvTranspose2d || m instanceof ConvTranspose3d || m instanceof Linear)
    .map((m) => m.weight.data);
}

/** Share of the prunable weights that are exactly zero. */
export function weightSparsity(model: Module): number {
  const weights = prunableWeights(model);
  const zeros = weights.reduce((n, w) => n + w.reduce((z, v) => z + (v === 0 ? 1 : 0), 0), 0);
  return zeros / weights.reduce((n, w) => n + w.length, 0);
}

/** Zeroes weights in place; returns the global threshold and how many weights are now zero. */
export function magnitudePrune(model: Module, sparsity: number): MagnitudePruneResult {
  checkFraction('pruning sparsity', sparsity);
  const weights = prunableWeights(model);
  const total = weights.reduce((n, w) => n + w.length, 0);
  const magnitudes = new Float32Array(total);
  let o = 0;
  for (const w of weights) for (let i = 0; i < w.length; i++) magnitudes[o++] = Math.abs(w[i]);
  magnitudes.sort();
  const k = Math.floor(sparsity * total);
  // Everything strictly below the k-th smallest magnitude goes, then ties at it until k are gone.
  const threshold = k > 0 ? magnitudes[k - 1] : -1;
  let below = 0;
  for (let i = 0; i < k; i++) if (magnitudes[i] < threshold) below++;
  let tiesLeft = k - below;
  let zeroed = 0;
  for (const w of weights) {
    for (let i = 0; i < w.length; i++) {
      const a = Math.abs(w[i]);
      if (a < threshold || (a === threshold && tiesLeft-- > 0)) w[i] = 0;
      if (w[i] === 0) zeroed++;
    }
  }
  return { threshold: Math.max(threshold, 0), zeroed, total };
}

/** Indices of the `keep` channels with the largest scores, ascending. */
function topChannels(scores: Float64Array, keep: number): number[] {
  return [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b).slice(0, keep).sort((a, b) => a - b);
}

function select(t: StoredTensor, axis: 0 | 1, keep: number[]): StoredTensor {
  const shape = [...t.shape];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const out = new Float32Array(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((c, j) => out.set(src.subarray((o * shape[axis] + c) * inner, (o * shape[axis] + c + 1) * inner), (o * keep.length + j) * inner));
  }
  shape[axis] = keep.length;
  return { dtype: 'F32', shape, data: out };
}

/** A copy of the U-Net whose blocks keep ⌈(1 − fraction)·mid⌉ inner channels each. */
export function channelPruneUNet(model: MultiTaskUNet, fraction: number): MultiTaskUNet {
  checkFraction('channel pruning fraction', fraction);
  const state = model.stateDict();
  const get = (k: string) => state.get(k) as StoredTensor;
  const mid: Partial<Record<UNetBlock, number>> = {};
  const kept = new Map<UNetBlock, number[]>();
  for (const b of UNET_BLOCKS) {
    const w = get(`${b}.0.weight`).data as Float32Array;
    const gamma = get(`${b}.1.weight`).data as Float32Array;
    const variance = get(`${b}.1.running_var`).data as Float32Array;
    const channels = gamma.length;
    const per = w.length / channels;
    const scores = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      let l1 = 0;
      for (let i = 0; i < per; i++) l1 += Math.abs(w[c * per + i]);
      scores[c] = (l1 * Math.abs(gamma[c])) / Math.sqrt(variance[c] + 1e-5);
    }
    const keep = topChannels(scores, Math.max(1, Math.ceil((1 - fraction) * channels)));
    mid[b] = keep.length;
    kept.set(b, keep);
  }
  const pruned = new MultiTaskUNet({ inChannels: model.inChannels, base: model.base, dropout: model.dropout, mid, clinical: model.clinical, survivalPool: model.survivalPool });
  const next = new Map<string, StoredTensor>();
  for (const [key, t] of state) {
    const [block, layer, name] = key.split('.');
    const keep = kept.get(block as UNetBlock);
    if (keep && (layer === '0' || layer === '1') && name !== 'num_batches_tracked') next.set(key, select(t, 0, keep));
    else if (keep && layer === '3' && name === 'weight') next.set(key, select(t, 1, keep));
    else next.set(key, t);
  }
  pruned.loadStateDict(next);
  pruned.setMode(model.mode);
  return pruned;
}
