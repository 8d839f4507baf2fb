/**
 * The optimizer base: a list of parameters, per-parameter state (float32 buffers allocated
 * outside any arena, so they survive the step scopes), and a state dict laid out like torch's
 * (`state.<i>.<name>` tensors + `param_groups`), which checkpoints store beside the model.
 */
import { MedsynthError } from '../../errors.js';
import type { StoredTensor } from '../safetensors.js';
import { formatShape, type Tensor } from '../tensor.js';

export interface OptimizerState {
  /** torch's `state`: per parameter index, its named tensors (steps as F32 scalars, as torch 1.13). */
  tensors: Map<string, StoredTensor>;
  /** torch's `param_groups[0]` (hyper-parameters; `params` lists the indices). */
  paramGroup: Record<string, unknown>;
  /** Which optimizer wrote it. */
  type: string;
}

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Learning rate; schedules change it between steps. */
  lr: number;
  /** Per parameter index: named state buffers. */
  protected readonly state = new Map<number, Map<string, Float32Array>>();
  /** Per parameter index: the number of updates it has received. */
  protected readonly steps = new Map<number, number>();

  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new MedsynthError('INVALID_ARGUMENT', 'optimizer got an empty parameter list');
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new MedsynthError('INVALID_ARGUMENT', `Invalid learning rate: ${lr}`);
    this.lr = lr;
  }

  abstract get type(): string;

  /** Hyper-parameters as torch's param_groups entry (lr included). */
  protected abstract hyperParameters(): Record<string, unknown>;

  /** Updates parameter i from its gradient. */
  protected abstract update(index: number, param: Tensor, grad: Tensor): void;

  /** One update of every parameter that has a gradient (torch skips those whose grad is None). */
  step(): void {
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      if (p.grad.size !== p.size) {
        throw new MedsynthError('INVALID_ARGUMENT', `parameter ${i}: gradient ${formatShape(p.grad.shape)} does not match ${formatShape(p.shape)}`);
      }
      this.steps.set(i, (this.steps.get(i) ?? 0) + 1);
      this.update(i, p, p.grad);
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** The named state buffer of parameter i, created (zeros) on first use. */
  protected buffer(index: number, name: string): { data: Float32Array; created: boolean } {
    let entry = this.state.get(index);
    if (!entry) this.state.set(index, (entry = new Map()));
    let data = entry.get(name);
    const created = !data;
    if (!data) entry.set(name, (data = new Float32Array(this.params[index].size)));
    return { data, created };
  }

  stateDict(): OptimizerState {
    const tensors = new Map<string, StoredTensor>();
    for (const [i, entry] of this.state) {
      for (const [name, data] of entry) tensors.set(`state.${i}.${name}`, { dtype: 'F32', shape: this.params[i].shape, data });
      tensors.set(`state.${i}.step`, { dtype: 'F32', shape: [], data: Float32Array.of(this.steps.get(i) ?? 0) });
    }
    return {
      type: this.type,
      tensors,
      paramGroup: { ...this.hyperParameters(), lr: this.lr, params: this.params.map((_, i) => i) },
    };
  }

  /** Restores state written by stateDict() of the same optimizer type over the same parameters. */
  loadStateDict(saved: OptimizerState): void {
    if (saved.type !== this.type) throw new MedsynthError('INVALID_ARGUMENT', `optimizer state is for ${saved.type}, not ${this.type}`);
    const indices = saved.paramGroup.params;
    if (!Array.isArray(indices) || indices.length !== this.params.length) {
      throw new MedsynthError('INVALID_ARGUMENT', `optimizer state holds ${Array.isArray(indices) ? indices.length : '?'} parameters, this optimizer ${this.params.length}`);
    }
    const state = new Map<number, Map<string, Float32Array>>();
    const steps = new Map<number, number>();
    for (const [key, t] of saved.tensors) {
      const m = /^state\.(\d+)\.(\w+)$/.exec(key);
      const i = m ? Number(m[1]) : -1;
      if (!m || i >= this.params.length) throw new MedsynthError('INVALID_ARGUMENT', `unexpected optimizer state entry '${key}'`);
      if (m[2] === 'step') {
        steps.set(i, Number(t.data[0]));
        continue;
      }
      if (t.dtype !== 'F32' || t.data.length !== this.params[i].size) {
        throw new MedsynthError('INVALID_ARGUMENT', `optimizer state '${key}' has shape ${formatShape(t.shape)}, parameter ${i} is ${formatShape(this.params[i].shape)}`);
      }
      if (!state.has(i)) state.set(i, new Map());
      state.get(i)!.set(m[2], Float32Array.from(t.data as Float32Array));
    }
    this.state.clear();
    this.steps.clear();
    for (const [i, e] of state) this.state.set(i, e);
    for (const [i, s] of steps) this.steps.set(i, s);
    if (typeof saved.paramGroup.lr === 'number') this.lr = saved.paramGroup.lr;
    this.restoreHyperParameters(saved.paramGroup);
  }

  /** Subclasses take back their hyper-parameters from a saved param group. */
  protected restoreHyperParameters(_group: Record<string, unknown>): void {}
}

export function checkHyper(name: string, value: number, ok: boolean): number {
  if (!ok || !Number.isFinite(value)) throw new MedsynthError('INVALID_ARGUMENT', `Invalid ${name} value: ${value}`);
  return value;
}
