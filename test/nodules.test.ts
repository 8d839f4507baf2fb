import { describe, expect, it } from 'vitest';

import { labelBounds } from '../lib/ops/labels.js';
import { applyAugment, resolveAugmentOptions, sampleAugmentParams } from '../lib/generators/nodules/augment.js';
import { planBalancedDataset } from '../lib/generators/nodules/balance.js';
import { NODULE_KINDS } from '../lib/generators/nodules/kinds.js';
import { resolveNoduleOptions } from '../lib/generators/nodules/options.js';
import { expectedPrevalence, RISK_BETA } from '../lib/generators/nodules/risk_model.js';
import { renderNodule } from '../lib/generators/nodules/render.js';
import { sampleNoduleParams } from '../lib/generators/nodules/sample_params.js';
import { fitLogistic } from './helpers/logistic_fit.js';

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('procedural nodules: each kind measured from its mask matches its parameters', () => {
  for (const kind of NODULE_KINDS) {
    it(kind, async () => {
      const o = resolveNoduleOptions({ kinds: [kind], diameterMm: [8, 20], seed: 3 });
      const voxel = o.spacing[0] * o.spacing[1] * o.spacing[2];
      for (let i = 0; i < 3; i++) {
        const p = sampleNoduleParams(o, i);
        expect(p.kind).toBe(kind);
        const { patch, volumeMm3 } = await renderNodule(p, o);
        let voxels = 0;
        for (let v = 0; v < patch.mask.length; v++) voxels += patch.mask[v] ? 1 : 0;
        const measured = voxels * voxel;
        const body = (Math.PI * p.diameterMm ** 3) / 6;
        // Surface band of ±half a voxel: the mask's error is a fraction of surface × voxel size.
        const band = (Math.PI * p.diameterMm ** 2 * 1.6 * o.spacing[0]) / 2;
        if (kind === 'spiculated') {
          const spikes = p.spicules.reduce((a, s) => a + (Math.PI / 4) * s.widthMm ** 2 * (s.lengthMm + s.widthMm), 0);
          expect(volumeMm3).toBeGreaterThan(body * 0.99);
          expect(volumeMm3).toBeLessThan(body + spikes);
          expect(measured).toBeGreaterThan(body * 0.97);
          expect(measured).toBeLessThan(body + spikes + band);
        } else {
          // Partial-volume coverage is the exact volume up to sub-sampling; the mask within ~2%.
          expect(Math.abs(volumeMm3 / body - 1)).toBeLessThan(0.01);
          expect(Math.abs(measured - body)).toBeLessThan(0.1 * band);
          const d = Math.cbrt((6 * measured) / Math.PI);
          expect(Math.abs(d / p.diameterMm - 1)).toBeLessThan(0.02);
        }
        // Extent: the mask's bounding box spans about the diameter (shape elongation and lobes).
        const box = (await labelBounds(patch.mask, patch.dims, 2))[1]!;
        const extent = Math.max(box[3] - box[0], box[4] - box[1], box[5] - box[2]) * o.spacing[0];
        expect(extent).toBeGreaterThan(0.9 * p.diameterMm);
        expect(extent).toBeLessThan((kind === 'spiculated' ? 3.1 : kind === 'lobulated' ? 1.8 : 1.3) * p.diameterMm + 2 * o.spacing[0]);
        // Density: the centre voxel reads the body (or core) density within noise and margin blur.
        if (kind !== 'part-solid') {
          const c = ((32 * 64) + 32) * 64 + 32;
          expect(Math.abs(patch.image[c] - p.densityHu)).toBeLessThan(5 * o.noiseHu);
        }
        if (kind === 'part-solid') expect(patch.mask.includes(2)).toBe(true);
      }
    });
  }

  it('parameters are JSON-serialisable and keyed by (seed, index)', () => {
    const o = resolveNoduleOptions({ seed: 9 });
    const p = sampleNoduleParams(o, 17);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(sampleNoduleParams(o, 17)).toEqual(p);
    expect(sampleNoduleParams(resolveNoduleOptions({ seed: 10 }), 17)).not.toEqual(p);
  });
});

describe('the malignancy model', () => {
  it('recovers prevalence and odds ratios from 10,000 nodules within 3 SE', () => {
    const o = resolveNoduleOptions({ seed: 2024 });
    const n = 10000;
    const x: number[][] = [];
    const y: boolean[] = [];
    let kindCounts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const p = sampleNoduleParams(o, i);
      x.push(p.riskCovariates);
      y.push(p.malignant);
      kindCounts = { ...kindCounts, [p.kind]: (kindCounts[p.kind] ?? 0) + 1 };
    }
    const prevalence = y.filter(Boolean).length / n;
    const target = 1 / (1 + 12);
    expect(Math.abs(prevalence - target)).toBeLessThan(3 * Math.sqrt((target * (1 - target)) / n));
    expect(Math.abs(expectedPrevalence(o.intercept, o.kindWeights, o.diameterMm) - target)).toBeLessThan(1e-9);
    const fit = fitLogistic(x, y);
    expect(Math.abs(fit.beta[0] - o.intercept)).toBeLessThan(3 * fit.se[0]);
    RISK_BETA.forEach((b, j) => expect(Math.abs(fit.beta[j + 1] - b)).toBeLessThan(3 * fit.se[j + 1]));
    // Kind shares: solid 0.45 of draws.
    expect(Math.abs(kindCounts.solid / n - 0.45)).toBeLessThan(3 * Math.sqrt((0.45 * 0.55) / n));
  });

  it('the benign:malignant ratio sets the prevalence', () => {
    const o = resolveNoduleOptions({ malignantRatio: 1, seed: 5 });
    const n = 3000;
    let m = 0;
    for (let i = 0; i < n; i++) m += sampleNoduleParams(o, i).malignant ? 1 : 0;
    expect(Math.abs(m / n - 0.5)).toBeLessThan(3 * Math.sqrt(0.25 / n));
  });

  it('rejects impossible diameters and ratios <= 0 with one-line errors', () => {
    for (const bad of [{ diameterMm: [20, 10] }, { diameterMm: [4, 60] }, { diameterMm: [0, 10] }, { malignantRatio: 0 }, { malignantRatio: -2 }, { kinds: ['round'] }]) {
      let caught: unknown;
      try {
        resolveNoduleOptions(bad as never);
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((caught as Error).message).not.toContain('\n');
    }
  });
});

describe('augmentation of nodule patches', () => {
  it('samples within TorchIO-style ranges, locks border control points, is JSON-serialisable', () => {
    for (let i = 0; i < 20; i++) {
      const p = sampleAugmentParams({}, 1, i);
      expect(JSON.parse(JSON.stringify(p))).toEqual(p);
      p.degrees.forEach((d) => expect(Math.abs(d)).toBeLessThanOrEqual(15));
      p.scales.forEach((s) => expect(s >= 0.9 && s <= 1.1).toBe(true));
      const e = p.elastic!;
      const c = e.controlDims[0];
      for (let k = 0; k < c; k++) for (let j = 0; j < c; j++) for (let q = 0; q < c; q++) {
        if (Math.min(k, j, q, c - 1 - k, c - 1 - j, c - 1 - q) < 2) expect(e.displacementMm[(k * c + j) * c + q]).toBe(0);
      }
      expect(Math.max(...e.displacementMm.map(Math.abs))).toBeLessThanOrEqual(2);
      expect(p.noiseSd >= 0 && p.noiseSd <= 25).toBe(true);
    }
    expect(() => resolveAugmentOptions({ scales: [1.1, 0.9] })).toThrow(/scales/);
  });

  it('identity parameters give the same bytes; real ones keep mask, coverage and image aligned', async () => {
    const o = resolveNoduleOptions({ kinds: ['solid'], diameterMm: [12, 14], seed: 4 });
    const p = sampleNoduleParams(o, 0);
    const { patch } = await renderNodule(p, o);
    const identity = { degrees: [0, 0, 0] as [number, number, number], scales: [1, 1, 1] as [number, number, number], elastic: null, noiseSd: 0, noise: { seed: '4', sample: 0, stream: 6 } };
    const same = await applyAugment(patch, identity);
    expect(sameBytes(same.image, patch.image)).toBe(true);
    expect(sameBytes(same.mask, patch.mask)).toBe(true);
    const moved = await applyAugment(patch, sampleAugmentParams({ noiseStdHu: 0 }, 4, 3));
    // Where the mask says nodule, the image is nodule-bright; the coverage ≥ 1/2 region is the mask.
    let both = 0, covered = 0, bright = 0, maskCount = 0;
    for (let v = 0; v < moved.mask.length; v++) {
      const inMask = moved.mask[v] > 0, c = moved.coverage[v] >= 0.5;
      both += inMask && c ? 1 : 0;
      covered += c ? 1 : 0;
      maskCount += inMask ? 1 : 0;
      if (inMask && moved.image[v] > -300) bright++;
    }
    expect((2 * both) / (covered + maskCount)).toBeGreaterThan(0.95);
    // The bright region (above the nodule/parenchyma midpoint) and the mask: same place, same shape.
    const mid = (p.densityHu - 850) / 2;
    let brightAll = 0;
    const centroid = [0, 0, 0, 0, 0, 0];
    for (let v = 0; v < moved.mask.length; v++) {
      const pos = [Math.floor(v / 4096), Math.floor(v / 64) % 64, v % 64];
      if (moved.image[v] > mid) {
        brightAll++;
        for (let k = 0; k < 3; k++) centroid[k] += pos[k];
      }
      if (moved.mask[v]) for (let k = 0; k < 3; k++) centroid[3 + k] += pos[k];
    }
    let brightInMask = 0;
    for (let v = 0; v < moved.mask.length; v++) if (moved.mask[v] && moved.image[v] > mid) brightInMask++;
    expect((2 * brightInMask) / (brightAll + maskCount)).toBeGreaterThan(0.9);
    for (let k = 0; k < 3; k++) expect(Math.abs(centroid[k] / brightAll - centroid[3 + k] / maskCount)).toBeLessThan(0.3);
    expect(bright).toBeGreaterThan(0);
  });
});

describe('balancing', () => {
  it('builds a 1:1 dataset from the cohort plus procedural and augmented malignant nodules', () => {
    const o = resolveNoduleOptions({ seed: 11 });
    const labels = Array.from({ length: 260 }, (_, i) => sampleNoduleParams(o, i).malignant);
    const plan = planBalancedDataset(o, labels);
    const m = plan.filter((e) => e.malignant).length;
    expect(m).toBe(plan.length - m);
    const benign = labels.filter((l) => !l).length;
    expect(m).toBe(benign);
    for (const e of plan) {
      if (e.source === 'procedural') expect(sampleNoduleParams(o, e.index).malignant).toBe(true);
      if (e.source === 'augmented') expect(labels[e.parentIndex!]).toBe(true);
    }
    const extra = plan.filter((e) => e.source !== 'cohort');
    const aug = extra.filter((e) => e.source === 'augmented').length;
    expect(Math.abs(aug - extra.length / 2)).toBeLessThanOrEqual(0.5);
    // A learned source named 'gan' takes its share by index.
    const withGan = planBalancedDataset(o, labels, { gan: 1 });
    expect(withGan.filter((e) => e.source === 'gan').map((e) => e.index)).toEqual(Array.from({ length: extra.length }, (_, k) => k));
  });
});

