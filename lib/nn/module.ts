/**
 * Module: PyTorch's nn.Module vocabulary. A module owns named parameters (leaf tensors that
 * require gradients), named buffers (running statistics) and named child modules; its state
 * dict is keyed exactly as torch's (`cnn.0.weight`, `bn.running_mean`, `bn.num_batches_tracked`),
 * so a checkpoint loads into the torch module of the same architecture with strict=True.
 *
 * Modes: 'train' (dropout on, batch norm uses and updates batch statistics), 'eval' (both off)
 * and 'mcDropout' (dropout on, batch norm in eval) for Monte Carlo dropout uncertainty.
 */
import { MedsynthError } from '../errors.js';
import type { StoredTensor } from './safetensors.js';
import { formatShape, sameShape, Tensor } from './tensor.js';

export type ModuleMode = 'train' | 'eval' | 'mcDropout';

/** An integer buffer stored as int64, like BatchNorm's num_batches_tracked. */
export interface CounterBuffer {
  value: number;
}

/** Where dropout masks come from: Philox keyed by (seed, step, layer). */
export interface DropoutContext {
  seed: number;
  step: number;
}

export abstract class Module {
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _counters = new Map<string, CounterBuffer>();
  private readonly _modules = new Map<string, Module>();
  private _mode: ModuleMode = 'train';
  private _parent: Module | null = null;
  private _nameInParent = '';

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Class name as torch prints it (e.g. 'Conv2d'); used in error messages. */
  get typeName(): string {
    return this.constructor.name;
  }

  get mode(): ModuleMode {
    return this._mode;
  }

  /** PyTorch's `module.training`. */
  get training(): boolean {
    return this._mode === 'train';
  }

  /** True where dropout should drop (train and MC-dropout modes). */
  get dropoutActive(): boolean {
    return this._mode !== 'eval';
  }

  protected registerParameter(name: string, tensor: Tensor | null): Tensor | null {
    if (tensor) tensor.requiresGrad = true;
    this._parameters.set(name, tensor);
    return tensor;
  }

  protected registerBuffer(name: string, tensor: Tensor): Tensor {
    this._buffers.set(name, tensor);
    return tensor;
  }

  protected registerCounter(name: string, counter: CounterBuffer): CounterBuffer {
    this._counters.set(name, counter);
    return counter;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this._modules.set(name, module);
    module._parent = this;
    module._nameInParent = name;
    return module;
  }

  /** Dotted name from the root module ('tab.0'); '' for the root. */
  path(): string {
    const parts: string[] = [];
    for (let m: Module | null = this; m?._parent; m = m._parent) parts.unshift(m._nameInParent);
    return parts.join('.');
  }

  /** Direct children, in registration order. */
  children(): [string, Module][] {
    return [...this._modules];
  }

  /** This module and every descendant, with dotted names ('' for this one), depth first. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this._modules) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m._parameters) if (t) out.push([prefix ? `${prefix}.${name}` : name, t]);
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m._buffers) out.push([prefix ? `${prefix}.${name}` : name, t]);
    }
    return out;
  }

  /** Number of trainable values. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * torch's state_dict: per module, its parameters, then its buffers, then its children's,
   * in registration order. F32 entries share the live data (copy before mutating); counters
   * are I64 scalars.
   */
  stateDict(): Map<string, StoredTensor> {
    const out = new Map<string, StoredTensor>();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, t] of m._parameters) if (t) out.set(key(name), { dtype: 'F32', shape: t.shape, data: t.data });
      for (const [name, t] of m._buffers) out.set(key(name), { dtype: 'F32', shape: t.shape, data: t.data });
      for (const [name, c] of m._counters) out.set(key(name), { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(c.value)) });
    }
    return out;
  }

  /**
   * Copies a state dict into this module. Every difference is collected first (missing and
   * unexpected keys, shape and dtype mismatches) and reported together; nothing is copied unless
   * all entries fit. With strict = false, missing and unexpected keys are allowed (and returned).
   */
  loadStateDict(state: ReadonlyMap<string, StoredTensor>, { strict = true } = {}): { missing: string[]; unexpected: string[] } {
    const targets = new Map<string, { shape: readonly number[]; set: (s: StoredTensor) => void; dtype: 'F32' | 'I64' }>();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, t] of [...m._parameters, ...m._buffers]) {
        if (t) targets.set(key(name), { shape: t.shape, dtype: 'F32', set: (s) => t.data.set(s.data as Float32Array) });
      }
      for (const [name, c] of m._counters) {
        targets.set(key(name), { shape: [], dtype: 'I64', set: (s) => (c.value = Number((s.data as BigInt64Array)[0])) });
      }
    }
    const missing = [...targets.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !targets.has(k));
    const problems: string[] = [];
    for (const [k, target] of targets) {
      const s = state.get(k);
      if (!s) continue;
      if (!sameShape(s.shape, target.shape)) problems.push(`${k}: shape ${formatShape(s.shape)} in the checkpoint, ${formatShape(target.shape)} in the model`);
      else if (s.dtype !== target.dtype) problems.push(`${k}: dtype ${s.dtype} in the checkpoint, ${target.dtype} in the model`);
    }
    if (strict) {
      if (missing.length) problems.unshift(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) problems.unshift(`unexpected keys: ${unexpected.join(', ')}`);
    }
    if (problems.length) {
      throw new MedsynthError('INVALID_ARGUMENT', `state dict does not fit ${this.typeName}:\n  ${problems.join('\n  ')}`);
    }
    for (const [k, target] of targets) {
      const s = state.get(k);
      if (s) target.set(s);
    }
    return { missing, unexpected };
  }

  /** Sets the mode of this module and every descendant. */
  setMode(mode: ModuleMode): this {
    for (const [, m] of this.namedModules()) m._mode = mode;
    return this;
  }

  train(on = true): this {
    return this.setMode(on ? 'train' : 'eval');
  }

  eval(): this {
    return this.setMode('eval');
  }

  /** Dropout active, batch norm in eval: for Monte Carlo dropout passes. */
  mcDropout(): this {
    return this.setMode('mcDropout');
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Gives every dropout layer the seed and step its next masks are keyed by; each layer's `layer`
   * key is its ordinal among this model's dropout layers, so masks differ between layers.
   */
  setDropoutContext(context: DropoutContext): void {
    let layer = 0;
    for (const [, m] of this.namedModules()) {
      if (isDropoutLayer(m)) m.setDropoutKey(context.seed, context.step, layer++);
    }
  }
}

/** Implemented by Dropout/Dropout2d/Dropout3d. */
export interface DropoutKeyed {
  setDropoutKey(seed: number, step: number, layer: number): void;
}

function isDropoutLayer(m: Module): m is Module & DropoutKeyed {
  return typeof (m as Partial<DropoutKeyed>).setDropoutKey === 'function';
}

/** Checks an input's rank and (where given) channel count; the message names the layer and both shapes. */
export function checkInput(layer: string, x: Tensor, rank: number, dims: Record<number, number> = {}): void {
  const expected = Array.from({ length: rank }, (_, i) => (i in dims ? String(dims[i]) : i === 0 ? 'N' : '*'));
  const ok = x.ndim === rank && Object.entries(dims).every(([i, d]) => x.shape[Number(i)] === d);
  if (!ok) {
    throw new MedsynthError('INVALID_ARGUMENT', `${layer} expects input of shape [${expected.join(', ')}] but got ${formatShape(x.shape)}`);
  }
}

/**
 * A tensor for a parameter or buffer: plain memory, never from the arena (a model built inside
 * an arena scope must not have its weights recycled), filled with `value`.
 */
export function parameterTensor(shape: readonly number[], value = 0): Tensor {
  const t = new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  if (value !== 0) t.data.fill(value);
  return t;
}
