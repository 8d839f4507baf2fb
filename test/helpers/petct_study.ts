/**
 * Realistic inputs for the PET/CT study's evaluation and figure tests, without a trained model:
 * a small generated cohort, and "MC passes" of a synthetic prediction made from the true mask —
 * blurred (a soft boundary), biased towards background, with per-pass noise (what dropout
 * would vary) — plus per-slice risks that follow the true linear predictor with noise.
 */
import path from 'node:path';

import { afterAll, beforeAll } from 'vitest';

import { Rng } from '../../lib/core/philox.js';
import { generatePetCtDataset } from '../../lib/generators/petct/index.js';
import { gaussianBlur } from '../../lib/ops/gaussian_blur.js';
import { normalNoise } from '../../lib/ops/noise.js';
import { tempDir } from './tmp.js';

export async function smallCohort(dir: string, patients = 8, seed = 11): Promise<string> {
  await generatePetCtDataset({ outputDir: dir, patients, seed, preview: false, gzipLevel: 1 });
  return dir;
}

/**
 * Registers hooks that generate a small cohort in a temporary folder before the file's tests and
 * remove it after; `cohort.dir` is the cohort, `cohort.tmp` the folder for other outputs.
 */
export function useSmallCohort(prefix: string, patients: number, seed: number): { dir: string; tmp: string } {
  const tmp = tempDir(prefix);
  const cohort = { dir: '', tmp: tmp.dir };
  beforeAll(async () => {
    cohort.dir = await smallCohort(path.join(tmp.dir, 'cohort'), patients, seed);
  }, 120_000);
  afterAll(tmp.cleanup);
  return cohort;
}

/**
 * T passes of probability maps [S, H, W] from truth masks [S, H, W]: p_t = σ(k·(blur(y) − ½) +
 * b + ε_t), ε_t ~ N(0, noiseSd²) per pixel.
 */
export async function syntheticPasses(truth: Float32Array, S: number, size: readonly [number, number], T: number, seed = 5, noiseSd = 1.2): Promise<Float32Array[]> {
  const [H, W] = size;
  const soft = await gaussianBlur(truth, [S, H, W], { sigma: [0, 1.2, 1.2] });
  const passes: Float32Array[] = [];
  for (let t = 0; t < T; t++) {
    const eps = await normalNoise(S * H * W, { seed, sample: t, stream: 7 });
    const p = new Float32Array(S * H * W);
    for (let i = 0; i < p.length; i++) p[i] = 1 / (1 + Math.exp(-(10 * (soft[i] - 0.5) - 1.5 + noiseSd * eps[i])));
    passes.push(p);
  }
  return passes;
}

/** T passes of per-slice risks: the patient's true linear predictor + a per-pass wobble + noise. */
export function syntheticSliceRisks(lpOfSlice: ArrayLike<number>, T: number, seed = 9): Float64Array[] {
  const rng = new Rng(seed, 0, 3);
  const bias = Array.from(lpOfSlice, () => rng.normal(0, 0.5));
  return Array.from({ length: T }, () => Float64Array.from(lpOfSlice, (lp, s) => lp + bias[s] + rng.normal(0, 0.2)));
}
