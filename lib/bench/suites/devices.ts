/**
 * devices: the CUDA twins against the CPU kernels on this machine, per volume kernel and for a
 * whole anatomy sample; each CUDA call is timed from host memory to host memory (the copies
 * included) with the CPU path as its baseline in the same run. Without a CUDA device the suite
 * says why (the binding's device facts). `npm run bench:gpu` (bench/gpu.ts) times the same calls
 * with CUDA events for its device-bandwidth table.
 */
import { cudaInfo, type CudaTiming } from '../../core/device.js';
import { Rng } from '../../core/philox.js';
import { resolveAnatomyOptions } from '../../anatomy/options.js';
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import { anatomyVolumeSpec } from '../../generators/anatomy3d/render.js';
import { nativeAddon } from '../../native.js';
import { labelPriorityTable, packShapes } from '../../ops/rasterize.js';
import { renderVolumeSample, type VolumeSampleSpec } from '../../ops/render_volume.js';
import type { BenchCase, BenchSuite } from '../suite.js';

export type Dims3 = [number, number, number];

/** One native kernel call, the same on both devices but for its params' `device`. */
export interface KernelCall {
  name: string;
  /** Bytes the kernel must read and write per voxel. */
  bytesPerVoxel: number;
  /** Runs it on `device`; CUDA calls resolve to their timing. */
  call: (device: 'cpu' | 'cuda') => Promise<unknown>;
}

type Kernel = (...args: unknown[]) => Promise<unknown>;
const addon = () => nativeAddon<Record<string, Kernel>>();

/** The anatomy generator's sample `index` at `dims` as one chain (what AnatomyRenderer renders). */
function anatomySpec(dims: Dims3, index: number): VolumeSampleSpec {
  const o = resolveAnatomyOptions({ imageSize: dims, seed: 42 });
  return anatomyVolumeSpec(o, sampleAnatomyParams(o, index), 'uint8');
}

/** Every volume kernel with a CUDA twin, and the whole anatomy sample, at `dims` (allocates the volumes). */
export function kernelCalls(dims: Dims3): KernelCall[] {
  const n = dims[0] * dims[1] * dims[2];
  const rng = new Rng(7, 0, 0);
  const input = Float32Array.from({ length: n }, () => rng.range(0, 255));
  const out = new Float32Array(n);
  const out8 = new Uint8Array(n);
  const labels = new Uint8Array(n);
  // The params object (the one plain object among the arguments) gets the device: it picks the twin.
  const kernel = (name: string, bytesPerVoxel: number, fn: string, args: unknown[]): KernelCall => ({
    name,
    bytesPerVoxel,
    call: (device) => addon()[fn](...args.map((a) => (a !== null && typeof a === 'object' && !ArrayBuffer.isView(a) ? { ...a, device } : a))),
  });
  const coefficients = Array.from({ length: 20 }, () => rng.range(-0.3, 0.3));
  const spec = anatomySpec(dims, 0);
  const work = new Float32Array(n);
  return [
    kernel('windowLevel', 8, 'windowLevel', [input, out, { center: 40, width: 400, outMin: 0, outMax: 255 }]),
    kernel('castU8', 5, 'castU8', [input, out8, { scale: 1, offset: 0 }]),
    kernel('gaussianBlur σ=1.5', 24, 'gaussianBlur', [input, out, { dims, sigma: [1.5, 1.5, 1.5], truncate: 4 }]),
    kernel('biasField order 3', 8, 'biasField', [input, out, { dims, order: 3, coefficients }]),
    ...(['gaussian', 'rician'] as const).map((kind) => kernel(`addNoise ${kind}`, 8, 'addNoise', [input, out, { kind, sigma: 5, seed: 1, sample: 2, stream: 3 }])),
    kernel('addNoise poisson', 8, 'addNoise', [input, out, { kind: 'poisson', scale: 1, seed: 1, sample: 2, stream: 3 }]),
    kernel(`rasterize ${spec.shapes.length} shapes`, 10, 'rasterize', [
      packShapes(spec.shapes, dims[0]),
      labelPriorityTable(spec.shapes),
      new Float64Array(spec.shapes.length),
      { dims },
      out,
      labels,
    ]),
    {
      // Bytes: zero 5, rasterize 10, blur 24, bias 8, noise 8, cast 5 per voxel.
      name: 'whole anatomy sample (uint8)',
      bytesPerVoxel: 60,
      call: async (device) => {
        const r = await renderVolumeSample(spec, { image: out8, labels, ...(device === 'cpu' ? { work } : {}) }, { device });
        return r.timing as CudaTiming | undefined;
      },
    },
  ];
}

const SIZES: Dims3[] = [
  [128, 256, 256],
  [256, 512, 512],
];
const QUICK_SIZES: Dims3[] = [[64, 128, 128]];

function cases(dims: Dims3): BenchCase[] {
  let calls: KernelCall[] = [];
  const names = ['windowLevel', 'castU8', 'gaussianBlur σ=1.5', 'biasField order 3', 'addNoise gaussian', 'addNoise rician', 'addNoise poisson', 'rasterize', 'whole anatomy sample (uint8)'];
  const find = (name: string) => calls.find((c) => c.name.startsWith(name))!;
  return names.map((name, i) => ({
    name: `${name} on CUDA (with copies)`,
    size: dims.join('×'),
    floorBytes: 0,
    // The volumes are shared by the size's cases: made by the first, dropped by the last.
    setup: () => {
      if (i === 0) calls = kernelCalls(dims);
    },
    run: () => find(name).call('cuda'),
    baselines: { CPU: () => find(name).call('cpu') },
    teardown: () => {
      if (i === names.length - 1) calls = [];
    },
  }));
}

export const suite: BenchSuite = {
  name: 'devices',
  unavailable: () => {
    const info = cudaInfo();
    return info.available ? undefined : (info.reason ?? 'CUDA is unavailable');
  },
  cases: ({ quick }) => (quick ? QUICK_SIZES : SIZES).flatMap(cases),
};
