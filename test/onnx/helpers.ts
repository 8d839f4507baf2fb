/** Shared pieces of the ONNX tests: seeded inputs, running ORT on a model, Debian's onnx.checker, the CLI. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect, vi } from 'vitest';

import { runCli } from '../../lib/cli/main.js';
import type { Module } from '../../lib/nn/module.js';
import { createSession, runSession, type NamedArray } from '../../lib/onnx/ort.js';
import { randomTensor } from '../nn/helpers.js';

export const PYTHON = '/usr/bin/python3';

/** True when Debian's python3-onnx is importable. */
export function hasOnnxChecker(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs onnx.checker.check_model (full_check: shape inference too); throws with its message on failure. */
export function checkWithOnnx(model: Uint8Array): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'ms-onnx-'));
  try {
    const file = path.join(dir, 'm.onnx');
    writeFileSync(file, model);
    execFileSync(PYTHON, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function input(shape: number[], seed: number, scale = 1): NamedArray {
  const t = randomTensor(shape, seed, { scale });
  return { data: t.data, dims: shape };
}

export async function runOnnx(model: Uint8Array, feeds: Record<string, NamedArray>, threads = 1): Promise<Record<string, NamedArray>> {
  const session = await createSession(model, { threads });
  try {
    return await runSession(session, feeds);
  } finally {
    await session.release();
  }
}

/** Largest |a − b|. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Random batch-norm statistics and affine parameters, so folding is not the identity. */
export function randomizeBatchNorm(model: Module, seed: number): void {
  let s = seed;
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    if (!/\.(running_mean|running_var|weight|bias)$/.test(name) || t.ndim !== 1) continue;
    if (!model.namedModules().some(([n, m]) => name.startsWith(`${n}.`) && m.typeName.startsWith('BatchNorm'))) continue;
    const r = randomTensor([t.size], s++, { scale: 0.5 }).data;
    for (let i = 0; i < t.size; i++) t.data[i] = name.endsWith('running_var') || name.endsWith('weight') ? 0.5 + Math.abs(r[i]) : r[i];
  }
}

/** Runs the CLI in-process with stdout and stderr captured. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(args);
    return { code, stdout: out.mock.calls.map((c) => String(c[0])).join(''), stderr: err.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

/** Each `medsynth optimize … --output out --quantize` fails with its one-line message and writes nothing. */
export async function expectOptimizeRefuses(cases: readonly [string[], RegExp][], out: string): Promise<void> {
  for (const [args, message] of cases) {
    const r = await cli(['optimize', ...args, '--output', out, '--quantize']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }
}
