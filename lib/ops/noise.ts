/**
 * Voxel noise keyed by Philox: each voxel's value is a pure function of (seed, sample, stream,
 * voxel index), so the same key gives the same bytes on any thread count and on CUDA.
 *
 * Normal sequence N[m] of a key: Philox counter m >> 2 gives words w0..w3 and uniforms
 * u_i = ((w_i >>> 9) + 0.5) / 2^23 (ms::uniform_open01, exact in float32); lane m & 3 picks
 * r0·cos(2πu1), r0·sin(2πu1), r1·cos(2πu3), r1·sin(2πu3) with r0 = √(−2 ln u0), r1 = √(−2 ln u2).
 * The native code evaluates log, sin, cos in float32 (absolute error ~1e-6 against float64).
 *   gaussian: out[v] = in[v] + σ·N[v]
 *   rician:   out[v] = √((in[v] + σ·N[2v])² + (σ·N[2v+1])²)      (magnitude MR)
 *   poisson:  out[v] = Poisson(max(in[v], 0)·scale)·(1/scale)       (scale = counts per unit; NaN stays NaN)
 * Poisson draws are exact inversions of the Poisson CDF at one 32-bit uniform per voxel (word v & 3
 * of Philox counter v >> 2): K = the least k with F(k) > u. Below λ = 10 a sequential search; from
 * 10 up fast float32 estimates of the quantile (Giles's method) decide wherever their error bounds
 * allow, and exact float64 steps the rest (see native/noise/noise_draws.h).
 */
import { binding, type NoiseParams } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkInPlaceOrDisjoint, checkInteger, checkNumber, checkOneOf, checkSeed, MAX_VOXELS, outputArray } from '../validate.js';
import { rejectNonFinite } from './finite.js';

export type NoiseKind = 'gaussian' | 'rician' | 'poisson';

export interface NoiseKey {
  seed: number | bigint;
  /** Sample index (default 0). */
  sample?: number;
  /** Stream (default 0): use a different stream for independent noise on the same sample. */
  stream?: number;
}

export interface NoiseOptions extends NoiseKey {
  kind: NoiseKind;
  /** Standard deviation for 'gaussian' and 'rician' (>= 0). */
  sigma?: number;
  /** Counts per unit of intensity for 'poisson' (> 0): larger means less noise. */
  scale?: number;
  /** Add noise to input holding NaN or ±Inf instead of refusing it. */
  allowNonFinite?: boolean;
}

const KINDS: readonly NoiseKind[] = ['gaussian', 'rician', 'poisson'];

/** Adds noise of `options.kind` to `input`; `out` may be `input` itself (in place). */
export async function addNoise(input: Float32Array, options: NoiseOptions, out?: Float32Array): Promise<Float32Array> {
  const x = checkArray('input', input, Float32Array);
  const p = noiseParams(options);
  const y = outputArray('out', out, Float32Array, x.length);
  checkInPlaceOrDisjoint(x, y);
  await callNative(binding().addNoise(x, y, { ...p, rejectNonFinite: rejectNonFinite(options.allowNonFinite) }));
  return y;
}

/** The first `count` standard normals N[0..count) of the key's normal sequence. */
export async function normalNoise(count: number, key: NoiseKey, out?: Float32Array): Promise<Float32Array> {
  const n = checkInteger('count', count, 0, MAX_VOXELS);
  const k = checkKey(key);
  const y = outputArray('out', out, Float32Array, n);
  await callNative(binding().normalNoise(y, k));
  return y;
}

/** The native noise parameters: the kind's own parameter and the key. `prefix` names the fields in errors. */
export function noiseParams(options: NoiseOptions, prefix = ''): NoiseParams {
  const kind = checkOneOf(`${prefix}kind`, options?.kind, KINDS);
  const key = checkKey(options, prefix);
  return kind === 'poisson'
    ? { kind, scale: checkNumber(`${prefix}scale`, options.scale, { above: 0 }), ...key }
    : { kind, sigma: checkNumber(`${prefix}sigma`, options.sigma, { min: 0, max: 3.4e38 }), ...key };
}

function checkKey(key: NoiseKey, prefix = ''): { seed: number | bigint; sample: number; stream: number } {
  return {
    seed: checkSeed(`${prefix}seed`, key?.seed),
    sample: checkInteger(`${prefix}sample`, key?.sample ?? 0, 0, 0xffffffff),
    stream: checkInteger(`${prefix}stream`, key?.stream ?? 0, 0, 0xffffffff),
  };
}
