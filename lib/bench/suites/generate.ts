/**
 * generate: one 3D anatomy sample (uint8; rasterize → blur → bias → noise → cast, one native
 * chain) at the seed's four image sizes, against seed 001's published seconds per sample (its
 * README's CPU table) and, at 64×64×32, against the plain TypeScript path of the same sample
 * (lib/reference/volume_sample.ts) timed in the same run.
 */
import { resolveAnatomyOptions } from '../../anatomy/options.js';
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import { AnatomyRenderer, anatomyVolumeSpec } from '../../generators/anatomy3d/render.js';
import { referenceVolumeSample } from '../../reference/volume_sample.js';
import type { BenchCase, BenchSuite } from '../suite.js';

type Dims3 = [number, number, number];

/** The seed's sizes as "Z,Y,X" and its seconds per sample (seed 001's README, "Generation Time"). */
export const SEED_SIZES: Array<[Dims3, number]> = [
  [[64, 64, 32], 0.1],
  [[128, 128, 64], 0.5],
  [[256, 256, 128], 2],
  [[512, 512, 256], 8],
];
/** `--quick`: the two small sizes. */
const QUICK_SIZES = 2;
/** The size the TS reference path is timed at (it takes seconds per sample above it). */
const REFERENCE_SIZE = '64×64×32';

export const sizeKey = (dims: readonly number[]) => dims.join('×');

/** Generating one sample at `dims`, beside the seed's published time (and the TS path at the small size). */
export function generateCase(dims: Dims3, seedSeconds: number): BenchCase {
  const o = resolveAnatomyOptions({ imageSize: dims, seed: 42 });
  let renderer: AnatomyRenderer | undefined;
  let i = 0;
  return {
    name: 'anatomy: generate one sample (uint8)',
    size: sizeKey(dims),
    floorBytes: dims[0] * dims[1] * dims[2] * 4,
    setup: async () => {
      renderer = new AnatomyRenderer(o, 'uint8');
      await renderer.render(sampleAnatomyParams(o, 0)); // first touch of the buffers
    },
    run: () => renderer!.render(sampleAnatomyParams(o, i++ % 64)),
    reference: sizeKey(dims) === REFERENCE_SIZE ? () => referenceVolumeSample(anatomyVolumeSpec(o, sampleAnatomyParams(o, 0), 'uint8')) : undefined,
    published: { 'seed 001': seedSeconds * 1000 },
    teardown: () => {
      renderer = undefined;
    },
  };
}

export const suite: BenchSuite = {
  name: 'generate',
  cases: ({ quick }) => SEED_SIZES.slice(0, quick ? QUICK_SIZES : undefined).map(([dims, s]) => generateCase(dims, s)),
};
