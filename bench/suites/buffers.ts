/**
 * What buffer lifetime costs (bindings/buffer_staging.h): the same kernels on arrays over an
 * ordinary ArrayBuffer (copied in, written results copied back, so JS may detach them mid-call)
 * and over a SharedArrayBuffer (pinnedArray: worked on in place). The summary gives each
 * kernel's ordinary/pinned time ratio from this run.
 */
import { pinnedArray } from '../../lib/core/pinned.js';
import { gaussianBlur } from '../../lib/ops/gaussian_blur.js';
import { castToUint8, rescale } from '../../lib/ops/intensity.js';
import { addNoise } from '../../lib/ops/noise.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

const DIMS: [number, number, number] = [128, 256, 256];
const COUNT = DIMS[0] * DIMS[1] * DIMS[2];

type Arrays = { input: Float32Array; out: Float32Array; u8: Uint8Array };
const KERNELS: Array<[string, (a: Arrays) => Promise<unknown>]> = [
  ['rescale', (a) => rescale(a.input, { scale: 2, offset: 1 }, a.out)],
  ['castToUint8', (a) => castToUint8(a.input, { scale: 1, offset: 100 }, a.u8)],
  ['addNoise gaussian', (a) => addNoise(a.input, { kind: 'gaussian', sigma: 2, seed: 1 }, a.out)],
  ['gaussianBlur σ=1', (a) => gaussianBlur(a.input, DIMS, { sigma: 1 }, a.out)],
];

function cases(): BenchCase[] {
  const size = DIMS.join('×');
  const list: BenchCase[] = [];
  for (const kind of ['ordinary', 'pinned'] as const) {
    let arrays: Arrays | undefined;
    const setup = () => {
      const make = <T>(ctor: { new (n: number): T; new (b: SharedArrayBuffer, o?: number, n?: number): T; BYTES_PER_ELEMENT: number }) =>
        kind === 'pinned' ? pinnedArray(ctor, COUNT) : new ctor(COUNT);
      arrays = { input: make(Float32Array), out: make(Float32Array), u8: make(Uint8Array) };
      for (let i = 0; i < COUNT; i++) arrays.input[i] = 100 * Math.sin(i * 0.001);
    };
    for (const [name, run] of KERNELS) {
      list.push({ name: `${name} (${kind})`, size, floorBytes: COUNT * 4, setup, run: () => run(arrays!), teardown: () => (arrays = undefined) });
    }
  }
  return list;
}

function summarize(rows: readonly BenchRow[]): string[] {
  const lines = ['', 'Ordinary-array time / pinned-array time (the cost of the copies that make detaching safe):', ''];
  for (const [name] of KERNELS) {
    const ordinary = rows.find((r) => r.name === `${name} (ordinary)`);
    const pinned = rows.find((r) => r.name === `${name} (pinned)`);
    if (ordinary && pinned) lines.push(`- ${name}: ${(ordinary.nativeMs / pinned.nativeMs).toFixed(2)}×`);
  }
  return lines;
}

export const suite: BenchSuite = { name: 'buffers', cases, summarize };
