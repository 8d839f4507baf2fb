/**
 * Plain float64 reference for lib/ops/noise.ts: the Philox → normal / Poisson mappings written
 * out directly with Math.log / Math.cos / Math.sin (see native/noise/noise_draws.h for the
 * layout it re-implements).
 */
import { philox4x32_10, seedKey, uniformOpen01 } from '../core/philox.js';

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

/** ln k! − ((k + ½)·ln k − k + ½·ln 2π) for integer k >= 1: from the sum of logs below 16. */
function stirlingError(k: number): number {
  if (k < 16) {
    let lnFactorial = 0;
    for (let j = 2; j <= k; j++) lnFactorial += Math.log(j);
    return lnFactorial - ((k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI));
  }
  const r2 = 1 / (k * k);
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - r2 / 1188) * r2) * r2) * r2) / k;
}

/** k·ln(k/λ) + λ − k, by its series where k ≈ λ (Loader's bd0). */
function deviance(k: number, lambda: number): number {
  const d = k - lambda;
  if (Math.abs(d) >= 0.1 * (k + lambda)) return k * Math.log(k / lambda) + lambda - k;
  const v = d / (k + lambda);
  let s = d * v;
  let ej = 2 * k * v;
  for (let j = 3; j < 1000; j += 2) {
    ej *= v * v;
    const next = s + ej / j;
    if (next === s) break;
    s = next;
  }
  return s;
}

/** P(K = k) by Loader's saddle-point form. */
function poissonPmf(k: number, lambda: number): number {
  if (k === 0) return Math.exp(-lambda);
  return Math.exp(-stirlingError(k) - deviance(k, lambda)) / Math.sqrt(2 * Math.PI * k);
}

/**
 * The least k with F(k) > u for λ >= 10, by a walk from ⌊λ⌋: F(⌊λ⌋) summed from the pmf down
 * to 0 (or 1 − F from the pmf up), then steps of one. The native kernel starts its walk at its
 * fast estimate instead, and mostly skips it; both are the exact inverse CDF.
 */
export function referencePoissonQuantile(lambda: number, w: number): number {
  const u = (w + 0.5) * 2 ** -32;
  const uUp = (TWO32 - 1 - w + 0.5) * 2 ** -32;
  let k = Math.floor(lambda);
  let p = poissonPmf(k, lambda);
  if (k < lambda) {
    let F = p;
    for (let j = k, term = p; j > 0; j--) {
      term *= j / lambda;
      if (F + term === F) break;
      F += term;
    }
    if (F > u) {
      while (k > 0 && F - p > u) {
        F -= p;
        p *= k / lambda;
        k--;
      }
    } else {
      while (!(F > u) && p > 0) {
        k++;
        p *= lambda / k;
        F += p;
      }
    }
    return k;
  }
  let G = 0;
  for (let j = k + 1, term = p; ; j++) {
    term *= lambda / j;
    if (G + term === G) break;
    G += term;
  }
  if (G < uUp) {
    while (k > 0 && G + p < uUp) {
      G += p;
      p *= k / lambda;
      k--;
    }
  } else {
    while (!(G < uUp) && p > 0) {
      k++;
      p *= lambda / k;
      G -= p;
    }
  }
  return k;
}

/** Poisson(λ) for voxel v: inversion of word v & 3 of counter v >>> 2 (see native/noise/noise_draws.h). */
export function referencePoissonDraw(key: ReferenceKey, v: number, lambda: number): number {
  return poissonDraw(new Words(key), v, lambda);
}

function poissonDraw(words: Words, v: number, lambda: number): number {
  if (lambda === 0) return 0;
  if (lambda > 1e15) return lambda;
  const w = words.at(Math.floor(v / 4), 0)[v % 4];
  if (lambda >= 10) return referencePoissonQuantile(lambda, w);
  const u = (w + 0.5) * 2 ** -32;
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

/** Poisson noise: K·(1/scale) with K = Poisson(max(x, 0)·scale) per voxel; NaN stays NaN. */
export function referencePoisson(input: Float32Array, scale: number, key: ReferenceKey): Float64Array {
  const words = new Words(key);
  const invScale = Math.min(1 / scale, Number.MAX_VALUE);
  return Float64Array.from(input, (x, v) => {
    if (Number.isNaN(x)) return x;
    return poissonDraw(words, v, Math.max(x, 0) * scale) * invScale;
  });
}
