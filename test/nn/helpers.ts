/**
 * Shared by the engine's tests: PyTorch fixtures (tools/nn_fixtures/*.py), tolerance checks, and
 * central finite differences along random directions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

import { Rng } from '../../lib/core/philox.js';
import { Tensor } from '../../lib/nn/tensor.js';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface FixtureCase {
  name: string;
  params: Record<string, unknown>;
  tensors: Record<string, FixtureTensor>;
}

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'nn');

export function loadFixture(name: string): FixtureCase[] {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')).cases as FixtureCase[];
}

export function fixtureTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  return Tensor.from(t.data, t.shape, requiresGrad);
}

/** |actual - expected| <= atol + rtol·|expected| everywhere (PyTorch parity default: 1e-4 / 1e-5). */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  { rtol = 1e-4, atol = 1e-5 }: { rtol?: number; atol?: number } = {},
): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    expect.fail(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

export function expectTensorClose(actual: Tensor, expected: FixtureTensor, label: string, tol?: { rtol?: number; atol?: number }): void {
  expect([...actual.shape], `${label}: shape`).toEqual(expected.shape);
  expectClose(actual.data, expected.data, label, tol);
}

/** Random float32 values, N(0, scale²), from a seeded Philox stream. */
export function randomTensor(shape: number[], seed: number, { scale = 1, requiresGrad = false } = {}): Tensor {
  const rng = new Rng(seed, 0, 0);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * scale;
  return new Tensor(data, shape, requiresGrad);
}

/**
 * Checks analytic gradients of a scalar function f(inputs) against central differences along
 * `directions` random unit directions per input: (f(x + εv) − f(x − εv)) / 2ε ≈ ⟨∇f, v⟩.
 * `analytic` holds ∇f for each input (e.g. from backward). Evaluates f in float32, so ε and the
 * tolerance are loose; float64 references are the tight check.
 */
export function expectFiniteDifferences(
  f: (inputs: Tensor[]) => number,
  inputs: Tensor[],
  analytic: (Tensor | null)[],
  { eps = 1e-2, rtol = 2e-2, atol = 2e-3, directions = 3, seed = 7 } = {},
): void {
  const rng = new Rng(seed, 0, 1);
  inputs.forEach((input, k) => {
    const g = analytic[k];
    if (!g) return;
    for (let d = 0; d < directions; d++) {
      const v = new Float64Array(input.size);
      let norm = 0;
      for (let i = 0; i < v.length; i++) norm += (v[i] = rng.normal()) ** 2;
      norm = Math.sqrt(norm);
      let predicted = 0;
      for (let i = 0; i < v.length; i++) predicted += (v[i] /= norm) * g.data[i];
      const shifted = (sign: number) =>
        f(inputs.map((t, j) => (j === k ? new Tensor(Float32Array.from(t.data, (x, i) => x + sign * eps * v[i]), t.shape) : t)));
      const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
      const tol = atol + rtol * Math.max(Math.abs(numeric), Math.abs(predicted));
      expect(Math.abs(numeric - predicted), `input ${k} direction ${d}: numeric ${numeric} vs analytic ${predicted}`).toBeLessThanOrEqual(tol);
    }
  });
}
