import { describe, expect, it } from 'vitest';

import {
  CATEGORY_SHARES,
  DEFAULT_SCENARIOS,
  DEFAULT_STRUCTURES,
  resolveAnatomyOptions,
  sampleAnatomyParams,
  scenarioProbabilities,
} from '../lib/generators/anatomy3d/index.js';

describe('anatomy scenarios and parameters', () => {
  const o = resolveAnatomyOptions({ imageSize: [16, 16, 16], seed: 2024 });
  const n = 10_000;
  const params = Array.from({ length: n }, (_, i) => sampleAnatomyParams(o, i));

  it('scenario proportions over 10,000 samples are within 3 standard errors of the seed', () => {
    const probs = scenarioProbabilities();
    DEFAULT_SCENARIOS.forEach((s, k) => {
      const observed = params.filter((p) => p.scenario === s.name).length / n;
      const se = Math.sqrt((probs[k] * (1 - probs[k])) / n);
      expect(Math.abs(observed - probs[k]), s.name).toBeLessThan(3 * se);
    });
    for (const [category, share] of Object.entries(CATEGORY_SHARES)) {
      const names = DEFAULT_SCENARIOS.filter((s) => s.category === category).map((s) => s.name);
      const observed = params.filter((p) => names.includes(p.scenario)).length / n;
      expect(Math.abs(observed - share), category).toBeLessThan(3 * Math.sqrt((share * (1 - share)) / n));
    }
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('presence follows the scenario exactly', () => {
    for (const p of params.slice(0, 500)) {
      const spec = DEFAULT_SCENARIOS.find((s) => s.name === p.scenario)!;
      for (const s of p.structures) expect(s.present).toBe(spec.present.includes(s.name));
    }
    const nephrectomy = params.find((p) => p.scenario === 'bilateral_nephrectomy')!;
    expect(nephrectomy.structures.filter((s) => s.name.endsWith('kidney')).every((s) => !s.present)).toBe(true);
  });

  it('placement is plausible: organs inside the body, vertebrae stacked L1 above L5, posterior', () => {
    const [Z, Y, X] = o.imageSize;
    const [cy, cx] = o.body.center;
    const [ay, ax] = o.body.semiAxes;
    for (const p of params.slice(0, 2000)) {
      for (const s of p.structures) {
        const c: readonly number[] = 'center' in s.shape ? s.shape.center : (s.shape as { a: readonly number[] }).a;
        const fy = (c[1] + 0.5) / Y;
        const fx = (c[2] + 0.5) / X;
        expect(((fy - cy) / ay) ** 2 + ((fx - cx) / ax) ** 2, `${s.name} outside the body`).toBeLessThanOrEqual(1 + 1e-9);
      }
      const spineZ = ['L1', 'L2', 'L3', 'L4', 'L5'].map((name) => {
        const shape = p.structures.find((s) => s.name === name)!.shape as { a: readonly number[]; b: readonly number[] };
        return (shape.a[0] + shape.b[0]) / 2;
      });
      for (let k = 1; k < 5; k++) expect(spineZ[k - 1]).toBeGreaterThan(spineZ[k]);
      const l3 = p.structures.find((s) => s.name === 'L3')!.shape as { a: readonly number[] };
      expect((l3.a[1] + 0.5) / Y).toBeGreaterThan(cy); // posterior half
      expect(Z).toBe(16);
    }
  });

  it('is a pure function of (seed, index), and removing an organ does not move the others', () => {
    const again = sampleAnatomyParams(o, 1234);
    expect(again).toEqual(params[1234]);
    const other = sampleAnatomyParams(resolveAnatomyOptions({ imageSize: [16, 16, 16], seed: 2025 }), 1234);
    expect(other).not.toEqual(params[1234]);
    // Same patient under another scenario table: identical shapes, different presence.
    const onlyHeart = resolveAnatomyOptions({
      imageSize: [16, 16, 16],
      seed: 2024,
      scenarios: [{ name: 'heart_only', category: 'edge', description: 'test', present: ['heart'] }],
    });
    const p = sampleAnatomyParams(onlyHeart, 1234);
    expect(p.structures.map((s) => s.shape)).toEqual(params[1234].structures.map((s) => s.shape));
    expect(p.structures.filter((s) => s.present).map((s) => s.name)).toEqual(['heart']);
  });

  it('rejects bad options with MedsynthError', () => {
    expect(() => resolveAnatomyOptions({ imageSize: [0, 4, 4] })).toThrow(/imageSize\[0\]/);
    expect(() => resolveAnatomyOptions({ imageSize: [4, 4] as unknown as [number, number, number] })).toThrow(/imageSize/);
    expect(() => resolveAnatomyOptions({ positionNoise: NaN })).toThrow(/positionNoise/);
    expect(() => resolveAnatomyOptions({ sizeNoise: -0.1 })).toThrow(/sizeNoise/);
    expect(() =>
      resolveAnatomyOptions({ scenarios: [{ name: 'x', category: 'edge', description: '', present: ['appendix'] }] }),
    ).toThrow(/appendix/);
    expect(DEFAULT_STRUCTURES).toHaveLength(13);
  });
});
