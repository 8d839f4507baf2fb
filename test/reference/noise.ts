/**
 * Plain float64 reference for lib/ops/noise.ts: the Philox → normal / Poisson mappings written
 * out directly with Math.log / Math.cos / Math.sin (see native/noise/noise_draws.h for the
 * layout it re-implements).
 */
import { philox4x32_10, seedKey, uniformDouble, uniformOpen01 } from '../../lib/core/philox.js';

export interface ReferenceKey {
  seed: number | bigint;
  sample?: number;
  stream?: number;
}

const TWO32 = 4294967296;


/** Philox words of counter (lo + hi·2^32) for a key. */
class Words {
  private readonly key: [number, number];
  private readonly sample: number;
  private readonly stream: number;
  private readonly block = new Uint32Array(4);

  constructor(k: ReferenceKey) {
    this.key = seedKey(k.seed);
    this.sample = k.sample ?? 0;
    this.stream = k.stream ?? 0;
  }

  at(lo: number, hi: number): Uint32Array {
    return philox4x32_10([lo >>> 0, hi >>> 0, this.sample, this.stream], this.key, this.block);
  }
}

/** N[m] of a key's normal sequence in float64; remembers the last counter's four values. */
class NormalSequence {
  private readonly words: Words;
  private counter = -1;
  private readonly values = new Float64Array(4);

  constructor(key: ReferenceKey) {
    this.words = new Words(key);
  }

  at(m: number): number {
    const c = Math.floor(m / 4);
    if (c !== this.counter) {
      const w = this.words.at(c % TWO32, Math.floor(c / TWO32));
      for (let pair = 0; pair < 2; pair++) {
        const r = Math.sqrt(-2 * Math.log(uniformOpen01(w[2 * pair])));
        const angle = 2 * Math.PI * uniformOpen01(w[2 * pair + 1]);
        this.values[2 * pair] = r * Math.cos(angle);
        this.values[2 * pair + 1] = r * Math.sin(angle);
      }
      this.counter = c;
    }
    return this.values[m % 4];
  }
}

/** N[first .. first + count) of the key's normal sequence, in float64. */
export function referenceNormals(key: ReferenceKey, count: number, first = 0): Float64Array {
  const seq = new NormalSequence(key);
  return Float64Array.from({ length: count }, (_, i) => seq.at(first + i));
}

export function referenceGaussian(input: Float32Array, sigma: number, key: ReferenceKey): Float64Array {
  const seq = new NormalSequence(key);
  return Float64Array.from(input, (x, v) => x + sigma * seq.at(v));
}

export function referenceRician(input: Float32Array, sigma: number, key: ReferenceKey): Float64Array {
  const seq = new NormalSequence(key);
  return Float64Array.from(input, (x, v) => Math.hypot(x + sigma * seq.at(2 * v), sigma * seq.at(2 * v + 1)));
}

/** numpy's Stirling series for ln Γ(x) − ((x − ½)·ln x − x + ½·ln 2π), x >= 7, from r = 1/x. */
function stirlingTail(r: number): number {
  const a = [
    8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4,
    8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2,
    1.796443723688307e-1, -1.3924322169059,
  ];
  const r2 = r * r;
  let t = a[9];
  for (let j = 8; j >= 0; j--) t = t * r2 + a[j];
  return t * r;
}

/** 7^(6−k)·k!/6! for k < 6, else 1 (shifts ln k! to ln Γ(7) for small k). */
function smallKFactor(k: number): number {
  return k >= 6 ? 1 : [117649, 16807, 4802, 2058, 1176, 840][k] / 720;
}

/** The pair of words attempt `attempt` of voxel v reads: counter (v >>> 1, attempt), words 2(v & 1), 2(v & 1) + 1. */
function poissonWords(words: Words, v: number, attempt: number): [number, number] {
  const w = words.at(Math.floor(v / 2), attempt);
  return v % 2 === 1 ? [w[2], w[3]] : [w[0], w[1]];
}

/** One PTRS attempt (Hörmann 1993) on 32-bit uniforms: K, or −1 when the attempt is rejected. */
function ptrsAttempt(lambda: number, wa: number, wb: number): number {
  const b = 0.931 + 2.53 * Math.fround(Math.sqrt(Math.fround(lambda)));
  const a = -0.059 + 0.02483 * b;
  const U = (wa + 0.5) * 2 ** -32 - 0.5;
  const V = (wb + 0.5) * 2 ** -32;
  const us = 0.5 - Math.abs(U);
  const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
  if (us >= 0.07 && (0.9277 - V) * (b - 2) >= 3.6224) return k;
  if (k < 0 || (us < 0.013 && V > us)) return -1;
  // Hörmann's log test ln(V·α⁻¹/h) <= ln(λ^k e^−λ / k!), in noise_draws.h's rearrangement.
  const us2 = us * us;
  const bm = b - 3.4;
  const x0 = k >= 6 ? k + 1 : 7;
  const num = V * smallKFactor(k) * us2 * (1.1239 * bm + 1.1328);
  const den = bm * (a + b * us2);
  const q = num / den;
  const r = 1 / x0;
  const lhs = 0.5 * Math.log(q * q * x0) - k * Math.log(lambda * r);
  return lhs <= x0 - lambda - 0.91893853320467274178 - stirlingTail(r) ? k : -1;
}

/** Poisson(λ) for voxel v: inversion below 10, PTRS from 10 (see native/noise/noise_draws.h). */
export function referencePoissonDraw(key: ReferenceKey, v: number, lambda: number): number {
  return poissonDraw(new Words(key), v, lambda);
}

function poissonDraw(words: Words, v: number, lambda: number): number {
  if (lambda === 0) return 0;
  if (lambda > 1e15) return lambda;
  let [wa, wb] = poissonWords(words, v, 0);
  if (lambda < 10) {
    const u = uniformDouble(wa, wb);
    let p = Math.exp(-lambda);
    let cdf = p;
    let k = 0;
    while (u >= cdf) {
      k += 1;
      p *= lambda * (1 / k);
      if (cdf + p === cdf) break;
      cdf += p;
    }
    return k;
  }
  for (let attempt = 1; ; attempt++) {
    const k = ptrsAttempt(lambda, wa, wb);
    if (k >= 0) return k;
    [wa, wb] = poissonWords(words, v, attempt);
  }
}

/** Poisson noise: K·(1/scale) with K = Poisson(max(x, 0)·scale) per voxel; NaN stays NaN. */
export function referencePoisson(input: Float32Array, scale: number, key: ReferenceKey): Float64Array {
  const words = new Words(key);
  const invScale = Math.min(1 / scale, Number.MAX_VALUE);
  return Float64Array.from(input, (x, v) => {
    if (Number.isNaN(x)) return x;
    return poissonDraw(words, v, Math.max(x, 0) * scale) * invScale;
  });
}
