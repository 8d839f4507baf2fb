/**
 * The per-sample parameter draws of the clinical generator: one Philox4x32-10 stream per
 * (seed, sample, stream) with the library's layout (key = seed words, counter = [c lo, c hi,
 * sample, stream]; see lib/core/philox.ts), read word by word. The generator draws ~30 values per
 * sample, so the mapping is chosen to spend few Philox blocks:
 *   uniform()  (w + 0.5) / 2^32 from one word: in (0, 1), 32 bits
 *   normal()   Box–Muller on two uniforms, r·cos θ now and r·sin θ on the next call
 * The key is split once per generator (no BigInt work per sample).
 */
import { philox4x32_10, seedKey } from '../../core/philox.js';

const TWO32 = 4294967296;

export interface Draws {
  uniform(): number;
  normal(mean?: number, sd?: number): number;
}

export class SampleDraws implements Draws {
  private readonly key: [number, number];
  private readonly counter: [number, number, number, number] = [0, 0, 0, 0];
  private readonly block = new Uint32Array(4);
  private used = 4;
  private spare = NaN;

  constructor(seed: number) {
    this.key = seedKey(seed);
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

  private word(): number {
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

  uniform(): number {
    return (this.word() + 0.5) / TWO32;
  }

  normal(mean = 0, sd = 1): number {
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
