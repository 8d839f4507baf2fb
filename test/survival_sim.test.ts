import { describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { COVARIATE_NAMES } from '../lib/generators/petct/covariates.js';
import { planSurvival, sampleLatentPatient, simulateLatentCohort } from '../lib/generators/petct/latent.js';
import { resolvePetCtOptions } from '../lib/generators/petct/options.js';
import { coxFit } from '../lib/survival/cox_fit.js';
import {
  drawSurvival,
  eventProbability,
  expectedCensoringRate,
  linearPredictor,
  solveCensoringRate,
  survivalOutcome,
  weibullCoxEventTime,
  weibullCoxSurvival,
} from '../lib/survival/simulate.js';

describe('Weibull–Cox survival times (Bender et al. 2005)', () => {
  it('inverse transform reproduces the Weibull survival function', () => {
    const lambda = 0.02;
    const nu = 1.4;
    const eta = 0.7;
    const rng = new Rng(7, 0, 0);
    const n = 40_000;
    const times = Float64Array.from({ length: n }, () => weibullCoxEventTime(-Math.log1p(-rng.uniform()), eta, lambda, nu)).sort();
    for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      const t = times[Math.floor(q * n)];
      // The empirical CDF at the empirical quantile is q; the model's must be within 4 SE.
      expect(Math.abs(1 - weibullCoxSurvival(t, eta, lambda, nu) - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / n));
    }
    const median = Math.pow(Math.LN2 / (lambda * Math.exp(eta)), 1 / nu);
    expect(weibullCoxSurvival(median, eta, lambda, nu)).toBeCloseTo(0.5, 12);
  });

  it('censors by drop-out and by the end of follow-up', () => {
    const model = { beta: [1], lambda: 0.05, nu: 1 };
    const o = survivalOutcome(0, model, { rate: 0.1, followUp: 12 }, 0.5, 0.5);
    expect(o.eventTime).toBeCloseTo(Math.LN2 / 0.05, 12);
    expect(o.censorTime).toBeCloseTo(Math.LN2 / 0.1, 12);
    expect(o).toMatchObject({ event: 0, time: o.censorTime });
    const admin = survivalOutcome(0, model, { rate: 0, followUp: 5 }, 0.5, 0.5);
    expect(admin).toMatchObject({ event: 0, time: 5, censorTime: Infinity });
    const ev = survivalOutcome(0, model, { rate: 0.01, followUp: 60 }, 0.5, 0.5);
    expect(ev).toMatchObject({ event: 1, time: ev.eventTime });
    expect(linearPredictor([0.5, -2], [2, 0.25])).toBe(0.5);
    const bad = { code: 'INVALID_ARGUMENT' };
    expect(() => survivalOutcome(NaN, model, { rate: 0, followUp: 5 }, 0.5, 0.5)).toThrow(expect.objectContaining(bad));
    expect(() => survivalOutcome(0, { ...model, nu: 0 }, { rate: 0, followUp: 5 }, 0.5, 0.5)).toThrow(/nu/);
    expect(() => survivalOutcome(0, model, { rate: -1, followUp: 5 }, 0.5, 0.5)).toThrow(/rate/);
    expect(() => survivalOutcome(0, model, { rate: 0, followUp: 0 }, 0.5, 0.5)).toThrow(/followUp/);
    expect(() => survivalOutcome(0, model, { rate: 0, followUp: 5 }, 1, 0.5)).toThrow(/uEvent/);
    expect(() => eventProbability(0, -1, 1, { rate: 0, followUp: 5 })).toThrow(/lambda/);
    expect(() => solveCensoringRate([0, NaN], { lambda: 1, nu: 1 }, 0.3, 5)).toThrow(/etas\[1\]/);
    expect(() => linearPredictor([1], [1, 2])).toThrow(/covariates/);
  });

  it('computes the probability of an observed event exactly where a closed form exists', () => {
    for (const [k, rho, tau] of [
      [0.05, 0.02, 30],
      [0.5, 0.01, 4],
      [0.01, 0.2, Infinity],
    ]) {
      // ν = 1: ∫₀^τ k e^(−(k+ρ)t) dt.
      const exact = tau === Infinity ? k / (k + rho) : (k / (k + rho)) * -Math.expm1(-(k + rho) * tau);
      expect(eventProbability(0, k, 1, { rate: rho, followUp: tau })).toBeCloseTo(exact, 7);
    }
    // ρ = 0: only administrative censoring.
    expect(eventProbability(0.3, 0.02, 1.3, { rate: 0, followUp: 24 })).toBeCloseTo(1 - weibullCoxSurvival(24, 0.3, 0.02, 1.3), 12);
  });

  it('matches Monte Carlo for a Weibull baseline with both kinds of censoring', () => {
    const model = { beta: [1], lambda: 0.0153, nu: 1.2 };
    const censoring = { rate: 0.015, followUp: 60 };
    const rng = new Rng(11, 0, 1);
    const n = 40_000;
    let events = 0;
    for (let i = 0; i < n; i++) events += drawSurvival(rng, 0.4, model, censoring).event;
    const p = eventProbability(0.4, model.lambda, model.nu, censoring);
    expect(Math.abs(events / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('solves for the drop-out rate that gives the target censoring', () => {
    const etas = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i) * 1.5);
    const model = { lambda: 0.0153, nu: 1.2 };
    const s = solveCensoringRate(etas, model, 0.35, 60);
    expect(s.rate).toBeGreaterThan(0);
    expect(s.expectedRate).toBeCloseTo(0.35, 8);
    expect(expectedCensoringRate(etas, model.lambda, model.nu, { rate: s.rate, followUp: 60 })).toBeCloseTo(0.35, 8);
    expect(s.administrativeRate).toBeLessThan(0.35);
    // Unreachable: below what the end of follow-up already censors.
    expect(() => solveCensoringRate(etas, model, 0.01, 60)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => solveCensoringRate(etas, model, 0.01, 60)).toThrow(/follow-up/);
    expect(() => solveCensoringRate(etas, model, 1.5, 60)).toThrow(/target/);
    // No administrative censoring: any target is reachable.
    expect(solveCensoringRate(etas, model, 0.1, Infinity).expectedRate).toBeCloseTo(0.1, 8);
  });
});

describe('PET/CT survival cohort (latent path, no voxels)', () => {
  const o = resolvePetCtOptions({ seed: 2024 });

  it('recovers the true β with a Cox fit and hits the censoring target', () => {
    const n = 5000;
    const cohort = simulateLatentCohort(o, n);
    const censored = cohort.filter((m) => m.outcome.event === 0).length / n;
    expect(Math.abs(censored - o.survival.censoringTarget)).toBeLessThan(0.02);
    const fit = coxFit({
      time: cohort.map((m) => m.outcome.time),
      event: cohort.map((m) => m.outcome.event),
      covariates: COVARIATE_NAMES.map((_, j) => cohort.map((m) => m.latent.x[j])),
    });
    expect(fit.converged).toBe(true);
    const truth = COVARIATE_NAMES.map((name) => o.survival.beta[name]);
    // Each true β_j inside its 95% interval, jointly: Bonferroni over the 6 coefficients
    // (z = 2.638 keeps the family-wise coverage at 95%). The seed is fixed, so the test is
    // deterministic; over 40 seeds the z-scores of this generator had mean ≈ 0 and SD ≈ 1.
    const zFamily = 2.638;
    truth.forEach((b, j) => expect(Math.abs(fit.beta[j] - b)).toBeLessThan(zFamily * fit.standardError[j]));
    // Joint Wald statistic (β̂ − β)ᵀ I (β̂ − β) ~ χ²₆: below its 99th percentile, 16.81.
    const p = truth.length;
    const d = truth.map((b, j) => fit.beta[j] - b);
    const info = invert(fit.covariance, p);
    let wald = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) wald += d[i] * info[i * p + j] * d[j];
    expect(wald).toBeLessThan(16.81);
  });

  it('calibrates censoring on a reference cohort independent of the patients', () => {
    const plan = planSurvival(o);
    expect(plan.calibration.expectedRate).toBeCloseTo(0.3, 6);
    expect(plan.calibration.administrativeRate).toBeGreaterThan(0);
    expect(plan.censoring.followUp).toBe(60);
    const other = planSurvival(resolvePetCtOptions({ seed: 2024, survival: { censoringTarget: 0.45 } }));
    expect(other.censoring.rate).toBeGreaterThan(plan.censoring.rate);
  });

  it('patient i depends only on (seed, i)', () => {
    const cohort = simulateLatentCohort(o, 40);
    const alone = simulateLatentCohort(o, 1, 17)[0];
    expect(alone).toEqual(cohort[17]);
    expect(sampleLatentPatient(o, 3)).toEqual(cohort[3].latent);
    expect(simulateLatentCohort(resolvePetCtOptions({ seed: 2025 }), 1, 17)[0]).not.toEqual(cohort[17]);
  });

  it('draws 1–3 lesions with volumes and SUVmax in the promised ranges', () => {
    for (const { latent } of simulateLatentCohort(o, 300)) {
      expect(latent.lesions.length).toBeGreaterThanOrEqual(1);
      expect(latent.lesions.length).toBeLessThanOrEqual(3);
      expect(latent.lesions[0].role).toBe('primary');
      for (const l of latent.lesions) {
        expect(l.suvMax).toBeGreaterThanOrEqual(3);
        expect(l.suvMax).toBeLessThanOrEqual(20);
        // A lobulated sphere of radius r0 and small harmonics holds about (4/3)π r0³.
        const sphere = ((4 / 3) * Math.PI * l.radiusMm ** 3) / 1000;
        expect(l.volumeMl / sphere).toBeGreaterThan(0.85);
        expect(l.volumeMl / sphere).toBeLessThan(1.35);
      }
      expect(latent.imaging.mtvMl).toBeCloseTo(latent.lesions.reduce((a, l) => a + l.volumeMl, 0), 12);
    }
  });

  it('rejects bad survival options', () => {
    expect(() => resolvePetCtOptions({ survival: { nu: -1 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => resolvePetCtOptions({ survival: { beta: { nope: 1 } as never } })).toThrow(/beta/);
    expect(() => resolvePetCtOptions({ survival: { censoringTarget: 1.2 } })).toThrow(/censoringTarget/);
    const unreachable = resolvePetCtOptions({ seed: 1, survival: { censoringTarget: 0.02 } });
    expect(() => planSurvival(unreachable)).toThrow(/follow-up/);
  });
});

function invert(a: Float64Array, p: number): Float64Array {
  const m = Array.from({ length: p }, (_, i) => [...Array.from(a.subarray(i * p, i * p + p)), ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    const d = m[c][c];
    for (let k = 0; k < 2 * p; k++) m[c][k] /= d;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * p; k++) m[r][k] -= f * m[c][k];
    }
  }
  return Float64Array.from(m.flatMap((row) => row.slice(p)));
}
