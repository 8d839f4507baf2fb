import { describe, expect, it } from 'vitest';

import {
  accuracy,
  ClinicalSynth,
  clinicalOracle,
  clinicalSplits,
  DEFAULT_CLINICAL_CONFIG,
  labelProbability,
  priorProbability,
  radiomicsMean,
  resolveClinicalConfig,
  rocAuc,
  SPLIT_SEEDS,
} from '../lib/generators/clinical2d/index.js';
import { Rng } from '../lib/core/philox.js';

/**
 * Ordinary least squares and the Wald statistic of the hypothesis beta = `truth`:
 * (b − β)ᵀ XᵀX (b − β) / s², χ² with p degrees of freedom. The estimates are correlated (the
 * intercept with the age slope, age being far from 0), so they are tested jointly.
 */
function olsWald(rows: number[][], y: number[], truth: number[]): { beta: number[]; wald: number } {
  const p = rows[0].length;
  const xtx = Array.from({ length: p }, () => new Array(p).fill(0));
  const xty = new Array(p).fill(0);
  rows.forEach((r, i) => {
    for (let a = 0; a < p; a++) {
      xty[a] += r[a] * y[i];
      for (let b = 0; b < p; b++) xtx[a][b] += r[a] * r[b];
    }
  });
  const inv = invert(xtx);
  const beta = inv.map((row) => row.reduce((s, v, b) => s + v * xty[b], 0));
  let rss = 0;
  rows.forEach((r, i) => (rss += (y[i] - r.reduce((s, v, a) => s + v * beta[a], 0)) ** 2));
  const s2 = rss / (rows.length - p);
  const d = beta.map((b, k) => b - truth[k]);
  let wald = 0;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) wald += d[a] * xtx[a][b] * d[b];
  return { beta, wald: wald / s2 };
}

/** χ² quantiles at the two-sided 3-standard-error level (p = 0.0027) for 2 and 3 degrees of freedom. */
const CHI2_3SE = { 2: 11.829, 3: 14.156 } as const;

function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    const d = a[c][c];
    for (let k = 0; k < 2 * n; k++) a[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row) => row.slice(n));
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

describe('clinical config', () => {
  it("defaults to the seed's example configuration", () => {
    const c = resolveClinicalConfig();
    expect(c).toMatchObject({
      H: 256, W: 256, seed: 42, a0: -4.5, a_age: 0.02, a_den: 0.35, a_risk: 0.6, eta_fn: 0.25, eta_fp: 0.2,
      size_base: 10, size_age: 0.05, size_den: 2, con_base: 0.9, con_den: 0.6, bg_base: 0.25,
    });
    expect(c.device_blur).toEqual({ A: 1, B: 3, C: 6 });
    expect(Object.isFrozen(c)).toBe(true);
    expect(new ClinicalSynth().config).toEqual(DEFAULT_CLINICAL_CONFIG);
  });

  it('rejects invalid values with INVALID_ARGUMENT naming the field', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ eta_fn: 1.5 }, /eta_fn/],
      [{ eta_fp: -0.1 }, /eta_fp/],
      [{ H: 4 }, /H/],
      [{ W: 16.5 }, /W/],
      [{ a0: NaN }, /a0/],
      [{ size_sd: -1 }, /size_sd/],
      [{ eta_FN: 0.1 }, /known config field .* for eta_FN/],
      [{ device_blur: { A: -1 } }, /device_blur\.A/],
      [{ device_blur: {} }, /device_blur/],
      [{ device_blur: { A: 1, B: 2 }, scanner_probs: { A: 1, C: 1 } }, /scanner_probs/],
      [{ risk_probs: [0, 0] }, /risk_probs/],
      [{ age_mean: 200, age_sd: 5 }, /age_mean/],
      [{ age_min: 60, age_max: 50 }, /age_max/],
      [{ clinical_columns: 'yes' }, /clinical_columns/],
    ];
    for (const [input, message] of bad) {
      expect(() => resolveClinicalConfig(input as never)).toThrow(message);
      expect(() => new ClinicalSynth(input as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    // A new scanner set gets equal frequencies.
    expect(resolveClinicalConfig({ device_blur: { X: 0, Y: 2 } }).scanner_probs).toEqual({ X: 1, Y: 1 });
  });
});

describe('clinical latent model (seed example config, large n)', () => {
  const n = 100_000;
  const synth = new ClinicalSynth();
  const c = synth.config;
  const records = synth.sampleLatents(0, n);
  const t = records.truth;

  it('has the seed\'s ~5–8% prevalence, and z follows σ(a0 + …) of the drawn latents', () => {
    const meanPz = mean(t.pz);
    expect(meanPz).toBeGreaterThan(0.05);
    expect(meanPz).toBeLessThan(0.08);
    let variance = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      variance += t.pz[i] * (1 - t.pz[i]);
      worst = Math.max(worst, Math.abs(t.pz[i] - priorProbability(c, t.age[i], t.density[i], t.risk[i])));
    }
    expect(worst).toBeLessThan(1e-15);
    const se = Math.sqrt(variance) / n;
    expect(Math.abs(mean(t.z) - meanPz)).toBeLessThan(3 * se);
  });

  it('flips labels at eta_fn and eta_fp', () => {
    let pos = 0, missed = 0, neg = 0, over = 0;
    for (let i = 0; i < n; i++) {
      if (t.z[i]) {
        pos++;
        missed += records.y[i] ? 0 : 1;
      } else {
        neg++;
        over += records.y[i];
      }
    }
    expect(Math.abs(missed / pos - c.eta_fn)).toBeLessThan(3 * Math.sqrt((c.eta_fn * (1 - c.eta_fn)) / pos));
    expect(Math.abs(over / neg - c.eta_fp)).toBeLessThan(3 * Math.sqrt((c.eta_fp * (1 - c.eta_fp)) / neg));
  });

  it('draws lesion size and contrast from their linear models', () => {
    const x2: number[][] = [];
    const x1: number[][] = [];
    const size: number[] = [];
    const contrast: number[] = [];
    let lesionFree = 0;
    for (let i = 0; i < n; i++) {
      if (!t.z[i]) {
        lesionFree += Number.isNaN(t.size[i]) && Number.isNaN(t.contrast[i]) && Number.isNaN(t.lesionX[i]) ? 1 : 0;
        continue;
      }
      x2.push([1, t.age[i], t.density[i]]);
      x1.push([1, t.density[i]]);
      size.push(t.size[i]);
      contrast.push(t.contrast[i]);
    }
    expect(lesionFree).toBe(n - size.length);
    // Joint 3-SE confidence regions (99.73%) of (β0, β1, β2) and (γ0, −γ1) contain the config's values.
    const s = olsWald(x2, size, [c.size_base, c.size_age, c.size_den]);
    expect(s.wald).toBeLessThan(CHI2_3SE[3]);
    const k = olsWald(x1, contrast, [c.con_base, -c.con_den]);
    expect(k.wald).toBeLessThan(CHI2_3SE[2]);
    expect(s.beta[1]).toBeCloseTo(c.size_age, 1);
    expect(k.beta[1]).toBeCloseTo(-c.con_den, 1);
  });

  it('draws the documented population', () => {
    expect(Math.min(...t.age)).toBeGreaterThanOrEqual(c.age_min);
    expect(Math.max(...t.age)).toBeLessThanOrEqual(c.age_max);
    // Beta(2, 2): mean ½, variance 1/20.
    expect(Math.abs(mean(t.density) - 0.5)).toBeLessThan(3 * Math.sqrt(1 / 20 / n));
    const counts = (v: Uint8Array, k: number) => Array.from({ length: k }, (_, j) => v.filter((x) => x === j).length / n);
    counts(t.risk, 3).forEach((p, k) => expect(Math.abs(p - c.risk_probs[k])).toBeLessThan(3 * Math.sqrt((c.risk_probs[k] * (1 - c.risk_probs[k])) / n)));
    counts(t.scanner, 3).forEach((p) => expect(Math.abs(p - 1 / 3)).toBeLessThan(3 * Math.sqrt(2 / 9 / n)));
    expect(t.scannerNames).toEqual(['A', 'B', 'C']);
  });

  it('gives the same record for sample i in any range', () => {
    const part = synth.sampleLatents(70, 5);
    expect([...part.truth.age]).toEqual([...t.age.subarray(70, 75)]);
    expect([...part.y]).toEqual([...records.y.subarray(70, 75)]);
    expect([...part.tabular]).toEqual([...records.tabular.subarray(70 * 5, 75 * 5)]);
  });

  it('computes radiomics as f(size, contrast, density)·exp(N(0, rad_sd²))', () => {
    const F = records.columns.length;
    expect(records.columns).toEqual(['area', 'mean_contrast', 'edge_sharpness', 'texture_energy', 'mean_intensity']);
    const logs: number[][] = records.columns.map(() => []);
    for (let i = 0; i < 20_000; i++) {
      const f = radiomicsMean(c, t.regionSize[i], t.regionContrast[i], t.density[i]);
      for (let k = 0; k < F; k++) if (f[k] > 0) logs[k].push(Math.log(records.tabular[i * F + k] / f[k]));
    }
    for (const l of logs) {
      const m = mean(l);
      const sd = Math.sqrt(mean(l.map((v) => (v - m) ** 2)));
      expect(Math.abs(m)).toBeLessThan(3 * (c.rad_sd / Math.sqrt(l.length)) + 1e-6);
      expect(Math.abs(sd - c.rad_sd)).toBeLessThan(3 * c.rad_sd / Math.sqrt(2 * l.length) + 1e-6);
    }
    const exact = new ClinicalSynth({ rad_sd: 0, clinical_columns: true }).sampleLatents(0, 200);
    expect(exact.columns.slice(5)).toEqual(['age', 'density', 'risk']);
    for (let i = 0; i < 200; i++) {
      const tr = exact.truth;
      const f = radiomicsMean(c, tr.regionSize[i], tr.regionContrast[i], tr.density[i]);
      const row = exact.tabular.subarray(i * 8, (i + 1) * 8);
      f.forEach((v, k) => expect(row[k]).toBe(Math.fround(v)));
      expect([row[5], row[6], row[7]]).toEqual([Math.fround(tr.age[i]), Math.fround(tr.density[i]), tr.risk[i]]);
      if (tr.z[i]) expect([tr.regionSize[i], tr.regionContrast[i]]).toEqual([tr.size[i], tr.contrast[i]]);
    }
    // Lesions are larger and brighter than the lesion-free candidates on average.
    const lesionContrast = mean(Array.from(t.z, (z, i) => (z ? t.regionContrast[i] : NaN)).filter((v) => !Number.isNaN(v)));
    const candidateContrast = mean(Array.from(t.z, (z, i) => (z ? NaN : t.regionContrast[i])).filter((v) => !Number.isNaN(v)));
    expect(lesionContrast).toBeGreaterThan(candidateContrast + 0.1);
  });

  it('reports oracle references: the prior and the P(y | z) ceiling', () => {
    const o = clinicalOracle(c, t, records.y);
    expect(o.n).toBe(n);
    expect(o.meanPz).toBeCloseTo(mean(t.pz), 12);
    // P(y = 1 | z) predicts y = z: accuracy P(z=1)(1 − eta_fn) + P(z=0)(1 − eta_fp) ≈ 0.797.
    const expected = o.prevalence * (1 - c.eta_fn) + (1 - o.prevalence) * (1 - c.eta_fp);
    expect(Math.abs(o.ceilingY.accuracy - expected)).toBeLessThan(3 * Math.sqrt((expected * (1 - expected)) / n));
    expect(o.ceilingY.expectedAccuracy).toBeCloseTo(expected, 9);
    expect(o.ceilingY.accuracy).toBeGreaterThan(o.majorityAccuracy);
    expect(o.priorZ.auc).toBeGreaterThan(0.6);
    // P(y|a,d,r) is increasing in P(z|a,d,r): scored against z it ranks exactly as pz does.
    const py = Float64Array.from(t.pz, (p) => labelProbability(c, p));
    expect(rocAuc(py, t.z)).toBeCloseTo(o.priorZ.auc, 12);
    expect(labelProbability(c, 0.1)).toBeCloseTo(0.75 * 0.1 + 0.2 * 0.9, 15);
  });
});

describe('AUC and accuracy', () => {
  it('match pair counting with ties', () => {
    const rng = new Rng(5, 0, 0);
    const scores = Array.from({ length: 300 }, () => Math.floor(rng.uniform() * 20) / 20);
    const labels = scores.map((s) => (rng.uniform() < 0.2 + 0.6 * s ? 1 : 0));
    let wins = 0, pairs = 0;
    for (let i = 0; i < 300; i++) {
      for (let j = 0; j < 300; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
    }
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(accuracy([0.2, 0.5, 0.9, 0.4], [0, 1, 0, 0])).toBe(0.75);
  });
});

describe('splits', () => {
  it("use the seed's seeds 123/456/789", async () => {
    const config = { H: 16, W: 16 };
    const s = await clinicalSplits(config, { train: 5, val: 3, test: 2 });
    expect(SPLIT_SEEDS).toEqual({ train: 123, val: 456, test: 789 });
    expect([s.train.n, s.val.n, s.test.n]).toEqual([5, 3, 2]);
    const again = await new ClinicalSynth({ ...config, seed: 456 }).sampleRange(0, 3);
    expect([...s.val.images]).toEqual([...again.images]);
    expect([...s.val.y]).toEqual([...again.y]);
  });
});
