import { describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { frechetBootstrap, frechetDistance, frechetFromMoments, realVsRealBaseline, symmetricEigen } from '../lib/generators/nodules/frechet.js';
import { noduleFeatures, radiomicsSums, RADIOMICS_FEATURES } from '../lib/generators/nodules/radiomics.js';
import { compareNoduleSets } from '../lib/generators/nodules/evaluate.js';
import { resolveNoduleOptions } from '../lib/generators/nodules/options.js';
import { ProceduralNoduleSource } from '../lib/generators/nodules/source.js';
import { rasterize } from '../lib/ops/rasterize.js';
import { referenceRadiomicsSums } from './reference/radiomics.js';

describe('radiomics sums match the float64 reference', () => {
  it('on random patches, with masks and with a threshold', async () => {
    const dims: [number, number, number] = [7, 9, 8];
    const n = 3;
    const count = 7 * 9 * 8;
    const rng = new Rng(12, 0, 0);
    const images = Float32Array.from({ length: n * count }, () => rng.range(-1000, 400));
    const masks = Uint8Array.from({ length: n * count }, () => (rng.uniform() < 0.6 ? 1 : 0));
    const o = { threshold: -300, lo: -1000, hi: 400, levels: 8 };
    for (const withMask of [true, false]) {
      const got = await radiomicsSums(images, n, dims, { spacing: [1, 1, 1], ...o, masks: withMask ? masks : undefined });
      const stride = 10 + 64;
      for (let s = 0; s < n; s++) {
        const want = referenceRadiomicsSums(images.subarray(s * count, (s + 1) * count), withMask ? masks.subarray(s * count, (s + 1) * count) : null, dims, o);
        for (let k = 0; k < stride; k++) expect(Math.abs(got[s * stride + k] - want[k])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[k])));
      }
    }
  });

  it('a ball: volume, surface of its voxelised faces, sphericity ≈ 2/3, one grey level', async () => {
    const dims: [number, number, number] = [40, 40, 40];
    const image = new Float32Array(40 ** 3).fill(-850);
    const mask = new Uint8Array(40 ** 3);
    await rasterize([{ type: 'ellipsoid', center: [19.5, 19.5, 19.5], radii: [12, 12, 12], intensity: 40, label: 1 }], { dims, labels: mask });
    for (let i = 0; i < mask.length; i++) if (mask[i]) image[i] = 40;
    const f = await noduleFeatures(image, 1, dims, { spacing: [0.5, 0.5, 0.5], masks: mask });
    const get = (name: (typeof RADIOMICS_FEATURES)[number]) => f[RADIOMICS_FEATURES.indexOf(name)];
    expect(get('volume_mm3') / ((4 / 3) * Math.PI * 6 ** 3)).toBeCloseTo(1, 1);
    expect(get('sphericity')).toBeGreaterThan(0.6);
    expect(get('sphericity')).toBeLessThan(0.72);
    expect(get('mean_hu')).toBeCloseTo(40, 5);
    expect(get('sd_hu')).toBeCloseTo(0, 5);
    expect(get('glcm_energy')).toBeCloseTo(1, 10);
    expect(get('glcm_contrast')).toBe(0);
  });
});

describe('radiomics bad input', () => {
  it('is an INVALID_ARGUMENT MedsynthError', async () => {
    const images = new Float32Array(8);
    await expect(radiomicsSums(images, 1, [2, 2, 2], { spacing: [1, 1, 1], levels: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(radiomicsSums(images, 2, [2, 2, 2], { spacing: [1, 1, 1] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(radiomicsSums(images, 1, [2, 2, 2], { spacing: [1, 1, 1], masks: new Uint8Array(7) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(radiomicsSums(images, 1, [2, 2, 2], { spacing: [1, 1, 1], lo: 5, hi: 5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => frechetDistance(new Float64Array(3), new Float64Array(6), 3)).toThrow(/at least 2 rows/);
  });
});

describe('Fréchet distance', () => {
  it('symmetricEigen reconstructs the matrix', () => {
    const d = 5;
    const rng = new Rng(1, 0, 0);
    const b = Array.from({ length: d * d }, () => rng.normal());
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) a[i * d + j] += b[i * d + k] * b[j * d + k];
    const { values, vectors } = symmetricEigen(a, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[i * d + k] * values[k] * vectors[j * d + k];
      expect(s).toBeCloseTo(a[i * d + j], 9);
    }
  });

  it('matches the closed form for diagonal covariances and is 0 for identical sets', () => {
    const d = 3;
    const ma = Float64Array.from([0, 1, 2]), mb = Float64Array.from([1, 1, 0]);
    const ca = Float64Array.from([4, 0, 0, 0, 1, 0, 0, 0, 9]), cb = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 4]);
    // |Δμ|² + Σ (σa − σb)² = 1 + 4 + (2−1)² + 0 + (3−2)² = 7
    expect(frechetFromMoments(ma, ca, mb, cb, d)).toBeCloseTo(7, 10);
    const rng = new Rng(2, 0, 0);
    const x = Float64Array.from({ length: 200 * d }, () => rng.normal());
    expect(frechetDistance(x, x, d)).toBeCloseTo(0, 8);
  });

  it('finds a shifted population, with a bootstrap CI around it and a small real-vs-real baseline', () => {
    const d = 4, n = 400;
    const rng = new Rng(3, 0, 0);
    const real = Float64Array.from({ length: n * d }, () => rng.normal());
    const fake = Float64Array.from({ length: n * d }, (_, i) => rng.normal() + (i % d === 0 ? 1 : 0));
    const r = frechetBootstrap(real, fake, d, { replicates: 100, seed: 7 });
    expect(r.distance).toBeGreaterThan(0.7);
    expect(r.distance).toBeLessThan(1.4);
    expect(r.lower95).toBeLessThan(r.distance);
    expect(r.upper95).toBeGreaterThan(r.distance);
    const base = realVsRealBaseline(real, d, { replicates: 50, seed: 7 });
    expect(base.distance).toBeLessThan(0.2);
    expect(base.upper95).toBeLessThan(r.lower95);
  });
});

describe('compareNoduleSets', () => {
  it('tells solid from ground-glass nodules, and a set from itself no more than its own halves do', async () => {
    const make = async (kind: 'solid' | 'ground-glass', n: number, start: number) => {
      const o = resolveNoduleOptions({ kinds: [kind], patchSize: [24, 24, 24], diameterMm: [6, 12], seed: 3 });
      const src = new ProceduralNoduleSource(o);
      const vox = 24 ** 3;
      const images = new Float32Array(n * vox), masks = new Uint8Array(n * vox);
      for (let i = 0; i < n; i++) {
        const { patch } = await src.sample(start + i);
        images.set(patch.image, i * vox);
        masks.set(patch.mask, i * vox);
      }
      return { set: { images, masks, n }, spacing: o.spacing };
    };
    const solid = await make('solid', 40, 0);
    const solid2 = await make('solid', 40, 1000);
    const ggo = await make('ground-glass', 40, 0);
    const opts = { spacing: solid.spacing, replicates: 50, seed: 1 };
    const same = await compareNoduleSets(solid.set, solid2.set, [24, 24, 24], opts);
    const different = await compareNoduleSets(solid.set, ggo.set, [24, 24, 24], opts);
    expect(different.distance.distance).toBeGreaterThan(10 * same.distance.distance);
    expect(different.distance.lower95).toBeGreaterThan(same.baseline.upper95);
    // Without masks the threshold segments them: the same conclusion.
    const unmasked = await compareNoduleSets({ ...solid.set, masks: undefined }, { ...ggo.set, masks: undefined }, [24, 24, 24], { ...opts, threshold: -700 });
    expect(unmasked.distance.distance).toBeGreaterThan(unmasked.baseline.upper95);
    expect(unmasked.droppedEmpty).toBe(0);

    // Patches with no nodule (all lung parenchyma, below the threshold) in the other set: refused
    // by default; with emptyOther 'drop', left out and counted — the distance is then the one of
    // the nodules that remain.
    const vox = 24 ** 3;
    const withEmpty = { images: new Float32Array(42 * vox).fill(-850), n: 42 };
    withEmpty.images.set(solid2.set.images);
    const unmaskedSolid2 = { ...solid2.set, masks: undefined };
    await expect(compareNoduleSets(solid.set, withEmpty, [24, 24, 24], opts)).rejects.toThrow(/non-empty region.*nodule 40/);
    const dropped = await compareNoduleSets(solid.set, withEmpty, [24, 24, 24], { ...opts, emptyOther: 'drop' });
    expect(dropped.droppedEmpty).toBe(2);
    const kept = await compareNoduleSets(solid.set, unmaskedSolid2, [24, 24, 24], opts);
    expect(dropped.distance.distance).toBe(kept.distance.distance);
    await expect(
      compareNoduleSets(solid.set, { images: new Float32Array(3 * vox).fill(-850), n: 3 }, [24, 24, 24], { ...opts, emptyOther: 'drop' }),
    ).rejects.toThrow(/at least 2 nodules with a non-empty region/);
  });
});
