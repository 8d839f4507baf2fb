import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { nativeAddon } from '../lib/native.js';
import { type Shape, type Vec3, PACK_STRIDE, eulerZYXToMatrix, rasterize } from '../lib/ops/rasterize.js';
import { referenceRasterize } from '../lib/reference/rasterize.js';

type Dims3 = [number, number, number];
const BLENDS = ['replace', 'add', 'max'] as const;

function randomShape(rng: Rng, dims: Dims3, plane?: number): Shape {
  const kind = rng.int(5);
  // Centres may lie a little outside the volume, so clipping is exercised too.
  const point = (): Vec3 => [rng.range(-3, dims[0] + 3), rng.range(-3, dims[1] + 3), rng.range(-3, dims[2] + 3)];
  const common = {
    intensity: rng.range(-50, 100),
    label: rng.int(5) === 0 ? undefined : 1 + rng.int(6),
    priority: rng.int(3),
    blend: BLENDS[rng.int(3)],
    plane,
  };
  const eulerZYX: Vec3 = [rng.range(-Math.PI, Math.PI), rng.range(-Math.PI, Math.PI), rng.range(-Math.PI, Math.PI)];
  const radii = (): Vec3 => [rng.range(1.5, 7), rng.range(1.5, 7), rng.range(1.5, 7)];
  switch (kind) {
    case 0:
      return { type: 'ellipsoid', center: point(), radii: radii(), eulerZYX, ...common };
    case 1:
    case 2: {
      const a = point();
      const b: Vec3 = [a[0] + rng.range(-8, 8), a[1] + rng.range(-8, 8), a[2] + rng.range(-8, 8)];
      return { type: kind === 1 ? 'capsule' : 'cylinder', a, b, radius: rng.range(1, 4), ...common };
    }
    case 3:
      return {
        type: 'bean', center: point(), radii: radii(), eulerZYX,
        hilumDepth: rng.range(0, 0.5), hilumWidth: rng.range(0.3, 1), ...common,
      };
    default:
      return {
        type: 'lobulated', center: point(), radius: rng.range(2, 6), eulerZYX,
        harmonics: [
          { amplitude: rng.range(-0.2, 0.2), degree: 2 + rng.int(5), axis: [rng.normal(), rng.normal(), rng.normal()] },
          { amplitude: rng.range(-0.15, 0.15), degree: 1 + rng.int(8), axis: [rng.normal(), rng.normal(), 1] },
        ],
        spicules: rng.int(2) === 0 ? [] : [
          { direction: [rng.normal(), rng.normal(), rng.normal()], length: rng.range(1, 5), width: rng.range(0.5, 2) },
          { direction: [0, 1, rng.normal()], length: rng.range(1, 4), width: rng.range(0.5, 2) },
        ],
        ...common,
      };
  }
}

/** Native and reference on the same input; intensity within float32 rounding, the rest exact. */
async function compareWithReference(shapes: Shape[], dims: Dims3, labelPriority?: Record<number, number>) {
  const n = dims[0] * dims[1] * dims[2];
  const rng = new Rng(99, 0, 0);
  const background = Float32Array.from({ length: n }, () => rng.range(-20, 20));
  const oldLabels = Uint8Array.from({ length: n }, () => (rng.int(4) === 0 ? rng.int(8) : 0));
  const intensity = Float32Array.from(background);
  const labels = Uint8Array.from(oldLabels);
  const { coverageSum } = await rasterize(shapes, { dims, intensity, labels, labelPriority });
  const refIntensity = Float64Array.from(background);
  const refLabels = Uint8Array.from(oldLabels);
  const refSums = referenceRasterize(shapes, { dims, intensity: refIntensity, labels: refLabels, labelPriority });
  expect([...coverageSum]).toEqual(refSums);
  let labelMismatch = 0;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== refLabels[i]) labelMismatch++;
    worst = Math.max(worst, Math.abs(intensity[i] - refIntensity[i]) / (1 + Math.abs(refIntensity[i])));
  }
  expect(labelMismatch).toBe(0);
  expect(worst).toBeLessThan(1e-5);
  return coverageSum;
}

const ellipsoidVolume = (r: Vec3) => (4 / 3) * Math.PI * r[0] * r[1] * r[2];

describe('rasterize', () => {
  afterAll(() => setThreads());

  it('matches the float64 reference on random shapes of every kind (3D)', async () => {
    const dims: Dims3 = [22, 26, 30];
    for (let seed = 1; seed <= 4; seed++) {
      const rng = new Rng(seed, 0, 1);
      const shapes = Array.from({ length: 10 }, () => randomShape(rng, dims));
      const sums = await compareWithReference(shapes, dims, seed === 2 ? { 3: 1, 5: -1 } : undefined);
      expect(sums.some((s) => s > 0)).toBe(true);
    }
  });

  it('a spicule whose tip stays inside its base sphere is that sphere (degenerate round cone)', async () => {
    // radius 1.2 < width 6: the spicule starts at the centre with radius 3 and its tip (1.2 + 0.5
    // from the centre) lies inside that ball, where the round-cone formula stops being a distance.
    const dims: Dims3 = [16, 16, 16];
    const shapes: Shape[] = [
      { type: 'lobulated', center: [8, 8, 8], radius: 1.2, label: 1, spicules: [{ direction: [0.3, -0.5, 1], length: 0.5, width: 6 }] },
    ];
    const sums = await compareWithReference(shapes, dims);
    // Coverage of the radius-3 ball (the body lies inside it).
    expect(sums[0]).toBeGreaterThan(0.97 * ellipsoidVolume([3, 3, 3]));
    expect(sums[0]).toBeLessThan(1.03 * ellipsoidVolume([3, 3, 3]));
  });

  it('matches the reference in plane mode', async () => {
    const dims: Dims3 = [12, 24, 28];
    const rng = new Rng(7, 0, 2);
    const shapes = Array.from({ length: 30 }, (_, i) => randomShape(rng, [dims[0], dims[1], dims[2]], i % dims[0]));
    await compareWithReference(shapes, dims);
  });

  it('ellipsoid volume equals 4/3·π·abc within partial-volume error, rotated or not', async () => {
    const dims: Dims3 = [40, 40, 40];
    const radii: Vec3 = [8, 10, 12.5];
    const cases: Shape[] = [
      { type: 'ellipsoid', center: [20, 20, 20], radii },
      { type: 'ellipsoid', center: [19.3, 20.6, 20.2], radii, eulerZYX: [0.4, -0.9, 1.3] },
      { type: 'ellipsoid', center: [20, 20, 20], radii: [10, 10, 10] },
    ];
    for (const shape of cases) {
      const { coverageSum } = await rasterize([shape], { dims });
      const exact = ellipsoidVolume((shape as { radii: Vec3 }).radii);
      expect(Math.abs(coverageSum[0] - exact) / exact).toBeLessThan(0.005);
    }
    // The intensity target holds the same partial volume.
    const intensity = new Float32Array(40 ** 3);
    const { coverageSum } = await rasterize([{ type: 'ellipsoid', center: [20, 20, 20], radii, eulerZYX: [1, 2, 3] }], { dims, intensity });
    expect(intensity.reduce((s, v) => s + v, 0)).toBeCloseTo(coverageSum[0], 1);
  });

  it('capsule and cylinder volumes match their formulas', async () => {
    const dims: Dims3 = [40, 40, 40];
    const a: Vec3 = [12, 14, 13];
    const b: Vec3 = [27, 24, 26];
    const len = Math.hypot(15, 10, 13);
    const r = 5;
    const { coverageSum } = await rasterize(
      [{ type: 'capsule', a, b, radius: r }, { type: 'cylinder', a, b, radius: r }],
      { dims },
    );
    const cylinder = Math.PI * r * r * len;
    expect(Math.abs(coverageSum[0] - (cylinder + (4 / 3) * Math.PI * r ** 3)) / coverageSum[0]).toBeLessThan(0.005);
    expect(Math.abs(coverageSum[1] - cylinder) / cylinder).toBeLessThan(0.005);
  });

  it('a bean is an ellipsoid with a concave dent on its +x side', async () => {
    const dims: Dims3 = [24, 36, 48];
    const center: Vec3 = [12, 18, 24];
    const radii: Vec3 = [8, 12, 18];
    const ellipsoid = new Uint8Array(dims[0] * dims[1] * dims[2]);
    const bean = new Uint8Array(ellipsoid.length);
    const e = await rasterize([{ type: 'ellipsoid', center, radii, label: 1 }], { dims, labels: ellipsoid });
    const b = await rasterize([{ type: 'bean', center, radii, label: 1 }], { dims, labels: bean });
    expect(b.coverageSum[0]).toBeLessThan(e.coverageSum[0] * 0.97);
    const at = (z: number, y: number, x: number) => (z * dims[1] + y) * dims[2] + x;
    // On the +x axis, 3 voxels inside the ellipsoid's pole: in the ellipsoid, not in the bean
    // (default hilumDepth 0.4: the bean's pole is at 0.6 rx).
    expect(ellipsoid[at(12, 18, 24 + 15)]).toBe(1);
    expect(bean[at(12, 18, 24 + 15)]).toBe(0);
    // The -x side is untouched.
    expect(bean[at(12, 18, 24 - 15)]).toBe(1);
    // Axial slice: the +x extent is smallest on the hilum's row and grows away from it (an
    // ellipse's shrinks), so the outline is concave there.
    const extent = (y: number) => {
      let last = -1;
      for (let x = 0; x < dims[2]; x++) if (bean[at(12, y, x)] === 1) last = x;
      return last - 24;
    };
    expect(extent(18)).toBeLessThanOrEqual(11);
    expect(extent(18 - 4)).toBeGreaterThanOrEqual(extent(18) + 2);
    expect(extent(18 + 4)).toBeGreaterThanOrEqual(extent(18) + 2);
  });

  it('lobulated nodules: the plain sphere, lobes and spicules', async () => {
    const dims: Dims3 = [36, 36, 36];
    const center: Vec3 = [18, 18, 18];
    const sphere = await rasterize([{ type: 'lobulated', center, radius: 9 }], { dims });
    expect(Math.abs(sphere.coverageSum[0] - ellipsoidVolume([9, 9, 9])) / sphere.coverageSum[0]).toBeLessThan(0.005);
    // A spicule along +x: its tip is 5 voxels past the surface.
    const labels = new Uint8Array(36 ** 3);
    const intensity = new Float32Array(36 ** 3);
    await rasterize([{ type: 'lobulated', center, radius: 9, label: 1, spicules: [{ direction: [0, 0, 1], length: 5, width: 2 }] }], { dims, labels, intensity });
    const at = (y: number, x: number) => (18 * 36 + y) * 36 + x;
    expect(labels[at(18, 18 + 10)]).toBe(1);
    expect(labels[at(18 + 3, 18 + 10)]).toBe(0);
    // The tip (14 voxels out) is thin: partial coverage only.
    expect(intensity[at(18, 18 + 13)]).toBeGreaterThan(0);
    expect(intensity[at(18, 18 + 13)]).toBeLessThan(0.5);
    expect(intensity[at(18, 18 + 15)]).toBe(0);
    // A degree-2 harmonic about x: r(±x) = 9·1.2, r(⊥) = 9·(1 - 0.1).
    labels.fill(0);
    await rasterize([{ type: 'lobulated', center, radius: 9, label: 1, harmonics: [{ amplitude: 0.2, degree: 2, axis: [0, 0, 1] }] }], { dims, labels });
    expect(labels[(18 * 36 + 18) * 36 + 18 + 10]).toBe(1);
    expect(labels[(18 * 36 + 18 + 9) * 36 + 18]).toBe(0);
  });

  it('plane mode draws the central cross-section on its slice only', async () => {
    const dims: Dims3 = [5, 32, 32];
    const intensity = new Float32Array(5 * 32 * 32);
    const shapes: Shape[] = [
      // z of the centre is not a slice index: the cross-section through it lands on slice 3.
      { type: 'ellipsoid', center: [100, 16, 16], radii: [4, 8, 10], plane: 3, intensity: 1 },
      { type: 'ellipsoid', center: [0, 10, 10], radii: [3, 3, 3], plane: 1, intensity: 2 },
    ];
    const { coverageSum } = await rasterize(shapes, { dims, intensity });
    expect(Math.abs(coverageSum[0] - Math.PI * 80) / (Math.PI * 80)).toBeLessThan(0.02);
    const slice = (k: number) => intensity.subarray(k * 1024, (k + 1) * 1024).reduce((s, v) => s + v, 0);
    expect(slice(3)).toBeCloseTo(coverageSum[0], 2);
    expect(slice(1)).toBeCloseTo(2 * coverageSum[1], 2);
    expect(slice(0) + slice(2) + slice(4)).toBe(0);
  });

  it('blend modes follow their formulas', async () => {
    const dims: Dims3 = [16, 16, 16];
    const sphere = { type: 'ellipsoid', center: [8, 8, 8], radii: [4.3, 4.3, 4.3] } as const;
    const run = async (shape: Shape) => {
      const intensity = new Float32Array(16 ** 3).fill(10);
      await rasterize([shape], { dims, intensity });
      return intensity;
    };
    const centre = (8 * 16 + 8) * 16 + 8;
    expect((await run({ ...sphere, intensity: 3 }))[centre]).toBe(3);
    expect((await run({ ...sphere, intensity: 3, blend: 'add' }))[centre]).toBe(13);
    expect((await run({ ...sphere, intensity: 3, blend: 'max' }))[centre]).toBe(10);
    expect((await run({ ...sphere, intensity: 30, blend: 'max' }))[centre]).toBe(30);
    // Partial voxels and mixed orders against the reference.
    const rng = new Rng(5, 0, 3);
    const shapes = Array.from({ length: 8 }, (_, i) => ({ ...randomShape(rng, dims), blend: BLENDS[i % 3] }));
    await compareWithReference(shapes, dims);
  });

  it('labels follow priority, ties go to the later shape', async () => {
    const dims: Dims3 = [16, 16, 16];
    const organ: Shape = { type: 'ellipsoid', center: [8, 8, 8], radii: [6, 6, 6], label: 1, priority: 1 };
    const lesion: Shape = { type: 'ellipsoid', center: [8, 8, 8], radii: [2, 2, 2], label: 9, priority: 5 };
    const centre = (8 * 16 + 8) * 16 + 8;
    for (const order of [[organ, lesion], [lesion, organ]]) {
      const labels = new Uint8Array(16 ** 3);
      await rasterize(order, { dims, labels });
      expect(labels[centre]).toBe(9);
      expect(labels[centre + 4]).toBe(1);
    }
    const labels = new Uint8Array(16 ** 3);
    await rasterize([{ ...organ, label: 2 }, organ], { dims, labels });
    expect(labels[centre]).toBe(1);
    // Labels already in the volume: protected by labelPriority, else overwritten.
    labels.fill(7);
    await rasterize([organ], { dims, labels, labelPriority: { 7: 3 } });
    expect(labels[centre]).toBe(7);
    await rasterize([organ], { dims, labels });
    expect(labels[centre]).toBe(1);
    // A shape without a label leaves labels alone.
    await rasterize([{ ...organ, label: undefined }], { dims, labels: labels.fill(4) });
    expect(labels.every((v) => v === 4)).toBe(true);
  });

  it('clips shapes that leave the volume, and skips ones wholly outside', async () => {
    const dims: Dims3 = [20, 20, 20];
    const half: Shape = { type: 'ellipsoid', center: [10, 10, 19.5], radii: [6, 6, 6], label: 1 };
    const out: Shape = { type: 'capsule', a: [-50, -50, -50], b: [-40, -30, -20], radius: 3, label: 2 };
    const huge: Shape = { type: 'ellipsoid', center: [10, 10, 10], radii: [1e5, 1e5, 1e5], label: 3, plane: 4 };
    const sums = await compareWithReference([half, out], dims);
    expect(sums[0]).toBeGreaterThan(0.4 * ellipsoidVolume([6, 6, 6]));
    expect(sums[0]).toBeLessThan(0.6 * ellipsoidVolume([6, 6, 6]));
    expect(sums[1]).toBe(0);
    const labels = new Uint8Array(8000);
    const { coverageSum } = await rasterize([huge], { dims, labels });
    expect(coverageSum[0]).toBe(400);
    expect(labels.reduce((s, v) => s + v, 0)).toBe(3 * 400);
    const far = await rasterize([{ type: 'ellipsoid', center: [1e6, 0, 0], radii: [5, 5, 5] }], { dims, labels });
    expect(far.coverageSum[0]).toBe(0);
  });

  it('gives identical bytes on 1 and 2 threads', async () => {
    const dims: Dims3 = [24, 48, 40];
    const rng = new Rng(11, 0, 4);
    const shapes = [
      ...Array.from({ length: 25 }, () => randomShape(rng, dims)),
      ...Array.from({ length: 40 }, (_, i) => randomShape(rng, dims, i % 24)),
    ];
    const run = async (threads: number) => {
      setThreads(threads);
      const intensity = new Float32Array(dims[0] * dims[1] * dims[2]);
      const labels = new Uint8Array(intensity.length);
      const { coverageSum } = await rasterize(shapes, { dims, intensity, labels });
      return { intensity, labels, coverageSum };
    };
    const one = await run(1);
    const two = await run(2);
    expect(Buffer.from(two.intensity.buffer).equals(Buffer.from(one.intensity.buffer))).toBe(true);
    expect(Buffer.from(two.labels.buffer).equals(Buffer.from(one.labels.buffer))).toBe(true);
    expect([...two.coverageSum]).toEqual([...one.coverageSum]);
  });

  it('eulerZYX [a, 0, 0] turns the (y, x) plane', async () => {
    const R = eulerZYXToMatrix([Math.PI / 2, 0, 0]);
    // The local x axis (column 2) lands on volume ±y.
    expect(Math.abs(R[1 * 3 + 2])).toBeCloseTo(1, 12);
    const dims: Dims3 = [9, 40, 40];
    const labels = new Uint8Array(9 * 1600);
    await rasterize([{ type: 'ellipsoid', center: [4, 20, 20], radii: [3, 3, 15], eulerZYX: [Math.PI / 2, 0, 0], label: 1 }], { dims, labels });
    expect(labels[(4 * 40 + 33) * 40 + 20]).toBe(1);
    expect(labels[(4 * 40 + 20) * 40 + 33]).toBe(0);
  });

  it('rejects bad input with INVALID_ARGUMENT', async () => {
    const dims: Dims3 = [8, 8, 8];
    const ok: Shape = { type: 'ellipsoid', center: [4, 4, 4], radii: [2, 2, 2] };
    const bad = (shape: unknown, targets: object = { dims }) =>
      expect(rasterize([shape as Shape], targets as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await bad({ ...ok, type: 'torus' });
    await bad({ ...ok, radii: [2, 0, 2] });
    await bad({ ...ok, center: [4, NaN, 4] });
    await bad({ ...ok, label: 256 });
    await bad({ ...ok, label: 1.5 });
    await bad({ ...ok, plane: 8 });
    await bad({ ...ok, blend: 'multiply' });
    await bad({ ...ok, rotation: [1, 0, 0, 0, 2, 0, 0, 0, 1] });
    await bad({ ...ok, rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], eulerZYX: [0, 0, 0] });
    await bad({ type: 'cylinder', a: [1, 1, 1], b: [1, 1, 1], radius: 1 });
    await bad({ type: 'lobulated', center: [4, 4, 4], radius: 3, harmonics: [{ amplitude: 0.6, degree: 2, axis: [0, 0, 1] }, { amplitude: -0.5, degree: 3, axis: [1, 0, 0] }] });
    await bad({ type: 'lobulated', center: [4, 4, 4], radius: 3, spicules: [{ direction: [0, 0, 0], length: 2, width: 1 }] });
    await bad(ok, { dims, intensity: new Float32Array(10) });
    await bad(ok, { dims, labels: new Float32Array(512) });
    await bad(ok, { dims: [8, -8, 8] });
    await bad(ok, { dims, labelPriority: { 300: 1 } });
    // The binding re-checks what reaches it directly.
    const addon = nativeAddon<{ rasterize: (...args: unknown[]) => Promise<void> }>();
    const table = new Float64Array(256);
    const call = (packed: Float64Array, intensity: unknown = null) => {
      try {
        return addon.rasterize(packed, table, new Float64Array(1), { dims }, intensity, null);
      } catch (err) {
        return Promise.reject(err);
      }
    };
    await expect(call(new Float64Array(PACK_STRIDE - 1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const packed = new Float64Array(PACK_STRIDE);
    packed.set([0, 0, 1, -1, 0, -1, 4, 4, 4, 2, 2, 2]);
    packed.set([1, 0, 0, 0, 1, 0, 0, 0, 1], 19);
    await expect(call(packed, new Float32Array(5))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    packed[5] = 99; // plane out of range
    await expect(call(packed)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    packed[5] = -1;
    packed[9] = -2; // radius
    await expect(call(packed)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
