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

/** ln Γ(x), x >= 1 (numpy's random_loggam). */
function logGamma(x: number): number {
  const a = [
    8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4,
    8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2,
    1.796443723688307e-1, -1.3924322169059,
  ];
  if (x === 1 || x === 2) return 0;
  let n = 0;
  let x0 = x;
  if (x <= 7) {
    n = Math.trunc(7 - x);
    x0 = x + n;
  }
  const x2 = 1 / (x0 * x0);
  let gl0 = a[9];
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + a[k];
  let gl = gl0 / x0 + 0.91893853320467274178 + (x0 - 0.5) * Math.log(x0) - x0; // ½ ln 2π
  for (let k = 1; k <= n; k++) {
    x0 -= 1;
    gl -= Math.log(x0);
  }
  return gl;
}

/** Poisson(λ) for voxel v: inversion below 10, PTRS from 10 (Hörmann 1993). */
export function referencePoissonDraw(key: ReferenceKey, v: number, lambda: number): number {
  return poissonDraw(new Words(key), v, lambda);
}

function poissonDraw(words: Words, v: number, lambda: number): number {
  if (lambda === 0) return 0;
  if (lambda > 1e15) return lambda;
  if (lambda < 10) {
    const w = words.at(v, 0);
    const u = uniformDouble(w[0], w[1]);
    let p = Math.exp(-lambda);
    let cdf = p;
    let k = 0;
    while (u >= cdf) {
      k += 1;
      p *= lambda / k;
      if (cdf + p === cdf) break;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (let attempt = 0; ; attempt++) {
    const w = words.at(v, attempt);
    const U = uniformDouble(w[0], w[1]) - 0.5;
    const V = uniformDouble(w[2], w[3]);
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log((V * invAlpha) / (a / (us * us) + b)) <= -lambda + k * loglam - logGamma(k + 1)) {
      return k;
    }
  }
}

export function referencePoisson(input: Float32Array, scale: number, key: ReferenceKey): Float64Array {
  const words = new Words(key);
  return Float64Array.from(input, (x, v) => {
    if (Number.isNaN(x)) return x;
    return poissonDraw(words, v, Math.max(x, 0) * scale) / scale;
  });
}
