/**
 * The tape. An op computes its output natively and, when the tape is recording and an input
 * needs a gradient, attaches a GradFn whose backward is written in differentiable ops. Running
 * backward with `createGraph` keeps recording, so the gradients have graphs of their own and can
 * be differentiated again (WGAN-GP's gradient penalty); without it, backward runs unrecorded.
 */
import { MedsynthError } from '../errors.js';
import { allocationMark, releaseFloat32 } from './arena.js';
import { formatShape, sameShape, Tensor, type GradFn } from './tensor.js';

let recording = true;

export function isGradEnabled(): boolean {
  return recording;
}

/** Runs fn with the tape off (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const before = recording;
  recording = enabled;
  try {
    return fn();
  } finally {
    recording = before;
  }
}

/**
 * Attaches `backward` to `output` when the tape is recording and any input requires a gradient.
 * backward(g) returns one gradient (or null) per input, each of that input's shape.
 */
export function record(
  output: Tensor,
  name: string,
  inputs: readonly (Tensor | null)[],
  backward: (gradOutput: Tensor) => (Tensor | null)[],
): Tensor {
  if (recording && inputs.some((t) => t?.requiresGrad)) {
    output.requiresGrad = true;
    output.gradFn = { name, inputs, backward };
  }
  return output;
}

/** Adds two gradients; set by the op library (the sum must itself be differentiable). */
let addGradients: (a: Tensor, b: Tensor) => Tensor = () => {
  throw new MedsynthError('NATIVE_ERROR', 'the nn op library is not loaded (import lib/nn/index.js)');
};

export function setGradientAdder(add: (a: Tensor, b: Tensor) => Tensor): void {
  addGradients = add;
}

export interface BackwardOptions {
  /** Gradient of the output; default 1 for a one-element output. */
  gradOutput?: Tensor;
  /** Record the backward pass, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

/**
 * Accumulates d(output)/d(leaf) into `leaf.grad` for every leaf that requires a gradient
 * (PyTorch's `loss.backward()`).
 */
export function backward(output: Tensor, options: BackwardOptions = {}): void {
  const grads = propagate(output, options, null);
  // One gradient object can reach several leaves (add's backward hands g to both inputs), and
  // optimizers and clipping change .grad in place: a leaf gets its own copy unless recording.
  const stored = new Set<Tensor>([options.gradOutput ?? output]);
  for (const [tensor, g] of grads) {
    if (!tensor.isLeaf || !tensor.requiresGrad) continue;
    if (tensor.grad) {
      tensor.grad = withGradMode(options.createGraph ?? false, () => addGradients(tensor.grad!, g));
    } else {
      tensor.grad = stored.has(g) && !options.createGraph ? g.clone() : g;
    }
    stored.add(tensor.grad);
  }
}

/**
 * The gradients of `output` with respect to `inputs` (PyTorch's `torch.autograd.grad`), without
 * touching any `.grad`. An input the output does not depend on gets zeros.
 */
export function grad(output: Tensor, inputs: readonly Tensor[], options: BackwardOptions = {}): Tensor[] {
  const grads = propagate(output, options, new Set(inputs));
  return inputs.map((t) => grads.get(t) ?? Tensor.zeros(t.shape));
}

function propagate(output: Tensor, options: BackwardOptions, wanted: Set<Tensor> | null): Map<Tensor, Tensor> {
  if (!output.requiresGrad) {
    throw new MedsynthError('INVALID_ARGUMENT', 'backward: the output does not require a gradient (no input of it did)');
  }
  let seed = options.gradOutput;
  if (!seed) {
    if (output.size !== 1) {
      throw new MedsynthError('INVALID_ARGUMENT', `backward: an output of shape ${formatShape(output.shape)} needs gradOutput`);
    }
    seed = Tensor.full(output.shape, 1);
  } else if (!sameShape(seed.shape, output.shape)) {
    throw new MedsynthError('INVALID_ARGUMENT', `backward: gradOutput ${formatShape(seed.shape)} does not match the output ${formatShape(output.shape)}`);
  }

  const order = topologicalOrder(output);
  const grads = new Map<Tensor, Tensor>([[output, seed]]);
  const buffers = new GradientBuffers(!options.createGraph);
  buffers.hold(seed);
  withGradMode(options.createGraph ?? false, () => {
    for (const tensor of order) {
      const fn = tensor.gradFn as GradFn;
      const g = grads.get(tensor);
      if (!g) continue;
      const keep = wanted?.has(tensor) ?? false;
      if (!keep) grads.delete(tensor);
      const inputGrads = fn.backward(g);
      fn.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!input || !gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new MedsynthError('NATIVE_ERROR', `${fn.name} backward gave a gradient ${formatShape(gi.shape)} for an input ${formatShape(input.shape)}`);
        }
        const before = grads.get(input);
        buffers.hold(gi);
        if (before) {
          const total = addGradients(before, gi);
          buffers.hold(total);
          buffers.drop(before);
          buffers.drop(gi);
          grads.set(input, total);
        } else {
          grads.set(input, gi);
        }
      });
      if (!keep) buffers.drop(g);
    }
  });
  return grads;
}

/** Tensors with a GradFn reachable from `output`, each after every tensor that uses it. */
function topologicalOrder(output: Tensor): Tensor[] {
  const visited = new Set<Tensor>();
  const post: Tensor[] = [];
  const stack: { tensor: Tensor; next: number }[] = [{ tensor: output, next: 0 }];
  visited.add(output);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.tensor.gradFn?.inputs ?? [];
    if (top.next < inputs.length) {
      const input = inputs[top.next++];
      if (input && input.gradFn && !visited.has(input)) {
        visited.add(input);
        stack.push({ tensor: input, next: 0 });
      }
      continue;
    }
    stack.pop();
    if (top.tensor.gradFn) post.push(top.tensor);
  }
  return post.reverse();
}

/**
 * Counts the gradients in flight that use each buffer (add's backward hands one gradient to both
 * inputs, reshape's shares its data) and, when not recording, gives a buffer back to the arena
 * once the last of them has been used. Only buffers allocated during this backward pass are
 * freed, so nothing the forward pass or the caller owns is touched.
 */
class GradientBuffers {
  private readonly refs = new Map<Float32Array, number>();
  private readonly mark = allocationMark();

  constructor(private readonly release: boolean) {}

  hold(t: Tensor): void {
    this.refs.set(t.data, (this.refs.get(t.data) ?? 0) + 1);
  }

  drop(t: Tensor): void {
    const left = (this.refs.get(t.data) ?? 0) - 1;
    if (left > 0) {
      this.refs.set(t.data, left);
      return;
    }
    this.refs.delete(t.data);
    if (this.release) releaseFloat32(t.data, this.mark);
  }
}
