import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { rasterize } from '../lib/ops/rasterize.js';
import { IDENTITY_AFFINE, bsplineDisplacement, insertPatch, physicalAffine, warpGatedLabels, warpLabels, warpVolume } from '../lib/ops/warp.js';
import {
  referenceBsplineDisplacement,
  referenceInsertPatch,
  referenceWarpGatedLabels,
  referenceWarpLinear,
  referenceWarpNearest,
} from '../lib/reference/warp.js';
import { maxAbsDiff, sameBytes } from './helpers/arrays.js';

type Zyx = [number, number, number];
const count = (d: readonly number[]) => d[0] * d[1] * d[2];

function randomFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

function randomLabels(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed, 0, 1);
  return Uint8Array.from({ length: n }, () => rng.int(5));
}

/** A random near-identity affine transform about the centre (rotation ±20°, scale 0.85–1.15, shift ±2 mm). */
function randomAffine(rng: Rng, dims: Zyx, spacing: Zyx): number[] {
  const r = (a: number) => rng.range(-a, a);
  return physicalAffine(dims, spacing, {
    degrees: [r(20), r(20), r(20)],
    scales: [1 + r(0.15), 1 + r(0.15), 1 + r(0.15)],
    translationMm: [r(2), r(2), r(2)],
  });
}

function randomControl(rng: Rng, cd: Zyx, amplitude: number): Float32Array {
  return Float32Array.from({ length: 3 * count(cd) }, () => rng.range(-amplitude, amplitude));
}

afterAll(() => setThreads());

describe('warpVolume / warpLabels match the float64 reference', () => {
  const dims: Zyx = [9, 13, 11];
  const spacing: Zyx = [1.5, 0.8, 1];
  for (let trial = 0; trial < 4; trial++) {
    it(`random affine${trial % 2 ? ' + B-spline displacement' : ''}, trial ${trial}`, async () => {
      const rng = new Rng(100 + trial, 0, 2);
      const input = randomFloats(count(dims), 7 + trial);
      const labels = randomLabels(count(dims), 7 + trial);
      const affine = randomAffine(rng, dims, spacing);
      const outDims: Zyx = trial === 2 ? [7, 15, 10] : dims;
      const cd: Zyx = [4, 5, 6];
      const displacement = trial % 2 ? { control: randomControl(rng, cd, 1.5), controlDims: cd } : undefined;
      const fill = trial === 3 ? -2 : 0;
      const got = await warpVolume(input, dims, affine, { fill, displacement, outDims });
      const want = referenceWarpLinear(input, dims, { affine, fill, control: displacement?.control, controlDims: cd, outDims });
      expect(maxAbsDiff(got, want)).toBeLessThan(2e-5);
      const gotL = await warpLabels(labels, dims, affine, { fill: 9, displacement, outDims });
      const wantL = referenceWarpNearest(labels, dims, { affine, fill: 9, control: displacement?.control, controlDims: cd, outDims });
      expect(sameBytes(gotL, wantL)).toBe(true);
      const coverage = randomFloats(count(dims), 40 + trial, 0, 1);
      const gotG = await warpGatedLabels(labels, coverage, dims, affine, { displacement, outDims, fallback: 7 });
      const wantG = referenceWarpGatedLabels(labels, coverage, dims, { affine, fill: 0, control: displacement?.control, controlDims: cd, outDims, threshold: 0.5, fallback: 7 });
      let differ = 0;
      for (let i = 0; i < gotG.length; i++) differ += gotG[i] !== wantG[i] ? 1 : 0;
      // Only a coverage within float rounding of the threshold may decide differently.
      expect(differ).toBeLessThanOrEqual(1);
    });
  }

  it('bsplineDisplacement is the triple sum over the control grid', async () => {
    const cd: Zyx = [5, 4, 7];
    const dims: Zyx = [6, 17, 9];
    const control = randomControl(new Rng(3, 0, 0), cd, 4);
    const got = await bsplineDisplacement({ control, controlDims: cd }, dims);
    expect(maxAbsDiff(got, referenceBsplineDisplacement(control, cd, dims))).toBeLessThan(1e-5);
  });

  it('a constant control grid displaces every voxel by that constant (B-spline partition of unity)', async () => {
    const cd: Zyx = [7, 7, 7];
    const control = new Float32Array(3 * count(cd));
    control.fill(1.25, 0, count(cd));
    control.fill(-0.5, count(cd), 2 * count(cd));
    control.fill(2, 2 * count(cd));
    const field = await bsplineDisplacement({ control, controlDims: cd }, [10, 12, 14]);
    const n = 10 * 12 * 14;
    for (const [c, v] of [[0, 1.25], [1, -0.5], [2, 2]]) {
      for (let i = 0; i < n; i++) expect(Math.abs(field[c * n + i] - v)).toBeLessThan(1e-5);
    }
  });

  it('does not depend on the thread count', async () => {
    const dims: Zyx = [24, 40, 36];
    const input = randomFloats(count(dims), 11);
    const rng = new Rng(5, 0, 0);
    const affine = randomAffine(rng, dims, [1, 1, 1]);
    const cd: Zyx = [7, 7, 7];
    const displacement = { control: randomControl(rng, cd, 2), controlDims: cd };
    setThreads(1);
    const one = await warpVolume(input, dims, affine, { displacement });
    setThreads(2);
    const two = await warpVolume(input, dims, affine, { displacement });
    expect(sameBytes(one, two)).toBe(true);
  });
});

describe('augmentation identities and invariants', () => {
  const dims: Zyx = [40, 40, 40];
  const spacing: Zyx = [1, 0.7, 0.7];

  it('rotation by 0 and scaling by 1 give exactly the identity map and the same bytes', async () => {
    expect(physicalAffine(dims, spacing, { degrees: [0, 0, 0], scales: [1, 1, 1] })).toEqual([...IDENTITY_AFFINE]);
    const input = randomFloats(count(dims), 21);
    const labels = randomLabels(count(dims), 21);
    const affine = physicalAffine(dims, spacing, {});
    expect(sameBytes(await warpVolume(input, dims, affine), input)).toBe(true);
    expect(sameBytes(await warpLabels(labels, dims, affine), labels)).toBe(true);
    // A zero control grid adds nothing either.
    const cd: Zyx = [7, 7, 7];
    const displacement = { control: new Float32Array(3 * count(cd)), controlDims: cd };
    expect(sameBytes(await warpVolume(input, dims, affine, { displacement }), input)).toBe(true);
  });

  async function sphere(): Promise<{ image: Float32Array; mask: Uint8Array; volume: number }> {
    const image = new Float32Array(count(dims));
    const mask = new Uint8Array(count(dims));
    // 9 mm radius in a [1, 0.7, 0.7] mm grid: an ellipsoid in voxels.
    const r = 9;
    const { coverageSum } = await rasterize(
      [{ type: 'ellipsoid', center: [19.5, 19.5, 19.5], radii: [r / spacing[0], r / spacing[1], r / spacing[2]], intensity: 1, label: 1 }],
      { dims, intensity: image, labels: mask },
    );
    return { image, mask, volume: coverageSum[0] };
  }

  const sum = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    return s;
  };

  it('rotating a sphere preserves its volume within partial-volume error', async () => {
    const { image, mask, volume } = await sphere();
    const voxelsPerMm3 = 1 / (spacing[0] * spacing[1] * spacing[2]);
    expect(volume / ((4 / 3) * Math.PI * 9 ** 3 * voxelsPerMm3)).toBeCloseTo(1, 2);
    for (const degrees of [[15, 0, 0], [0, -15, 7], [11, 13, -15]] as Zyx[]) {
      const affine = physicalAffine(dims, spacing, { degrees });
      const rotated = await warpVolume(image, dims, affine);
      const rotatedMask = await warpLabels(mask, dims, affine);
      // Partial-volume coverage integrates to the volume; trilinear resampling keeps it to ~0.5%.
      expect(Math.abs(sum(rotated) / volume - 1)).toBeLessThan(0.005);
      // The nearest-neighbour mask: within the boundary band's share (surface voxels / 2).
      expect(Math.abs(sum(rotatedMask) / sum(mask) - 1)).toBeLessThan(0.02);
    }
  });

  it('scaling by s multiplies the volume by s³', async () => {
    const { image, volume } = await sphere();
    for (const s of [0.9, 1.1]) {
      const scaled = await warpVolume(image, dims, physicalAffine(dims, spacing, { scales: [s, s, s] }));
      expect(Math.abs(sum(scaled) / (volume * s ** 3) - 1)).toBeLessThan(0.01);
    }
  });

  it('masks stay aligned with images under rotation, scaling and elastic deformation', async () => {
    const { image, mask } = await sphere();
    const rng = new Rng(8, 0, 0);
    const cd: Zyx = [7, 7, 7];
    const displacement = { control: randomControl(rng, cd, 2), controlDims: cd };
    const affine = physicalAffine(dims, spacing, { degrees: [12, -9, 14], scales: [1.08, 0.93, 1.02] });
    const img = await warpVolume(image, dims, affine, { displacement });
    const msk = await warpLabels(mask, dims, affine, { displacement });
    let both = 0, a = 0, b = 0;
    const centroid = (w: (i: number) => number) => {
      const c = [0, 0, 0];
      let total = 0;
      for (let i = 0; i < img.length; i++) {
        const v = w(i);
        if (!v) continue;
        c[0] += v * Math.floor(i / 1600);
        c[1] += v * (Math.floor(i / 40) % 40);
        c[2] += v * (i % 40);
        total += v;
      }
      return c.map((x) => x / total);
    };
    for (let i = 0; i < img.length; i++) {
      const t = img[i] >= 0.5 ? 1 : 0;
      both += t & msk[i];
      a += t;
      b += msk[i];
    }
    expect((2 * both) / (a + b)).toBeGreaterThan(0.97);
    const ci = centroid((i) => img[i]);
    const cm = centroid((i) => msk[i]);
    for (let k = 0; k < 3; k++) expect(Math.abs(ci[k] - cm[k])).toBeLessThan(0.15);
  });
});

describe('insertPatch', () => {
  it('matches the float64 reference and changes only host voxels', async () => {
    const dims: Zyx = [12, 14, 16];
    const pd: Zyx = [6, 7, 5];
    const rng = new Rng(4, 0, 0);
    const ct = randomFloats(count(dims), 30, -1000, 100);
    const labels = Uint8Array.from({ length: count(dims) }, () => (rng.uniform() < 0.7 ? 1 : 3));
    const patch = randomFloats(count(pd), 31, -100, 60);
    const alpha = randomFloats(count(pd), 32, 0, 1);
    const affine = [1, 0.1, 0, -3.2, 0, 0.95, 0.05, -4.1, 0.02, 0, 1.05, -6.3];
    const o = { affine, lo: [2, 3, 4] as Zyx, hi: [11, 13, 14] as Zyx, hostLabels: [1, 2], noduleLabel: 14 };
    const wantCt = Float64Array.from(ct);
    const wantLabels = Uint8Array.from(labels);
    const want = referenceInsertPatch(wantCt, wantLabels, dims, patch, alpha, pd, o);
    const before = Float32Array.from(ct);
    const beforeLabels = Uint8Array.from(labels);
    const got = await insertPatch(ct, labels, patch, alpha, { ...o, dims, patchDims: pd });
    expect(maxAbsDiff(ct, wantCt)).toBeLessThan(1e-3);
    expect(sameBytes(labels, wantLabels)).toBe(true);
    expect(got.labelledVoxels).toBe(want.labelledVoxels);
    expect(got.insertedVoxels).toBeCloseTo(want.insertedVoxels, 3);
    expect(got.labelledVoxels).toBeGreaterThan(0);
    for (let i = 0; i < ct.length; i++) {
      if (ct[i] !== before[i] || labels[i] !== beforeLabels[i]) expect(beforeLabels[i]).toBe(1);
    }
    // The same bytes and totals on one thread as on two.
    const ct1 = Float32Array.from(before), labels1 = Uint8Array.from(beforeLabels);
    setThreads(1);
    const one = await insertPatch(ct1, labels1, patch, alpha, { ...o, dims, patchDims: pd });
    setThreads(2);
    expect(sameBytes(ct1, ct)).toBe(true);
    expect(sameBytes(labels1, labels)).toBe(true);
    expect(one).toEqual(got);
    await expect(insertPatch(ct, labels, patch, alpha, { ...o, dims, patchDims: pd, hostLabels: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(insertPatch(ct, labels, patch, alpha.subarray(1), { ...o, dims, patchDims: pd })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('bad input', () => {
  it('is an INVALID_ARGUMENT MedsynthError', async () => {
    const input = new Float32Array(8);
    await expect(warpVolume(input, [2, 2, 2], [1, 0, 0])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(warpVolume(input, [2, 2, 3], [...IDENTITY_AFFINE])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      warpVolume(input, [2, 2, 2], [...IDENTITY_AFFINE], { displacement: { control: new Float32Array(81), controlDims: [3, 3, 3] } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(warpVolume(input, [2, 2, 2], [...IDENTITY_AFFINE], {}, input)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(warpLabels(new Uint8Array(8), [2, 2, 2], [...IDENTITY_AFFINE], { fill: 0.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => physicalAffine([2, 2, 2], [1, 1, 1], { scales: [0, 1, 1] })).toThrow(/scales/);
  });
});
