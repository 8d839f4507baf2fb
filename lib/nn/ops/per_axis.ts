/** Per-spatial-axis options of the engine's ops (kernel, stride, padding, …): one number for
 * every axis, or one per axis, as PyTorch accepts. */
import { MedsynthError } from '../../errors.js';

export type PerAxis = number | readonly number[];

/** Resolves `value` to `dims` integers >= min; `fallback` when undefined. */
export function perAxis(op: string, name: string, value: PerAxis | undefined, dims: number, fallback: number, min: number): number[] {
  const values = value === undefined ? new Array<number>(dims).fill(fallback) : typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (values.length !== dims || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new MedsynthError('INVALID_ARGUMENT', `${op}: ${name} must be an integer >= ${min} or ${dims} of them, got ${JSON.stringify(value)}`);
  }
  return values;
}
