/**
 * Element-wise ops with numpy broadcasting, and the activations (PyTorch's names and defaults).
 *
 * Every backward is written in these same ops, so gradients of gradients work (WGAN-GP). An
 * activation whose derivative is piecewise (ReLU, LeakyReLU, softplus beyond its threshold)
 * multiplies by a constant mask, which is differentiable in the incoming gradient and has the
 * true second derivative, zero. When the tape is not recording (a plain `backward()`), the
 * activations use one fused native backward kernel instead of the composed ops; both agree.
 */
import { MedsynthError } from '../../errors.js';
import { callNativeSync } from '../../native.js';
import { isGradEnabled, record, setGradientAdder } from '../autograd.js';
import { formatShape, sameShape, Tensor } from '../tensor.js';
import { broadcastGeometry, broadcastShape } from './broadcast.js';
import { BINARY, nnNative, UNARY, UNARY_GRAD } from './nn_native.js';
import { sumTo } from './reduce.js';

type UnaryCode = (typeof UNARY)[keyof typeof UNARY];
type GradCode = (typeof UNARY_GRAD)[keyof typeof UNARY_GRAD];

/** f(x) natively, without recording. */
function unaryRaw(op: UnaryCode, x: Tensor, a = 0, b = 0): Tensor {
  const y = Tensor.empty(x.shape);
  callNativeSync(() => nnNative().nnUnary(op, x.data, y.data, a, b));
  return y;
}

/** The fused first-order backward g · f'(t) of an activation, without recording. */
function unaryGradRaw(op: GradCode, g: Tensor, t: Tensor, a = 0, b = 0): Tensor {
  const gx = Tensor.empty(g.shape);
  callNativeSync(() => nnNative().nnUnaryBackward(op, g.data, t.data, gx.data, a, b));
  return gx;
}

function checkFinite(op: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new MedsynthError('INVALID_ARGUMENT', `${op}: ${name} must be a finite number, got ${v}`);
}

/** Throws unless a and b have the same shape (ops without broadcasting). */
export function requireSameShape(op: string, a: Tensor, b: Tensor, names = ['a', 'b']): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: ${names[0]} ${formatShape(a.shape)} and ${names[1]} ${formatShape(b.shape)} must have the same shape`);
  }
}

// ---- binary, broadcasting ----

function binary(name: keyof typeof BINARY, a: Tensor, b: Tensor): Tensor {
  const shape = sameShape(a.shape, b.shape) ? [...a.shape] : broadcastShape(name, a.shape, b.shape);
  const y = Tensor.empty(shape);
  const geometry = broadcastGeometry(shape, a.shape, b.shape);
  callNativeSync(() => nnNative().nnBinary(BINARY[name], a.data, b.data, y.data, geometry));
  return y;
}

/** a + b (broadcast). Also the tape's gradient adder. */
export function add(a: Tensor, b: Tensor): Tensor {
  return record(binary('add', a, b), 'add', [a, b], (g) => {
    const ga = a.requiresGrad ? sumTo(g, a.shape) : null;
    let gb = b.requiresGrad ? sumTo(g, b.shape) : null;
    // Two leaves must never share one gradient buffer (optimizers and clipping write in place).
    if (ga && gb && ga.data.buffer === gb.data.buffer) gb = copy(gb);
    return [ga, gb];
  });
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return record(binary('sub', a, b), 'sub', [a, b], (g) => [
    a.requiresGrad ? sumTo(g, a.shape) : null,
    b.requiresGrad ? sumTo(neg(g), b.shape) : null,
  ]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  return record(binary('mul', a, b), 'mul', [a, b], (g) => [
    a.requiresGrad ? sumTo(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(mul(g, a), b.shape) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  return record(binary('div', a, b), 'div', [a, b], (g) => [
    a.requiresGrad ? sumTo(div(g, b), a.shape) : null,
    // d(a/b)/db = −a / b²
    b.requiresGrad ? sumTo(neg(div(mul(g, a), square(b))), b.shape) : null,
  ]);
}

/** A differentiable copy (fresh buffer, same values). */
export function copy(x: Tensor): Tensor {
  return record(x.clone(), 'copy', [x], (g) => [g]);
}

// ---- unary ----

export function addScalar(x: Tensor, s: number): Tensor {
  checkFinite('addScalar', 's', s);
  return record(unaryRaw(UNARY.addScalar, x, s), 'addScalar', [x], (g) => [g]);
}

export function mulScalar(x: Tensor, s: number): Tensor {
  checkFinite('mulScalar', 's', s);
  return record(unaryRaw(UNARY.mulScalar, x, s), 'mulScalar', [x], (g) => [mulScalar(g, s)]);
}

export function neg(x: Tensor): Tensor {
  return record(unaryRaw(UNARY.neg, x), 'neg', [x], (g) => [neg(g)]);
}

export function square(x: Tensor): Tensor {
  return record(unaryRaw(UNARY.square, x), 'square', [x], (g) => [mul(g, mulScalar(x, 2))]);
}

export function sqrt(x: Tensor): Tensor {
  const y = unaryRaw(UNARY.sqrt, x);
  return record(y, 'sqrt', [x], (g) => [div(g, mulScalar(y, 2))]);
}

export function exp(x: Tensor): Tensor {
  const y = unaryRaw(UNARY.exp, x);
  return record(y, 'exp', [x], (g) => [mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  return record(unaryRaw(UNARY.log, x), 'log', [x], (g) => [div(g, x)]);
}

/** x^p for a number p (PyTorch's pow(tensor, scalar)). */
export function pow(x: Tensor, p: number): Tensor {
  checkFinite('pow', 'p', p);
  if (p === 1) return record(x.clone(), 'pow', [x], (g) => [g]);
  return record(unaryRaw(UNARY.pow, x, p), 'pow', [x], (g) => [p === 0 ? mulScalar(g, 0) : mul(g, mulScalar(pow(x, p - 1), p))]);
}

// ---- activations ----

/** A constant of the graph (no history): the mask an activation's derivative multiplies by. */
function mask(op: UnaryCode, x: Tensor, a = 0, b = 0): Tensor {
  return unaryRaw(op, x, a, b);
}

export function relu(x: Tensor): Tensor {
  return record(unaryRaw(UNARY.relu, x), 'relu', [x], (g) => [
    isGradEnabled() ? mul(g, mask(UNARY.reluMask, x)) : unaryGradRaw(UNARY_GRAD.relu, g, x),
  ]);
}

/** max(0, x) + slope · min(0, x) (PyTorch's LeakyReLU, negative_slope = 0.01). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkFinite('leakyRelu', 'slope', slope);
  return record(unaryRaw(UNARY.leakyRelu, x, slope), 'leakyRelu', [x], (g) => [
    isGradEnabled() ? mul(g, mask(UNARY.leakyMask, x, slope)) : unaryGradRaw(UNARY_GRAD.leakyRelu, g, x, slope),
  ]);
}

export function sigmoid(x: Tensor): Tensor {
  const y = unaryRaw(UNARY.sigmoid, x);
  return record(y, 'sigmoid', [x], (g) => [
    // σ' = σ(1 − σ), in terms of the output (which carries x's history for the next order).
    isGradEnabled() ? mul(g, mul(y, addScalar(neg(y), 1))) : unaryGradRaw(UNARY_GRAD.sigmoid, g, y),
  ]);
}

export function tanh(x: Tensor): Tensor {
  const y = unaryRaw(UNARY.tanh, x);
  return record(y, 'tanh', [x], (g) => [
    isGradEnabled() ? mul(g, addScalar(neg(square(y)), 1)) : unaryGradRaw(UNARY_GRAD.tanh, g, y),
  ]);
}

/**
 * log(1 + e^{βx}) / β, and x itself where βx > threshold (PyTorch's Softplus: beta = 1,
 * threshold = 20). The derivative is σ(βx), and 1 where the identity applies.
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkFinite('softplus', 'threshold', threshold);
  if (!(Number.isFinite(beta) && beta !== 0)) throw new MedsynthError('INVALID_ARGUMENT', `softplus: beta must be a finite non-zero number, got ${beta}`);
  return record(unaryRaw(UNARY.softplus, x, beta, threshold), 'softplus', [x], (g) => {
    if (!isGradEnabled()) return [unaryGradRaw(UNARY_GRAD.softplus, g, x, beta, threshold)];
    const linear = mask(UNARY.softplusLinear, x, beta, threshold);
    const curved = mask(UNARY.addScalar, mask(UNARY.neg, linear), 1);
    return [mul(g, add(mul(sigmoid(mulScalar(x, beta)), curved), linear))];
  });
}

setGradientAdder(add);
