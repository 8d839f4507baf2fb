/**
 * The PET/CT study's per-pixel kernels at the study's sizes: resampling a batch of slices to the
 * model's input (a 3D cohort's 128² slices up to the seed's 256²), the rotation + flip
 * augmentation warp, and the MC-dropout summary of 30 passes of a batch of 8 probability maps.
 * Each beside its float64 TS reference (test/reference/).
 */
import { Rng } from '../../lib/core/philox.js';
import { composeMaps, resizeMap, rotationFlipMap, warpAffine2d } from '../../lib/ops/resample2d.js';
import { summarisePixelPasses } from '../../lib/studies/petct/mc_dropout.js';
import { mcPixelSummaryRef } from '../../test/reference/mc_dropout.js';
import { warpAffine2dRef } from '../../test/reference/resample2d.js';
import type { BenchCase, BenchSuite } from '../suite.js';

function randomPlanes(n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 0, 9);
  return Float32Array.from({ length: n }, () => rng.uniform());
}

function warpCase(name: string, planes: number, from: [number, number], to: [number, number], map: readonly number[], padding: 'edge' | 'constant'): BenchCase {
  let src: Float32Array = new Float32Array(0);
  const m = map as [number, number, number, number, number, number];
  return {
    name,
    size: `${planes}×${from.join('×')}→${to.join('×')}`,
    floorBytes: planes * to[0] * to[1] * 4,
    setup: () => {
      src = randomPlanes(planes * from[0] * from[1], 1);
    },
    run: () => warpAffine2d(src, { planes, height: from[0], width: from[1] }, to, m, { padding }),
    reference: () => warpAffine2dRef(src, planes, from[0], from[1], to[0], to[1], m, { interpolation: 'linear', padding, fill: 0 }),
  };
}

function mcCase(T: number, n: number): BenchCase {
  let passes: Float32Array[] = [];
  return {
    name: `MC summary, ${T} passes`,
    size: `${T}×8×128×128`,
    floorBytes: T * n * 4,
    setup: () => {
      passes = Array.from({ length: T }, (_, t) => randomPlanes(n, 10 + t));
    },
    run: () => summarisePixelPasses(passes),
    reference: () => mcPixelSummaryRef(passes),
  };
}

export const suite: BenchSuite = {
  name: 'petct_study',
  cases: () => [
    warpCase('resize slices (bilinear)', 2 * 32, [128, 128], [256, 256], resizeMap([128, 128], [256, 256]), 'edge'),
    warpCase('augment: rotate 12° + flip', 2 * 8, [256, 256], [256, 256], composeMaps(rotationFlipMap([256, 256], 12, { horizontal: true }), [1, 0, 0, 0, 1, 0]), 'constant'),
    mcCase(30, 8 * 128 * 128),
  ],
};
