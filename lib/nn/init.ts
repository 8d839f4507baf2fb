/**
 * PyTorch's default initialisation, drawn from Philox instead of torch's global generator:
 * weights kaiming_uniform(a = √5), i.e. U(−1/√fan_in, 1/√fan_in), and biases U(−1/√fan_in,
 * 1/√fan_in) (torch/nn/modules/conv.py, linear.py reset_parameters). fan_in is dim 1 times the
 * receptive field, as torch's _calculate_fan_in_and_fan_out (so for ConvTranspose, whose weight
 * is [Cin, Cout, k…], it is Cout·k…). Each tensor draws its own stream, keyed by (seed, its
 * ordinal in the state dict), so a model is the same for a given seed on any machine.
 */
import { philoxWords } from '../core/philox_native.js';
import { uniformDouble } from '../core/philox.js';
import type { Module } from './module.js';
import type { Tensor } from './tensor.js';

/** Philox stream reserved for parameter initialisation. */
export const INIT_STREAM = 0x1d17;

/** fan_in of a weight as torch computes it: shape[1] · prod(shape[2:]). */
export function fanIn(shape: readonly number[]): number {
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return (shape.length > 1 ? shape[1] : shape[0]) * receptive;
}

/** Fills `t` with U(−bound, bound) from the Philox stream (seed, sample = key, INIT_STREAM). */
export function uniformFill(t: Tensor, bound: number, seed: number, key: number): void {
  const n = t.size;
  const words = philoxWords(seed, key, INIT_STREAM, 0, Math.ceil(n / 2));
  for (let i = 0; i < n; i++) t.data[i] = (2 * uniformDouble(words[2 * i], words[2 * i + 1]) - 1) * bound;
}

/**
 * Conv/ConvTranspose/Linear reset_parameters: kaiming_uniform(a = √5) on the weight and the bias
 * rule both come to U(±1/√fan_in). Uses keys `key` and `key + 1`; returns the next free key.
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null, seed: number, key: number): number {
  const bound = 1 / Math.sqrt(fanIn(weight.shape));
  uniformFill(weight, bound, seed, key);
  if (bias) uniformFill(bias, bound, seed, key + 1);
  return key + 2;
}

/** Layers with PyTorch's default reset_parameters implement this. */
export interface ResetParameters {
  resetParameters(seed: number, key: number): number;
}

function hasReset(m: Module): m is Module & ResetParameters {
  return typeof (m as Partial<ResetParameters>).resetParameters === 'function';
}

/**
 * Re-initialises every layer of `model` with PyTorch's defaults from `seed`. Keys are consecutive
 * ordinals in module order, so adding a layer at the end does not change earlier layers.
 */
export function initialize(model: Module, seed: number): void {
  let key = 0;
  for (const [, m] of model.namedModules()) {
    if (hasReset(m)) key = m.resetParameters(seed, key);
  }
}
