/**
 * Philox4x32-10 in TypeScript: the same function as native/core/philox.h, bit for bit, so
 * generators draw their parameters (organ positions, scenario choices, latent variables) from
 * the same keyed streams the native kernels use for voxels. Layout:
 *   key = [seed low 32, seed high 32], counter = [counter low 32, counter high 32, sample, stream]
 */
import { checkInteger, checkSeed } from '../validate.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

/** High 32 bits of the 64-bit product of two uint32 (exact, in doubles). */
function mulhi(a: number, b: number): number {
  const ah = a >>> 16;
  const al = a & 0xffff;
  const bh = b >>> 16;
  const bl = b & 0xffff;
  const mid = ah * bl + al * bh + ((al * bl) >>> 16);
  return (ah * bh + Math.floor(mid / 65536)) >>> 0;
}

/** One Philox4x32-10 block; writes 4 words into `out` (default: a new Uint32Array). */
export function philox4x32_10(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

/** Splits a seed (safe integer or BigInt < 2^64) into the two key words. */
export function seedKey(seed: number | bigint): [number, number] {
  const s = BigInt(checkSeed('seed', seed));
  return [Number(s & 0xffffffffn), Number(s >> 32n)];
}

/** 53-bit uniform in [0, 1) from two words: the same formula as ms::uniform_double. */
export function uniformDouble(w0: number, w1: number): number {
  return ((w0 >>> 5) * 67108864 + (w1 >>> 6)) / 9007199254740992;
}

/** 23-bit uniform in (0, 1) from one word: the same value as ms::uniform_open01 (exact in float32). */
export function uniformOpen01(bits: number): number {
  return ((bits >>> 9) + 0.5) / 8388608;
}

/**
 * How a stream's 32-bit words become numbers — a named choice, because generators made with one
 * must keep it to keep their bytes:
 *   'uniform53' (anatomy, petct, survival, tests): uniform() = uniformDouble of two words (53
 *               bits); normal() = one Box–Muller value per call, √(−2 ln(1 − u1))·cos(2π u2).
 *   'uniform32' (clinical2d, ~30 draws per sample): uniform() = (w + 0.5) / 2^32 from one word, in
 *               (0, 1); normal() = Box–Muller on two uniforms, r·cos θ now and r·sin θ on the
 *               next call: a quarter of the Philox blocks.
 * Everything else (range, int, bernoulli, categorical) is built on uniform() the same way for both.
 */
export type WordMapping = 'uniform53' | 'uniform32';

/** What a parameter sampler draws from (Rng, or a test double). */
export interface Draws {
  uniform(): number;
  normal(mean?: number, sd?: number): number;
}

/**
 * A sequential reader of one (seed, sample, stream) Philox stream, for drawing parameters.
 * Each draw consumes whole words from consecutive counters; the same calls in the same order
 * always give the same values. The key is split once; reset() moves to another (sample, stream)
 * without BigInt work, for generators that draw a few values per sample.
 */
export class Rng implements Draws {
  private readonly key: [number, number];
  private readonly counter: [number, number, number, number] = [0, 0, 0, 0];
  private readonly block = new Uint32Array(4);
  private used = 4;
  private spare = NaN;

  constructor(
    seed: number | bigint,
    sample: number,
    stream: number,
    readonly mapping: WordMapping = 'uniform53',
  ) {
    this.key = seedKey(seed);
    this.reset(checkInteger('sample', sample, 0, 0xffffffff), checkInteger('stream', stream, 0, 0xffffffff));
  }

  /** Restarts at counter 0 of (sample, stream); both integers in [0, 2^32). */
  reset(sample: number, stream: number): this {
    this.counter[0] = 0;
    this.counter[1] = 0;
    this.counter[2] = sample;
    this.counter[3] = stream;
    this.used = 4;
    this.spare = NaN;
    return this;
  }

  /** The next raw 32-bit word. */
  nextU32(): number {
    if (this.used === 4) {
      philox4x32_10(this.counter, this.key, this.block);
      if (++this.counter[0] === TWO32) {
        this.counter[0] = 0;
        this.counter[1]++;
      }
      this.used = 0;
    }
    return this.block[this.used++];
  }

  /** Uniform in [0, 1) ('uniform53') or (0, 1) ('uniform32'). */
  uniform(): number {
    if (this.mapping === 'uniform32') return (this.nextU32() + 0.5) / TWO32;
    const w0 = this.nextU32();
    return uniformDouble(w0, this.nextU32());
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Normal (Box–Muller, as the mapping says). */
  normal(mean = 0, sd = 1): number {
    if (this.mapping === 'uniform53') {
      const u1 = 1 - this.uniform(); // (0, 1]
      const u2 = this.uniform();
      return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
    let z = this.spare;
    if (Number.isNaN(z)) {
      const r = Math.sqrt(-2 * Math.log(this.uniform()));
      const theta = 2 * Math.PI * this.uniform();
      z = r * Math.cos(theta);
      this.spare = r * Math.sin(theta);
    } else {
      this.spare = NaN;
    }
    return mean + sd * z;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Index drawn with probability proportional to `weights` (non-negative, positive sum). */
  categorical(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    // Rounding left u ≥ 0: the last category of positive weight.
    for (let i = weights.length - 1; i > 0; i--) if (weights[i] > 0) return i;
    return 0;
  }
}
