/**
 * The engine's tensor: float32 data in C order (NCHW / NCDHW, last axis fastest) plus the
 * autograd bookkeeping the tape needs. Data is owned by the tensor; reshape shares it.
 */
import { MedsynthError } from '../errors.js';
import { allocFloat32 } from './arena.js';

/** What the tape records for a tensor produced by an op: its inputs and how to map the output's
 * gradient to theirs. `backward` is written in differentiable ops, so when the tape is
 * recording (createGraph) the gradients it returns carry a graph of their own. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly (Tensor | null)[];
  backward(gradOutput: Tensor): (Tensor | null)[];
}

export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after `backward`. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and for tensors made without the tape). */
  gradFn: GradFn | null = null;

  constructor(data: Float32Array, shape: readonly number[], requiresGrad = false) {
    const n = shapeSize(shape);
    if (data.length !== n) {
      throw new MedsynthError('INVALID_ARGUMENT', `tensor data holds ${data.length} values but shape [${shape.join(', ')}] needs ${n}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  /** An uninitialised-looking tensor: its contents are whatever the arena hands back, so every op
   * that uses it must write all of it. */
  static empty(shape: readonly number[]): Tensor {
    return new Tensor(allocFloat32(shapeSize(shape)), shape);
  }

  static zeros(shape: readonly number[]): Tensor {
    const t = Tensor.empty(shape);
    t.data.fill(0);
    return t;
  }

  static full(shape: readonly number[], value: number): Tensor {
    const t = Tensor.empty(shape);
    t.data.fill(value);
    return t;
  }

  static from(values: ArrayLike<number>, shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(Float32Array.from(values), shape, requiresGrad);
  }

  /** A scalar tensor (shape []). */
  static scalar(value: number): Tensor {
    return Tensor.from([value], []);
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new MedsynthError('INVALID_ARGUMENT', `item() needs a one-element tensor, got shape [${this.shape.join(', ')}]`);
    }
    return this.data[0];
  }

  /** The same data without history (shared, not copied). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy without history. */
  clone(): Tensor {
    const t = Tensor.empty(this.shape);
    t.data.set(this.data);
    return t;
  }

  toString(): string {
    return `Tensor[${this.shape.join('×')}]${this.requiresGrad ? ' (requires grad)' : ''}`;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new MedsynthError('INVALID_ARGUMENT', `tensor shape [${shape.join(', ')}] must hold non-negative integers`);
    }
    n *= d;
  }
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
