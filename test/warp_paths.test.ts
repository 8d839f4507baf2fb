/**
 * The warps' row samplers (native/warp/trilinear_rows.cc, nearest_rows.cc): every path this CPU has
 * (AVX-512, AVX2, scalar; forced with setWarpIsa) against the float64 reference on random inputs
 * at odd sizes, with rows wholly inside the volume (the interior fast path), rows crossing its
 * edge (the border path) and rows wholly outside (fill) — and the paths give the same bytes. Also
 * the thread-count determinism of the affine, elastic, label and field kernels, and the blocked
 * sampling order (native/warp/row_order.h) at sizes past its 32 × 16-row tiles.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { bsplineDisplacement, physicalAffine, setWarpIsa, warpIsa, warpLabels, warpVolume } from '../lib/ops/warp.js';
import { referenceWarpLinear, referenceWarpNearest } from '../lib/reference/warp.js';
import { maxAbsDiff, sameBytes } from './helpers/arrays.js';

type Zyx = [number, number, number];
const count = (d: readonly number[]) => d[0] * d[1] * d[2];
const ISAS = ['avx512', 'avx2', 'scalar'] as const;
const initialIsa = warpIsa() as (typeof ISAS)[number];

function randomFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

afterAll(() => {
  setWarpIsa(initialIsa);
  setThreads();
});

interface Case {
  name: string;
  dims: Zyx;
  outDims: Zyx;
  affine: number[];
  displacement?: { control: Float32Array; controlDims: Zyx };
}

/** Random cases: interior-only shifts, rotations/scalings whose rows cross the edge, far-outside shifts, elastic. */
function cases(): Case[] {
  const out: Case[] = [];
  const sizes: Zyx[] = [[5, 7, 19], [3, 1, 9], [1, 1, 1], [17, 12, 33], [2, 2, 2], [9, 4, 41]];
  sizes.forEach((dims, s) => {
    const rng = new Rng(900 + s, 0, 0);
    const r = (a: number) => rng.range(-a, a);
    // Zoomed in 2× about the centre plus a sub-voxel shift: every sample's neighbourhood inside.
    const c = dims.map((n) => (n - 1) / 2);
    const zoom = [0, 1, 2].flatMap((i) => [i === 0 ? 0.5 : 0, i === 1 ? 0.5 : 0, i === 2 ? 0.5 : 0, c[i] / 2 + r(0.2)]);
    out.push({ name: `interior ${dims.join('×')}`, dims, outDims: dims, affine: zoom });
    const turn = physicalAffine(dims, [1, 1, 1], { degrees: [r(30), r(30), r(30)], scales: [1 + r(0.3), 1 + r(0.3), 1 + r(0.3)], translationMm: [r(2), r(2), r(2)] });
    out.push({ name: `border ${dims.join('×')}`, dims, outDims: [dims[0] + 1, dims[1] + 2, dims[2] + 3], affine: turn });
    const far = [1, 0, 0, r(1) + dims[0] + 1.5, 0, 1, 0, r(1), 0, 0, 1, -r(1) - 40];
    out.push({ name: `outside ${dims.join('×')}`, dims, outDims: dims, affine: far });
    if (dims.every((d) => d > 1)) {
      const cd: Zyx = [4, 5, 7];
      const control = Float32Array.from({ length: 3 * count(cd) }, () => r(2.5));
      out.push({ name: `elastic ${dims.join('×')}`, dims, outDims: dims, affine: turn, displacement: { control, controlDims: cd } });
    }
  });
  // Control grids wider than one (16) and two (32) registers: the AVX-512 x pass keeps a row's
  // control values in two registers up to 32 and runs over segments beyond (bspline_rows.cc).
  for (const cx of [21, 35]) {
    const dims: Zyx = [6, 5, 47];
    const cd: Zyx = [4, 4, cx];
    const rng = new Rng(950 + cx, 0, 0);
    const control = Float32Array.from({ length: 3 * count(cd) }, () => rng.range(-2, 2));
    out.push({ name: `elastic ${cx} control points along x`, dims, outDims: dims, affine: physicalAffine(dims, [1, 1, 1], {}), displacement: { control, controlDims: cd } });
  }
  return out;
}

describe('trilinear row samplers', () => {
  const all = cases();
  for (const isa of ISAS) {
    it(`${isa}: matches the float64 reference inside, across and outside the volume's edge`, async (ctx) => {
      if (!setWarpIsa(isa)) ctx.skip();
      expect(warpIsa()).toBe(isa);
      let fills = 0, interior = 0;
      for (const [k, c] of all.entries()) {
        const input = randomFloats(count(c.dims), 50 + k);
        const fill = k % 3 === 0 ? -0.75 : 0;
        const got = await warpVolume(input, c.dims, c.affine, { fill, displacement: c.displacement, outDims: c.outDims });
        const want = referenceWarpLinear(input, c.dims, { affine: c.affine, fill, control: c.displacement?.control, controlDims: c.displacement?.controlDims, outDims: c.outDims });
        expect(maxAbsDiff(got, want), c.name).toBeLessThan(2e-5);
        // The label warp samples the same points (nearest neighbour): exactly the reference's labels.
        const labels = Uint8Array.from(input, (v) => Math.floor((v + 1) * 3));
        const gotL = await warpLabels(labels, c.dims, c.affine, { fill: 9, displacement: c.displacement, outDims: c.outDims });
        const wantL = referenceWarpNearest(labels, c.dims, { affine: c.affine, fill: 9, control: c.displacement?.control, controlDims: c.displacement?.controlDims, outDims: c.outDims });
        expect(sameBytes(gotL, wantL), c.name).toBe(true);
        for (const v of got) {
          if (v === Math.fround(fill)) fills++;
          else interior++;
        }
      }
      // Both kinds of voxel occurred: the border and interior paths both ran.
      expect(fills).toBeGreaterThan(100);
      expect(interior).toBeGreaterThan(1000);
    });
  }

  it('every path gives the same bytes', async () => {
    const all2 = cases();
    const results: Float32Array[][] = [];
    for (const isa of ISAS) {
      if (!setWarpIsa(isa)) continue;
      const mine: Float32Array[] = [];
      for (const [k, c] of all2.entries()) {
        mine.push(await warpVolume(randomFloats(count(c.dims), 50 + k), c.dims, c.affine, { fill: 0.25, displacement: c.displacement, outDims: c.outDims }));
      }
      results.push(mine);
    }
    expect(results.length).toBeGreaterThanOrEqual(1);
    for (const other of results.slice(1)) other.forEach((r, k) => expect(sameBytes(r, results[0][k]), all2[k].name).toBe(true));
    setWarpIsa(initialIsa);
  });
});

describe('thread-count determinism', () => {
  it('affine, elastic, label warps and the field give the same bytes on 1 and 2 threads', async () => {
    const dims: Zyx = [21, 43, 37];
    const input = randomFloats(count(dims), 3);
    const labels = Uint8Array.from(input, (v) => Math.floor((v + 1) * 2.5));
    const affine = physicalAffine(dims, [1, 0.8, 0.8], { degrees: [15, -7, 9], scales: [1.1, 0.95, 1.05] });
    const cd: Zyx = [7, 7, 7];
    const control = randomFloats(3 * count(cd), 4, -3, 3);
    const displacement = { control, controlDims: cd };
    const run = async () => [
      await warpVolume(input, dims, affine),
      await warpVolume(input, dims, affine, { displacement }),
      await warpLabels(labels, dims, affine, { displacement }),
      await warpLabels(labels, dims, affine),
      await bsplineDisplacement(displacement, dims),
    ];
    setThreads(1);
    const one = await run();
    setThreads(2);
    const two = await run();
    one.forEach((a, i) => expect(sameBytes(a, two[i])).toBe(true));
  });
});

// Rows that cross source rows or planes prefetch their source lines a few rows ahead, each row chunk
// its own (native/warp/prefetch_rows.h; elastic rows are computed that far ahead in a ring of row
// buffers); the prefetch reads nothing the result depends on, so these rotations, with and without
// a displacement — one-plane and one-row volumes (no +z / +y neighbour to prefetch), output grids
// larger and smaller than the input, rows leaving the volume, more rows than one chunk holds — must
// match the reference and give the same bytes on every path and thread count.
describe('rotated rows with prefetched source lines', () => {
  const shapes: { dims: Zyx; outDims: Zyx }[] = [
    { dims: [1, 40, 300], outDims: [2, 45, 290] },
    { dims: [6, 1, 500], outDims: [6, 3, 520] },
    { dims: [9, 37, 260], outDims: [9, 37, 260] },
    { dims: [3, 70, 70], outDims: [5, 90, 64] },
  ];
  const rotations: Zyx[] = [[30, 0, 0], [0, -25, 0], [0, 0, 40], [15, -7, 9]];

  it('match the float64 reference and agree across paths and thread counts', async () => {
    let checked = 0;
    for (const [s, { dims, outDims }] of shapes.entries()) {
      const input = randomFloats(count(dims), 300 + s);
      for (const [k, degrees] of rotations.entries()) {
        const affine = physicalAffine(dims, [1, 1, 1], { degrees, translationMm: [0.3 * k, -0.7, 0.4] });
        const cd: Zyx = [4, 5, 6];
        const displacement = k % 2 ? { control: randomFloats(3 * count(cd), 400 + 10 * s + k, -2, 2), controlDims: cd } : undefined;
        const want = referenceWarpLinear(input, dims, { affine, fill: 0.5, outDims, control: displacement?.control, controlDims: cd });
        const results: Float32Array[] = [];
        for (const isa of ISAS) {
          if (!setWarpIsa(isa)) continue;
          for (const threads of [1, 2]) {
            setThreads(threads);
            results.push(await warpVolume(input, dims, affine, { fill: 0.5, outDims, displacement }));
          }
        }
        const name = `${dims.join('×')} ${degrees.join(',')}${displacement ? ' + displacement' : ''}`;
        expect(maxAbsDiff(results[0], want), name).toBeLessThan(2e-5);
        for (const r of results.slice(1)) expect(sameBytes(r, results[0]), name).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(shapes.length * rotations.length);
    setWarpIsa(initialIsa);
    setThreads();
  });
});

describe('sampling order', () => {
  // Rows are sampled in memory order when an output plane reads a fixed source z (rotation about z,
  // scaling), else in tiles of 32 planes × 16 rows; at 70 × 35 × 24 the tiles end part-way on both axes.
  it('blocked and plain orders cover every voxel once and match the reference', async () => {
    const dims: Zyx = [70, 35, 24];
    const outDims: Zyx = [71, 37, 23];
    const input = randomFloats(count(dims), 11);
    const labels = Uint8Array.from(input, (v) => Math.floor((v + 1) * 2.5));
    const cd: Zyx = [5, 6, 4];
    const displacement = { control: randomFloats(3 * count(cd), 12, -2, 2), controlDims: cd };
    const transforms = {
      'about z (plain)': physicalAffine(dims, [1, 1, 1], { degrees: [20, 0, 0] }),
      '3 axes (blocked)': physicalAffine(dims, [1, 1, 1], { degrees: [15, -7, 9], scales: [1.1, 0.95, 1.05] }),
    };
    for (const [name, affine] of Object.entries(transforms)) {
      for (const d of [undefined, displacement]) {
        const options = { fill: -0.5, displacement: d, outDims };
        const ref = { affine, fill: -0.5, control: d?.control, controlDims: d?.controlDims, outDims };
        for (const threads of [1, 2]) {
          setThreads(threads);
          const got = await warpVolume(input, dims, affine, options);
          expect(maxAbsDiff(got, referenceWarpLinear(input, dims, ref)), `${name} ${threads}`).toBeLessThan(2e-5);
          const gotL = await warpLabels(labels, dims, affine, { ...options, fill: 9 });
          expect(sameBytes(gotL, referenceWarpNearest(labels, dims, { ...ref, fill: 9 })), `${name} labels`).toBe(true);
        }
      }
    }
    setThreads();
  });
});
