/**
 * ONNX nodes for the engine's layers, in inference form (eval mode: batch norm with running
 * statistics, dropout as identity). `emitLayer(b, module, x)` returns the output value name; a
 * Sequential emits its children in order, so a model's graph method mirrors its forward. Batch
 * norm is emitted as BatchNormalization and folded into the preceding convolution afterwards
 * (fold_batch_norm.ts), so folding is one testable pass.
 */
import { MedsynthError } from '../errors.js';
import { LeakyReLU, ReLU, Sigmoid, Softplus, Tanh } from '../nn/layers/activation.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from '../nn/layers/batch_norm.js';
import { Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d } from '../nn/layers/conv.js';
import { Dropout, Dropout2d, Dropout3d } from '../nn/layers/dropout.js';
import { Linear } from '../nn/layers/linear.js';
import { AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool2d, AvgPool3d, MaxPool2d, MaxPool3d } from '../nn/layers/pool.js';
import { Sequential } from '../nn/layers/sequential.js';
import { Flatten, Upsample } from '../nn/layers/shape.js';
import type { Module } from '../nn/module.js';
import { float, GraphBuilder, int, ints, str } from './graph.js';

type PerAxis = number | readonly number[];

function axes(v: PerAxis, dims: number): number[] {
  return typeof v === 'number' ? Array(dims).fill(v) : [...v];
}

/** Node names are the module's path ('enc1.0'), so keep-float lists and reports read like the state dict. */
function nodeName(m: Module): string {
  return m.path() || m.typeName;
}

function weights(b: GraphBuilder, m: Module, weight: { data: Float32Array; shape: readonly number[] }, bias: { data: Float32Array; shape: readonly number[] } | null): string[] {
  const base = nodeName(m);
  const w = b.constant(`${base}.weight`, weight.data, weight.shape);
  return bias ? [w, b.constant(`${base}.bias`, bias.data, bias.shape)] : [w];
}

export function emitLayer(b: GraphBuilder, m: Module, x: string): string {
  const name = nodeName(m);
  if (m instanceof Sequential) return m.layers.reduce((v, layer) => emitLayer(b, layer, v), x);
  if (m instanceof Conv2d || m instanceof Conv3d || m instanceof ConvTranspose2d || m instanceof ConvTranspose3d) {
    const transposed = m instanceof ConvTranspose2d || m instanceof ConvTranspose3d;
    return b.node(transposed ? 'ConvTranspose' : 'Conv', [x, ...weights(b, m, m.weight, m.bias)], {
      kernel_shape: ints(m.kernelSize),
      strides: ints(m.stride),
      pads: ints([...m.padding, ...m.padding]),
      dilations: ints(m.dilation),
      ...(transposed ? { output_padding: ints(m.outputPadding) } : {}),
    }, { name });
  }
  if (m instanceof Linear) return b.node('Gemm', [x, ...weights(b, m, m.weight, m.bias)], { transB: int(1) }, { name });
  if (m instanceof BatchNorm1d || m instanceof BatchNorm2d || m instanceof BatchNorm3d) {
    const p = (suffix: string, t: { data: Float32Array; shape: readonly number[] }) => b.constant(`${name}.${suffix}`, t.data, t.shape);
    const inputs = [x, p('weight', m.weight), p('bias', m.bias), p('running_mean', m.runningMean), p('running_var', m.runningVar)];
    return b.node('BatchNormalization', inputs, { epsilon: float(m.eps) }, { name });
  }
  if (m instanceof ReLU) return b.node('Relu', [x], {}, { name });
  if (m instanceof LeakyReLU) return b.node('LeakyRelu', [x], { alpha: float(m.negativeSlope) }, { name });
  if (m instanceof Sigmoid) return b.node('Sigmoid', [x], {}, { name });
  if (m instanceof Tanh) return b.node('Tanh', [x], {}, { name });
  if (m instanceof Softplus) {
    // softplus(βx)/β; torch's linear region above `threshold` differs from log1p(exp) by < 2e-9.
    if (m.beta === 1) return b.node('Softplus', [x], {}, { name });
    const beta = b.constant(`${name}.beta`, Float32Array.of(m.beta), []);
    const inner = b.node('Softplus', [b.node('Mul', [x, beta], {}, { name: `${name}.scale` })], {}, { name });
    return b.node('Div', [inner, beta], {}, { name: `${name}.unscale` });
  }
  if (m instanceof Dropout || m instanceof Dropout2d || m instanceof Dropout3d) return x;
  if (m instanceof MaxPool2d || m instanceof MaxPool3d || m instanceof AvgPool2d || m instanceof AvgPool3d) {
    const dims = m instanceof MaxPool2d || m instanceof AvgPool2d ? 2 : 3;
    const kernel = axes(m.kernelSize, dims);
    const pads = axes(m.options.padding ?? 0, dims);
    const attrs = { kernel_shape: ints(kernel), strides: ints(axes(m.options.stride ?? m.kernelSize, dims)), pads: ints([...pads, ...pads]) };
    if (m instanceof MaxPool2d || m instanceof MaxPool3d) return b.node('MaxPool', [x], attrs, { name });
    return b.node('AveragePool', [x], { ...attrs, count_include_pad: int(1) }, { name });
  }
  if (m instanceof AdaptiveAvgPool2d || m instanceof AdaptiveAvgPool3d) return b.node('GlobalAveragePool', [x], {}, { name });
  if (m instanceof Flatten) {
    if (m.startDim !== 1) throw new MedsynthError('INVALID_ARGUMENT', `ONNX export supports Flatten(start_dim=1) only, ${name} has ${m.startDim}`);
    return b.node('Flatten', [x], { axis: int(1) }, { name });
  }
  if (m instanceof Upsample) {
    const scale = typeof m.scaleFactor === 'number' ? null : m.scaleFactor;
    // Rank is not known here: a scalar factor applies to every spatial axis of a 4-D input.
    const spatial = scale ?? [m.scaleFactor as number, m.scaleFactor as number];
    const scales = b.constant(`${name}.scales`, Float32Array.from([1, 1, ...spatial]), [spatial.length + 2]);
    return b.node('Resize', [x, '', scales], {
      mode: str('nearest'),
      coordinate_transformation_mode: str('asymmetric'),
      nearest_mode: str('floor'),
    }, { name });
  }
  throw new MedsynthError('INVALID_ARGUMENT', `ONNX export has no rule for ${m.typeName} (${name})`);
}
