import { describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { coxLoss } from '../lib/loss/index.js';
import { coxFit } from '../lib/survival/cox_fit.js';

/**
 * Subjects from a Cox model with a Weibull baseline, h(t|x) = λ·ν·t^(ν−1)·exp(βᵀx), drawn by
 * Bender et al.'s (2005) inverse transform T = (−log U / (λ·exp(βᵀx)))^(1/ν), with independent
 * exponential censoring. `round` coarsens times to create ties.
 */
function simulateCox(n: number, beta: number[], seed: number, round?: number) {
  const rng = new Rng(seed, 0, 0);
  const lambda = 0.05;
  const nu = 1.5;
  const age = Float64Array.from({ length: n }, () => rng.normal());
  const treated = Float64Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
  const dose = Float64Array.from({ length: n }, () => rng.range(-1, 1));
  const covariates = [age, treated, dose].slice(0, beta.length);
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const lp = covariates.reduce((s, c, j) => s + beta[j] * c[i], 0);
    const t = (-Math.log(rng.uniform() || Number.MIN_VALUE) / (lambda * Math.exp(lp))) ** (1 / nu);
    const c = -Math.log(rng.uniform() || Number.MIN_VALUE) / 0.04;
    const observed = Math.min(t, c);
    time[i] = round ? Math.max(round, Math.round(observed / round) * round) : observed;
    event[i] = t <= c ? 1 : 0;
  }
  return { time, event, covariates };
}

describe('Cox proportional hazards fit', () => {
  it('recovers known coefficients: the true β lies inside every 95% CI', () => {
    const beta = [0.5, -0.8, 0.3];
    const data = simulateCox(3000, beta, 2024);
    const censored = 1 - data.event.reduce((a, b) => a + b, 0) / 3000;
    expect(censored).toBeGreaterThan(0.1);
    expect(censored).toBeLessThan(0.6);
    for (const ties of ['efron', 'breslow'] as const) {
      const fit = coxFit(data, { ties });
      expect(fit.converged).toBe(true);
      beta.forEach((b, j) => {
        expect(fit.lower95[j]).toBeLessThan(b);
        expect(fit.upper95[j]).toBeGreaterThan(b);
        expect(fit.standardError[j]).toBeGreaterThan(0.01);
        expect(fit.standardError[j]).toBeLessThan(0.15);
      });
      expect(fit.hazardRatio[1]).toBeCloseTo(Math.exp(fit.beta[1]), 14);
      expect(fit.logLikelihood).toBeGreaterThan(fit.nullLogLikelihood);
    }
  });

  it('with heavily tied times, Efron still covers the truth', () => {
    const beta = [0.6, -0.5];
    const data = simulateCox(3000, beta, 77, 1); // times on a unit grid (median survival ≈ 6)
    const efron = coxFit(data, { ties: 'efron' });
    beta.forEach((b, j) => {
      expect(efron.lower95[j]).toBeLessThan(b);
      expect(efron.upper95[j]).toBeGreaterThan(b);
    });
    // Breslow's approximation shrinks coefficients towards 0 under heavy ties.
    const breslow = coxFit(data, { ties: 'breslow' });
    expect(Math.abs(breslow.beta[0])).toBeLessThan(Math.abs(efron.beta[0]));
  });

  it("reproduces R's coxph on the aml data (Efron: coef 0.9155, se 0.5119)", () => {
    // survival::aml — x = 1 for "Nonmaintained"; status 0 = censored.
    const maintained = [[9, 1], [13, 1], [13, 0], [18, 1], [23, 1], [28, 0], [31, 1], [34, 1], [45, 0], [48, 1], [161, 0]];
    const nonmaintained = [[5, 1], [5, 1], [8, 1], [8, 1], [12, 1], [16, 0], [23, 1], [27, 1], [30, 1], [33, 1], [43, 1], [45, 1]];
    const rows = [...maintained.map(([t, s]) => [t, s, 0]), ...nonmaintained.map(([t, s]) => [t, s, 1])];
    const fit = coxFit({ time: rows.map((r) => r[0]), event: rows.map((r) => r[1]), covariates: [rows.map((r) => r[2])] });
    expect(fit.beta[0]).toBeCloseTo(0.9155, 4);
    expect(fit.standardError[0]).toBeCloseTo(0.5119, 4);
    expect(2 * (fit.logLikelihood - fit.nullLogLikelihood)).toBeCloseTo(3.38, 2); // likelihood ratio test
  });

  it('agrees with the native Cox loss: same likelihood, zero score at the estimate', async () => {
    const data = simulateCox(800, [0.4, -0.3, 0.8], 5, 0.5);
    for (const ties of ['efron', 'breslow'] as const) {
      const fit = coxFit(data, { ties });
      const risk = Float64Array.from(data.time, (_, i) => data.covariates.reduce((s, c, j) => s + fit.beta[j] * c[i], 0));
      const { loss, grad } = await coxLoss(risk, data.time, data.event, { ties });
      expect(-loss * fit.events).toBeCloseTo(fit.logLikelihood, 8);
      for (const column of data.covariates) {
        expect(Math.abs(column.reduce((s, v, i) => s + v * grad[i], 0))).toBeLessThan(1e-9);
      }
    }
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', () => {
    const ok = { time: [1, 2, 3, 4], event: [1, 0, 1, 1], covariates: [[0.1, 0.5, -0.2, 0.3]] };
    const bad = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    bad(() => coxFit({ ...ok, event: [0, 0, 0, 0] }));
    bad(() => coxFit({ ...ok, event: [1, 2, 0, 1] }));
    bad(() => coxFit({ ...ok, time: [1, 2, NaN, 4] }));
    bad(() => coxFit({ ...ok, covariates: [[1, 2, 3]] }));
    bad(() => coxFit({ ...ok, covariates: [] }));
    bad(() => coxFit({ ...ok, covariates: [[1, 1, 1, 1]] })); // constant: singular information
    bad(() => coxFit(ok, { ties: 'exact' as 'efron' }));
    bad(() => coxFit(ok, { maxIterations: 0 }));
  });
});
