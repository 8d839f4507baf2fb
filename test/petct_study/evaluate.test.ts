import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../../lib/core/philox.js';
import { evaluateStudy, SEED_TARGETS, type EvaluatedPatient } from '../../lib/studies/petct/evaluate.js';
import { binaryEntropy, patientRisks, quantileSorted, summarisePixelPasses, summariseRiskPasses } from '../../lib/studies/petct/mc_dropout.js';
import { markdownReport, writeEvaluationReport } from '../../lib/studies/petct/report.js';
import { syntheticPasses, syntheticSliceRisks } from '../helpers/petct_study.js';
import { tempDir } from '../helpers/tmp.js';
import { setThreads } from '../../lib/core/threads.js';
import { mcPixelSummaryRef } from '../reference/mc_dropout.js';
import { cIndexNaive, eceRef, pearsonRef } from '../reference/metrics.js';

const tmp = tempDir('medsynth-petct-eval-');
afterAll(tmp.cleanup);

describe('MC-dropout summaries', () => {
  it('mean, variance, entropy and mutual information match the float64 reference', async () => {
    const rng = new Rng(3, 0, 0);
    const T = 7;
    const n = 40_000; // several parallel chunks
    const passes = Array.from({ length: T }, () => Float32Array.from({ length: n }, () => (rng.bernoulli(0.1) ? rng.int(2) : rng.uniform())));
    const u = await summarisePixelPasses(passes);
    const ref = mcPixelSummaryRef(passes);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      worst = Math.max(
        worst,
        Math.abs(u.mean[i] - ref.mean[i]),
        Math.abs(u.variance[i] - ref.variance[i]),
        Math.abs(u.entropy[i] - ref.entropy[i]),
        Math.abs(u.mutualInformation[i] - ref.mutualInformation[i]),
      );
    }
    expect(worst).toBeLessThan(1e-6);
    // Packed [T, n] input gives the same bytes; so do 1 and 2 threads.
    const packed = new Float32Array(T * n);
    passes.forEach((p, t) => packed.set(p, t * n));
    setThreads(1);
    const one = await summarisePixelPasses({ data: packed, passes: T });
    setThreads(2);
    const two = await summarisePixelPasses({ data: packed, passes: T });
    setThreads();
    for (const k of ['mean', 'variance', 'entropy', 'mutualInformation'] as const) {
      expect(one[k]).toEqual(u[k]);
      expect(Buffer.from(one[k].buffer).equals(Buffer.from(two[k].buffer))).toBe(true);
    }
    // Agreeing passes: no variance, no mutual information; entropy of ½ is 1 bit.
    const same = await summarisePixelPasses([Float32Array.of(0.5, 0, 1), Float32Array.of(0.5, 0, 1)]);
    expect(Array.from(same.entropy)).toEqual([1, 0, 0]);
    expect(Array.from(same.variance)).toEqual([0, 0, 0]);
    expect(Array.from(same.mutualInformation)).toEqual([0, 0, 0]);
    expect(binaryEntropy(0.25)).toBeCloseTo(0.811278, 6);
    await expect(summarisePixelPasses([])).rejects.toThrow(/at least one/);
    await expect(summarisePixelPasses([Float32Array.of(0.2), Float32Array.of(1.5)])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/probabilities in \[0, 1\]/) });
    await expect(summarisePixelPasses([Float32Array.of(0.2), Float32Array.of(NaN)])).rejects.toThrow(/NaN/);
    await expect(summarisePixelPasses([Float32Array.of(0.2), Float32Array.of(0.1, 0.3)])).rejects.toThrow(/passes\[1\]/);
    await expect(summarisePixelPasses({ data: new Float32Array(7), passes: 2 })).rejects.toThrow(/divisible/);
  });

  it('risk mean, SD and 95% interval (numpy linear quantiles); patient risk = mean of its slices', () => {
    const passes = Array.from({ length: 41 }, (_, t) => [t / 40, 2 - t / 20]);
    const r = summariseRiskPasses(passes);
    expect(r.mean[0]).toBeCloseTo(0.5, 12);
    expect(r.lower[0]).toBeCloseTo(0.025, 12); // h = 40 · 0.025 = 1 → the second order statistic
    expect(r.upper[0]).toBeCloseTo(0.975, 12);
    expect(r.mean[1]).toBeCloseTo(1, 12);
    expect(r.sd[1]).toBeCloseTo(2 * r.sd[0], 12);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(Array.from(patientRisks([1, 3, 5, 10], Int32Array.of(0, 0, 1, 1), 2))).toEqual([2, 7.5]);
    expect(() => patientRisks([1, 2], Int32Array.of(0, 0), 2)).toThrow(/patient 1/);
    expect(() => summariseRiskPasses([[1, NaN]])).toThrow(/finite/);
  });
});

describe('evaluation protocol', () => {
  const H = 32;
  const W = 32;
  const plane = H * W;
  const P = 12;
  const slicesPer = 3;
  const S = P * slicesPer;

  async function fixture() {
    // Discs of varying size per slice (one tumour-free slice per patient).
    const truth = new Float32Array(S * plane);
    const slicePatient = new Int32Array(S);
    for (let s = 0; s < S; s++) {
      slicePatient[s] = Math.floor(s / slicesPer);
      const r = s % slicesPer === 2 ? 0 : 3 + (s % 7);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) truth[s * plane + y * W + x] = (x - 15.5) ** 2 + (y - 15.5) ** 2 < r * r ? 1 : 0;
    }
    const passes = await syntheticPasses(truth, S, [H, W], 10);
    const u = await summarisePixelPasses(passes);
    const rng = new Rng(2, 0, 0);
    const lp = Array.from({ length: P }, () => rng.normal());
    const time = lp.map((l) => Math.exp(-l) * (0.2 + rng.uniform()) * 10);
    const sliceRisks = syntheticSliceRisks(Array.from(slicePatient, (k) => lp[k]), 10);
    const risk = summariseRiskPasses(sliceRisks.map((r) => patientRisks(r, slicePatient, P)));
    const patients: EvaluatedPatient[] = lp.map((l, k) => ({
      id: `p${k}`,
      time: time[k],
      event: k % 4 === 3 ? 0 : 1,
      linearPredictor: l,
      risk: risk.mean[k],
      riskLower: risk.lower[k],
      riskUpper: risk.upper[k],
    }));
    return { truth, slicePatient, u, patients, risk };
  }

  it('computes the metrics as their references do, beside the targets and the oracle', async () => {
    const { truth, slicePatient, u, patients, risk } = await fixture();
    const m = await evaluateStudy({ size: [H, W], slicePatient, probability: u.mean, entropy: u.entropy, variance: u.variance, truth, patients, mcPasses: 10 });
    // Pooled segmentation from plain counts.
    let tp = 0, fp = 0, fn = 0, tn = 0;
    for (let i = 0; i < truth.length; i++) {
      const p = u.mean[i] >= 0.5;
      const y = truth[i] === 1;
      if (p && y) tp++;
      else if (p) fp++;
      else if (y) fn++;
      else tn++;
    }
    expect(m.segmentation.pooled.dice).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 10);
    expect(m.segmentation.pooled.iou).toBeCloseTo(tp / (tp + fp + fn), 10);
    expect(m.segmentation.pooled.accuracy).toBeCloseTo((tp + tn) / truth.length, 10);
    expect(m.segmentation.pooled.sensitivity).toBeCloseTo(tp / (tp + fn), 10);
    expect(m.segmentation.pooled.specificity).toBeCloseTo(tn / (tn + fp), 10);
    expect(m.segmentation.perPatient).toHaveLength(P);
    expect(m.segmentation.perPatient.reduce((a, p) => a + p.tp, 0)).toBe(tp);
    // ECE and the reliability bins against the reference.
    const labels = Array.from(truth);
    const top = eceRef(u.mean, labels, 15, 'confidence');
    const pos = eceRef(u.mean, labels, 15, 'positive');
    expect(m.calibration.ece).toBeCloseTo(top.ece, 6);
    expect(m.calibration.mce).toBeCloseTo(top.mce, 6);
    expect(m.calibration.positiveClassEce).toBeCloseTo(pos.ece, 6);
    expect(m.calibration.bins.count).toEqual(pos.count);
    m.calibration.bins.accuracy.forEach((a, b) => (Number.isNaN(pos.accuracy[b]) ? expect(a).toBeNaN() : expect(a).toBeCloseTo(pos.accuracy[b], 6)));
    m.calibration.bins.meanConfidence.forEach((a, b) => (Number.isNaN(pos.meanConfidence[b]) ? expect(a).toBeNaN() : expect(a).toBeCloseTo(pos.meanConfidence[b], 5)));
    // Survival: the model's C-index and the oracle's, on the same patients.
    const time = patients.map((p) => p.time);
    const event = patients.map((p) => p.event);
    expect(m.survival.cIndex).toBeCloseTo(cIndexNaive(Array.from(risk.mean), time, event).cIndex, 12);
    expect(m.survival.oracleCIndex).toBeCloseTo(cIndexNaive(patients.map((p) => p.linearPredictor), time, event).cIndex, 12);
    // Uncertainty.
    const err = Array.from(u.mean, (p, i) => Math.abs(p - truth[i]));
    expect(m.uncertainty.pixelCorrelation.pearson).toBeCloseTo(pearsonRef(u.entropy, err), 5);
    expect(m.uncertainty.pixelVarianceCorrelation?.pearson).toBeCloseTo(pearsonRef(u.variance, err), 5);
    expect(m.uncertainty.meanEntropyBits).toBeCloseTo(u.entropy.reduce((a, b) => a + b, 0) / truth.length, 6);
    expect(m.uncertainty.sliceCorrelation?.n).toBeGreaterThanOrEqual(2 * P - 2);
    // Targets: seven rows, the C-index row carries the oracle, 'met' follows the direction.
    expect(m.targets.map((t) => t.target)).toEqual([SEED_TARGETS.dice, SEED_TARGETS.iou, SEED_TARGETS.sensitivity, SEED_TARGETS.specificity, SEED_TARGETS.cIndex, SEED_TARGETS.ece, SEED_TARGETS.uncertaintyErrorCorrelation]);
    for (const t of m.targets) expect(t.met).toBe(t.direction === '>' ? t.value > t.target : t.value < t.target);
    expect(m.targets[4].oracle).toBe(m.survival.oracleCIndex);

    const files = writeEvaluationReport(path.join(tmp.dir, 'report'), m, { model: 'm.safetensors', dataDir: 'data' });
    for (const f of files) expect(existsSync(f)).toBe(true);
    const json = JSON.parse(readFileSync(files[0], 'utf8'));
    expect(json.survival.cIndex).toBeCloseTo(m.survival.cIndex, 12);
    expect(json.targets).toHaveLength(7);
    const md = markdownReport(m);
    expect(md).toContain('| C-index |');
    expect(md).toContain('| ECE (top-label, pixels) |');
  });

  it('rejects inconsistent input', async () => {
    const { truth, slicePatient, u, patients } = await fixture();
    const base = { size: [H, W] as const, slicePatient, probability: u.mean, entropy: u.entropy, truth, patients, mcPasses: 10 };
    await expect(evaluateStudy({ ...base, entropy: u.entropy.subarray(1) })).rejects.toThrow(/entropy/);
    await expect(evaluateStudy({ ...base, patients: [...patients, { ...patients[0], id: 'extra' }] })).rejects.toThrow(/extra/);
    await expect(evaluateStudy({ ...base, slicePatient: Int32Array.from(slicePatient, (k) => k + 1) })).rejects.toThrow(/patient indices/);
    // No event among the held-out patients: the C-index (and the oracle's) is NaN, the rest stands.
    const noEvents = await evaluateStudy({ ...base, patients: patients.map((p) => ({ ...p, event: 0 as const })) });
    expect(noEvents.survival.cIndex).toBeNaN();
    expect(noEvents.survival.oracleCIndex).toBeNaN();
    expect(noEvents.targets[4].met).toBe(false);
    expect(noEvents.segmentation.pooled.dice).toBeGreaterThan(0);
  });
});
