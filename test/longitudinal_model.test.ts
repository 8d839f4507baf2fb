/**
 * Statistical tests of the NLME generator (lib/generators/longitudinal/nlme.ts) on large n, without
 * images: what the model promises is recovered from the generated data within a few SE.
 *
 * The random-effect and residual check fits the data the way an analyst would, by the two-stage
 * method with its standard bias correction: stage 1 fits each subject's θ̂_i by Gauss–Newton
 * nonlinear least squares and keeps RSS_i and (J_iᵀJ_i)⁻¹; σ̂² = Σ RSS_i / Σ (K − P); stage 2
 * regresses θ̂ on z (OLS), and Ω̂ = Cov(stage-2 residuals) − mean_i σ̂²·(J_iᵀJ_i)⁻¹ (the average
 * stage-1 estimation covariance, which the residual covariance also contains).
 */
import { describe, expect, it } from 'vitest';

import { LATENT_DIM } from '../lib/generators/longitudinal/latent_map.js';
import { NlmeModel, type NlmeOptions, type NlmeSubject } from '../lib/generators/longitudinal/nlme.js';
import { choleskyInverse, choleskySolve } from '../lib/survival/cox_fit.js';
import { ols } from './helpers/least_squares.js';

function subjects(model: NlmeModel, n: number): NlmeSubject[] {
  return Array.from({ length: n }, (_, i) => model.subject(i));
}

/** Columns of θ (or any per-subject vector) and z as flat arrays. */
function table(rows: NlmeSubject[], key: 'theta' | 'eta' | 'g', p: number): Float64Array {
  return Float64Array.from(rows, (s) => s[key][p]);
}

function latents(rows: NlmeSubject[]): Float64Array {
  const z = new Float64Array(rows.length * LATENT_DIM);
  rows.forEach((s, i) => z.set(s.z, i * LATENT_DIM));
  return z;
}

describe('NLME model: explained variance', () => {
  const n = 20_000;
  for (const model of ['exponential', 'logistic'] as const) {
    for (const r2 of [0.3, 0.7]) {
      it(`${model}: R² ${r2} of each θ_p on z is recovered within 3 SE, and Var(θ_p) = sd_p²`, () => {
        const m = new NlmeModel({ seed: 7, model, explainedVariance: r2, reCorrelation: 0.2 });
        const rows = subjects(m, n);
        const z = latents(rows);
        for (let p = 0; p < m.params; p++) {
          const theta = table(rows, 'theta', p);
          const { r2: sample } = ols(z, theta, n, LATENT_DIM);
          // Adjusted R² (removes the D/n upward bias); Olkin–Finn SE of R² for large n.
          const adjusted = 1 - ((1 - sample) * (n - 1)) / (n - LATENT_DIM - 1);
          const se = Math.sqrt((4 * r2 * (1 - r2) ** 2) / n);
          expect(Math.abs(adjusted - r2), `θ${p + 1}: ${adjusted} vs ${r2}`).toBeLessThan(3 * se);
          let s2 = 0, s4 = 0, mean = 0;
          for (const v of theta) mean += v / n;
          for (const v of theta) {
            s2 += (v - mean) ** 2 / n;
            s4 += (v - mean) ** 4 / n;
          }
          const sd = m.config.model.sd[p];
          expect(Math.abs(s2 - sd * sd)).toBeLessThan(3 * Math.sqrt((s4 - s2 * s2) / n));
        }
      });
    }
  }

  it('R² = 1: θ is exactly g(z) (no random effects); R² = 0: z explains nothing', () => {
    const one = new NlmeModel({ seed: 3, explainedVariance: 1 });
    for (const s of subjects(one, 200)) {
      expect(s.eta.every((v) => v === 0)).toBe(true);
      expect([...s.theta]).toEqual([...s.g]);
    }
    const zero = new NlmeModel({ seed: 3, explainedVariance: 0 });
    const rows = subjects(zero, n);
    for (const s of rows.slice(0, 50)) expect([...s.g]).toEqual([...zero.config.model.mean]);
    for (let p = 0; p < zero.params; p++) {
      const { r2: sample } = ols(latents(rows), table(rows, 'theta', p), n, LATENT_DIM);
      // n·R² ~ χ²_D under no association.
      expect(sample).toBeLessThan((LATENT_DIM + 4 * Math.sqrt(2 * LATENT_DIM)) / n);
    }
  });

  it('the same seed gives the same subjects; another seed, other subjects; options other than the latent never move z or η', () => {
    const a = new NlmeModel({ seed: 11 }).subject(5);
    const b = new NlmeModel({ seed: 11 }).subject(5);
    expect(b).toEqual(a);
    expect(new NlmeModel({ seed: 12 }).subject(5).z).not.toEqual(a.z);
    const c = new NlmeModel({ seed: 11, dropout: 'random', dropoutRate: 0.5, jitter: 0.2, residualSd: 9 }).subject(5);
    expect(c.z).toEqual(a.z);
    expect(c.eta).toEqual(a.eta);
  });
});

/** Gauss–Newton NLS of y = θ1·exp(−exp(θ2)·t) for one subject. */
function fitExponential(t: Float64Array, y: Float64Array, k: number): { theta: [number, number]; rss: number; jtjInv: Float64Array } {
  // Start: log-linear fit of log y on t (values stay well above 0 here).
  let st = 0, sy = 0, stt = 0, sty = 0;
  for (let j = 0; j < k; j++) {
    const ly = Math.log(Math.max(y[j], 1));
    st += t[j]; sy += ly; stt += t[j] * t[j]; sty += t[j] * ly;
  }
  const slope = (k * sty - st * sy) / (k * stt - st * st);
  let th: [number, number] = [Math.exp((sy - slope * st) / k), Math.log(Math.max(1e-3, -slope))];
  const jtj = new Float64Array(4);
  const residualAt = (p: [number, number]) => {
    let s = 0;
    for (let j = 0; j < k; j++) s += (y[j] - p[0] * Math.exp(-Math.exp(p[1]) * t[j])) ** 2;
    return s;
  };
  for (let iter = 0; iter < 50; iter++) {
    jtj.fill(0);
    const jtr = new Float64Array(2);
    const rate = Math.exp(th[1]);
    for (let j = 0; j < k; j++) {
      const e = Math.exp(-rate * t[j]);
      const J = [e, -th[0] * rate * t[j] * e];
      const r = y[j] - th[0] * e;
      for (let a = 0; a < 2; a++) {
        jtr[a] += J[a] * r;
        for (let b = 0; b < 2; b++) jtj[a * 2 + b] += J[a] * J[b];
      }
    }
    const step = choleskySolve(jtj, jtr, 2);
    // Halve the step until the RSS does not grow (keeps Gauss–Newton safe on flat subjects).
    let scale = 1;
    const before = residualAt(th);
    let next: [number, number] = [th[0] + step[0], th[1] + step[1]];
    while (residualAt(next) > before && scale > 1e-6) {
      scale /= 2;
      next = [th[0] + scale * step[0], th[1] + scale * step[1]];
    }
    th = next;
    if (Math.abs(step[0]) * scale < 1e-10 && Math.abs(step[1]) * scale < 1e-12) break;
  }
  return { theta: th, rss: residualAt(th), jtjInv: choleskyInverse(jtj, 2) };
}

describe('NLME model: random effects and residual SD recovered by a two-stage fit', () => {
  it('exponential, K = 10, R² 0.5, ρ 0.3: Ω̂ within 3 SE of Ω, σ̂ within 3 SE of σ', () => {
    const n = 4000;
    const K = 10;
    const options: NlmeOptions = { seed: 21, explainedVariance: 0.5, reCorrelation: 0.3, visits: K, interval: 0.5, residualSd: 2 };
    const m = new NlmeModel(options);
    const P = 2;
    const thetaHat = [new Float64Array(n), new Float64Array(n)];
    const meanCov = new Float64Array(4);
    let rss = 0;
    const rows = subjects(m, n);
    const fits = rows.map((s) => fitExponential(s.times, s.values, K));
    fits.forEach((f, i) => {
      thetaHat[0][i] = f.theta[0];
      thetaHat[1][i] = f.theta[1];
      rss += f.rss;
    });
    const sigma2 = rss / (n * (K - P));
    fits.forEach((f) => f.jtjInv.forEach((v, k) => (meanCov[k] += (sigma2 * v) / n)));
    // σ̂²: its SE is σ²·√(2/df).
    const sigma = m.config.residualSd;
    expect(Math.abs(sigma2 - sigma * sigma)).toBeLessThan(3 * sigma * sigma * Math.sqrt(2 / (n * (K - P))));

    const z = latents(rows);
    const resid = thetaHat.map((y) => ols(z, y, n, LATENT_DIM).residuals);
    for (let p = 0; p < P; p++) {
      for (let q = p; q < P; q++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (resid[p][i] * resid[q][i]) / (n - LATENT_DIM - 1);
        let v = 0;
        for (let i = 0; i < n; i++) v += (resid[p][i] * resid[q][i] - s) ** 2 / n;
        const estimate = s - meanCov[p * P + q];
        const truth = m.omegaMatrix[p * P + q];
        expect(Math.abs(estimate - truth), `Ω[${p}][${q}] ${estimate} vs ${truth}`).toBeLessThan(3 * Math.sqrt(v / n));
      }
    }
  });
});

describe('NLME model: visit times and dropout', () => {
  it('jittered visit times: baseline exact, deviations U(−J, J) (mean, variance, KS)', () => {
    const J = 0.12;
    const m = new NlmeModel({ seed: 5, visits: 6, interval: 0.5, jitter: J });
    const d: number[] = [];
    for (const s of subjects(m, 5000)) {
      expect(s.times[0]).toBe(0);
      for (let j = 1; j < 6; j++) d.push(s.times[j] - 0.5 * j);
      for (let j = 1; j < 6; j++) expect(s.times[j]).toBeGreaterThan(s.times[j - 1]);
    }
    const N = d.length;
    const mean = d.reduce((a, b) => a + b, 0) / N;
    const variance = d.reduce((a, b) => a + b * b, 0) / N;
    expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(J);
    expect(Math.abs(mean)).toBeLessThan(3 * Math.sqrt(J * J / 3 / N));
    expect(Math.abs(variance - (J * J) / 3)).toBeLessThan(3 * Math.sqrt((4 * J ** 4) / 45 / N));
    d.sort((a, b) => a - b);
    let ks = 0;
    d.forEach((v, i) => (ks = Math.max(ks, Math.abs((i + 1) / N - (v + J) / (2 * J)), Math.abs(i / N - (v + J) / (2 * J)))));
    expect(ks).toBeLessThan(1.95 / Math.sqrt(N)); // KS at α = 0.001
  });

  it('a custom schedule is honoured', () => {
    const m = new NlmeModel({ seed: 5, times: [0.25, 1, 3, 7], jitter: 0.3 });
    for (const s of subjects(m, 300)) {
      expect(s.times[0]).toBe(0.25);
      [1, 3, 7].forEach((tau, k) => expect(Math.abs(s.times[k + 1] - tau)).toBeLessThanOrEqual(0.3));
    }
  });

  it('no dropout: every visit observed', () => {
    const m = new NlmeModel({ seed: 5, visits: 7 });
    for (const s of subjects(m, 500)) expect(s.observed).toBe(7);
  });

  it('random dropout: visits per subject follow the truncated geometric law (each proportion within 3 SE)', () => {
    const n = 20_000, K = 6, p = 0.15;
    const m = new NlmeModel({ seed: 9, visits: K, dropout: 'random', dropoutRate: p });
    const counts = new Array<number>(K + 1).fill(0);
    for (const s of subjects(m, n)) counts[s.observed]++;
    expect(counts[0]).toBe(0);
    for (let k = 1; k <= K; k++) {
      const prob = k < K ? (1 - p) ** (k - 1) * p : (1 - p) ** (K - 1);
      expect(Math.abs(counts[k] / n - prob), `k=${k}`).toBeLessThan(3 * Math.sqrt((prob * (1 - prob)) / n));
    }
  });

  it('informative dropout: the realised dropouts match the configured hazards, and worse values drop out more', () => {
    const n = 10_000, K = 8;
    const m = new NlmeModel({ seed: 13, visits: K, dropout: 'informative', dropoutRate: 0.1, dropoutSlope: 1.5 });
    let observed = 0, expected = 0, variance = 0;
    let lowPrev = [0, 0], highPrev = [0, 0];
    for (const s of subjects(m, n)) {
      for (let j = 1; j < K; j++) {
        const h = s.hazard[j];
        if (Number.isNaN(h)) break; // not at risk any more
        expect(h).toBeCloseTo(m.dropoutHazard(j, s.values[j - 1]), 15);
        const dropped = s.observed === j ? 1 : 0;
        observed += dropped;
        expected += h;
        variance += h * (1 - h);
        const bucket = s.values[j - 1] < m.config.model.f(m.config.times[j - 1], m.config.model.mean) ? lowPrev : highPrev;
        bucket[0] += dropped;
        bucket[1] += 1;
        if (dropped) break;
      }
    }
    expect(Math.abs(observed - expected) / Math.sqrt(variance)).toBeLessThan(3);
    // Exponential decline: lower is worse, so subjects below the population curve leave more often.
    expect(lowPrev[0] / lowPrev[1]).toBeGreaterThan(1.5 * (highPrev[0] / highPrev[1]));
  });

  it('refuses bad options with MedsynthError naming them', () => {
    expect(() => new NlmeModel({ seed: 1, explainedVariance: 1.5 })).toThrow(/explainedVariance/);
    expect(() => new NlmeModel({ seed: 1, explainedVariance: -0.1 })).toThrow(/explainedVariance/);
    expect(() => new NlmeModel({ seed: 1, visits: 0 })).toThrow(/visits/);
    expect(() => new NlmeModel({ seed: 1, times: [0, -1] })).toThrow(/times/);
    expect(() => new NlmeModel({ seed: 1, times: [0, 2, 1] })).toThrow(/increasing/);
    expect(() => new NlmeModel({ seed: 1, interval: 0.5, jitter: 0.3 })).toThrow(/jitter/);
    expect(() => new NlmeModel({ seed: 1, model: 'logistic', reCorrelation: -0.6 })).toThrow(/reCorrelation/);
    expect(() => new NlmeModel({ seed: 1, dropout: 'informative', dropoutRate: 0 })).toThrow(/dropoutRate/);
    try {
      new NlmeModel({ seed: 1, explainedVariance: 2 });
    } catch (err) {
      expect((err as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });
});
