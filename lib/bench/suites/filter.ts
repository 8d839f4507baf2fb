/**
 * Separable Gaussian blur (σ = 1, 2, 4 voxels on every axis, truncate 4) on float32 volumes,
 * out of place, next to the plain float64 TS reference (test/reference/) and the copy floor of
 * one volume.
 */
import { pinnedArray } from '../../core/pinned.js';
import { Rng } from '../../core/philox.js';
import { gaussianBlur } from '../../ops/gaussian_blur.js';
import { referenceGaussianBlur } from '../../reference/gaussian_blur.js';
import type { BenchCase, BenchSuite } from '../suite.js';

const SIZES: Array<[number, number, number]> = [
  [128, 256, 256],
  [256, 512, 512],
];
/** `--quick`: one small volume and one σ (the reference stays well under a second). */
const QUICK_SIZES: Array<[number, number, number]> = [[64, 64, 64]];
const SIGMAS = [1, 2, 4];
const QUICK_SIGMAS = [2];

function volumeCases(dims: [number, number, number], sigmas: readonly number[]): BenchCase[] {
  const size = dims.join('×');
  const count = dims[0] * dims[1] * dims[2];
  // Pinned (SharedArrayBuffer) volumes, as the generators use: worked on in place.
  let input: Float32Array = new Float32Array(0);
  let out: Float32Array = new Float32Array(0);
  const setup = () => {
    const rng = new Rng(1, 0, 0);
    input = pinnedArray(Float32Array, count);
    for (let i = 0; i < count; i++) input[i] = rng.uniform();
    out = pinnedArray(Float32Array, count).fill(1); // touched: no first-write page faults in the timing
  };
  const teardown = () => {
    input = new Float32Array(0);
    out = new Float32Array(0);
  };
  return sigmas.map((s) => ({
    name: `gaussianBlur σ=${s}`,
    size,
    floorBytes: count * 4,
    setup,
    run: () => gaussianBlur(input, dims, { sigma: s }, out),
    reference: () => referenceGaussianBlur(input, dims, [s, s, s]),
    teardown,
  }));
}

export const suite: BenchSuite = {
  name: 'filter',
  cases: ({ quick }) => (quick ? QUICK_SIZES : SIZES).flatMap((dims) => volumeCases(dims, quick ? QUICK_SIGMAS : SIGMAS)),
};
