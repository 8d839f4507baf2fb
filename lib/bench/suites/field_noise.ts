/**
 * Bias field (order 3) and Gaussian / Rician / Poisson noise on float32 volumes, each next to
 * the plain TS reference (test/reference/) and the copy floor of one volume.
 */
import { pinnedArray } from '../../core/pinned.js';
import { Rng } from '../../core/philox.js';
import { applyBiasField, sampleBiasCoefficients } from '../../ops/bias_field.js';
import { addNoise, type NoiseOptions } from '../../ops/noise.js';
import { referenceBiasField } from '../../reference/bias_field.js';
import { referenceGaussian, referencePoisson, referenceRician } from '../../reference/noise.js';
import type { BenchCase, BenchSuite } from '../suite.js';

const SIZES: Array<[number, number, number]> = [
  [128, 256, 256],
  [256, 512, 512],
];
/** `--quick`: one small volume. */
const QUICK_SIZES: Array<[number, number, number]> = [[64, 64, 64]];

// Volumes live on SharedArrayBuffers (pinnedArray), as the generators' do: kernels work on them in
// place. Ordinary arrays are copied for an async call's duration; suite 'buffers' measures that.

/** A smooth positive phantom (values 0..400), so Poisson λ covers both of its samplers. */
function phantom([nz, ny, nx]: [number, number, number]): Float32Array {
  const v = pinnedArray(Float32Array, nz * ny * nx);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) v[i] = 200 + 200 * Math.sin(x / 17) * Math.cos(y / 23 + z / 31);
    }
  }
  return v;
}

function volumeCases(dims: [number, number, number]): BenchCase[] {
  const size = dims.join('×');
  const count = dims[0] * dims[1] * dims[2];
  let input: Float32Array = new Float32Array(0);
  let out: Float32Array = new Float32Array(0);
  const setup = () => {
    input = phantom(dims);
    out = pinnedArray(Float32Array, count);
  };
  const teardown = () => {
    input = new Float32Array(0);
    out = new Float32Array(0);
  };
  const coefficients = sampleBiasCoefficients(new Rng(1, 0, 0), 3);
  const noise = (name: string, options: NoiseOptions, reference: () => unknown): BenchCase => ({
    name,
    size,
    floorBytes: count * 4,
    setup,
    run: () => addNoise(input, options, out),
    reference,
    teardown,
  });
  return [
    {
      name: 'biasField order 3',
      size,
      floorBytes: count * 4,
      setup,
      run: () => applyBiasField(input, dims, { order: 3, coefficients }, out),
      reference: () => referenceBiasField(input, dims, 3, coefficients),
      teardown,
    },
    noise('noise gaussian σ=10', { kind: 'gaussian', sigma: 10, seed: 1 }, () => referenceGaussian(input, 10, { seed: 1 })),
    noise('noise rician σ=10', { kind: 'rician', sigma: 10, seed: 1 }, () => referenceRician(input, 10, { seed: 1 })),
    noise('noise poisson λ 0..400', { kind: 'poisson', scale: 1, seed: 1 }, () => referencePoisson(input, 1, { seed: 1 })),
  ];
}

export const suite: BenchSuite = {
  name: 'field_noise',
  cases: ({ quick }) => (quick ? QUICK_SIZES : SIZES).flatMap(volumeCases),
};
