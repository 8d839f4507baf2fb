// The survival side of the PET/CT evaluation: the cohort reader's image-derived linear predictor
// and clinical covariates against the generator's latent truth, the image-only and clinical-only
// oracles against a direct computation, the patient risk over tumour slices, and the
// tumour-neighbourhood uncertainty correlations against brute-force references.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Rng } from '../../lib/core/philox.js';
import { DEFAULT_BETA } from '../../lib/generators/petct/covariates.js';
import { generatePetCtDataset } from '../../lib/generators/petct/dataset.js';
import { simulateLatentCohort } from '../../lib/generators/petct/latent.js';
import { resolvePetCtOptions } from '../../lib/generators/petct/options.js';
import { CLINICAL_COVARIATES, IMAGE_COVARIATES, openPetCtCohort } from '../../lib/studies/petct/cohort.js';
import { evaluateStudy, evaluatedPatients, NEIGHBOURHOOD_RADIUS } from '../../lib/studies/petct/evaluate.js';
import { referenceDilateSlices } from '../reference/binary_dilation.js';
import { patientRisks, summarisePixelPasses, summariseRiskPasses } from '../../lib/studies/petct/mc_dropout.js';
import { markdownReport } from '../../lib/studies/petct/report.js';
import { syntheticPasses } from '../helpers/petct_study.js';
import { tempDir } from '../helpers/tmp.js';
import { referenceConcordance, referencePearson } from '../reference/metrics.js';

const tmp = tempDir('medsynth-petct-oracle-');
const dir = path.join(tmp.dir, 'cohort');
const N = 24;
const seed = 11;
// A stated, stronger survival signal, so the test also covers a non-default β from metadata.json.
const beta = { log_mtv: 0.9, lesions: 0.5, stage: 0.8 };

beforeAll(async () => {
  await generatePetCtDataset({ outputDir: dir, patients: N, seed, mode: '2d', imageSize: [32, 32], preview: false, gzipLevel: 1, survival: { beta } });
}, 120_000);
afterAll(tmp.cleanup);

describe('PET/CT oracles', () => {
  it('the cohort carries the image part of β·x and the standardised clinical covariates of the latent truth', () => {
    const cohort = openPetCtCohort(dir);
    const o = resolvePetCtOptions({ seed, mode: '2d', imageSize: [32, 32], survival: { beta } });
    const latent = simulateLatentCohort(o, N);
    const b = { ...DEFAULT_BETA, ...beta };
    cohort.patients.forEach((p, k) => {
      const x = latent[k].latent.x; // COVARIATE_NAMES order: log_mtv, suvmax, lesions, age, male, stage
      const image = b.log_mtv * x[0] + b.suvmax * x[1] + b.lesions * x[2];
      expect(p.imageLinearPredictor).toBeCloseTo(image, 5); // truth.csv keeps 6 decimals
      expect(p.linearPredictor).toBeCloseTo(latent[k].latent.eta, 5);
      expect(p.clinical).toEqual([x[3], x[4], x[5]]);
    });
    expect(CLINICAL_COVARIATES).toEqual(['age', 'male', 'stage']);
    expect(IMAGE_COVARIATES).toEqual(['log_mtv', 'suvmax', 'lesions']);
  });

  it('evaluate reports the full, image-only and clinical-only oracles as direct C-indices of those scores', async () => {
    const cohort = openPetCtCohort(dir);
    const P = cohort.patients.length;
    const [H, W] = [16, 16];
    const plane = H * W;
    const truth = new Float32Array(P * plane);
    for (let k = 0; k < P; k++) for (let i = 0; i < 20; i++) truth[k * plane + 3 * W + i] = 1;
    const u = await summarisePixelPasses(await syntheticPasses(truth, P, [H, W], 4));
    const rng = new Rng(5, 0, 0);
    const risk = summariseRiskPasses([Float64Array.from({ length: P }, () => rng.normal())]);
    const patients = evaluatedPatients(cohort.patients, risk);
    const m = await evaluateStudy({ size: [H, W], slicePatient: Int32Array.from({ length: P }, (_, k) => k), probability: u.mean, entropy: u.entropy, truth, patients, mcPasses: 4 });
    const time = cohort.patients.map((p) => p.time);
    const event = cohort.patients.map((p) => p.event);
    const image = cohort.patients.map((p) => p.imageLinearPredictor);
    const full = cohort.patients.map((p) => p.linearPredictor);
    expect(m.survival.imageOracleCIndex).toBeCloseTo(referenceConcordance(image, time, event).cIndex, 12);
    expect(m.survival.oracleCIndex).toBeCloseTo(referenceConcordance(full, time, event).cIndex, 12);
    expect(m.survival.clinicalOracleCIndex).toBeCloseTo(referenceConcordance(full.map((v, k) => v - image[k]), time, event).cIndex, 12);
    expect(m.survival.imageOracleCIndex).not.toBe(m.survival.oracleCIndex);
    const row = m.targets.find((t) => t.metric === 'C-index')!;
    expect(row.oracle).toBe(m.survival.oracleCIndex);
    expect(row.imageOracle).toBe(m.survival.imageOracleCIndex);
    expect(markdownReport(m)).toContain('Image-only oracle');
  });

  it('the slice-area oracle is the C-index of the mean log true tumour area over each patient\'s tumour slices', async () => {
    const cohort = openPetCtCohort(dir);
    const P = cohort.patients.length;
    const [H, W] = [16, 16];
    const plane = H * W;
    // Three slices per patient: two with tumours of different sizes, one tumour-free (left out of the mean).
    const slicePatient = Int32Array.from({ length: 3 * P }, (_, s) => Math.floor(s / 3));
    const truth = new Float32Array(3 * P * plane);
    const area = (s: number) => (s % 3 === 2 ? 0 : 1 + ((s * 37) % 61));
    for (let s = 0; s < 3 * P; s++) for (let i = 0; i < area(s); i++) truth[s * plane + i] = 1;
    const u = await summarisePixelPasses(await syntheticPasses(truth, 3 * P, [H, W], 4));
    const risk = summariseRiskPasses([new Float64Array(P)]);
    const m = await evaluateStudy({ size: [H, W], slicePatient, probability: u.mean, entropy: u.entropy, truth, patients: evaluatedPatients(cohort.patients, risk), mcPasses: 4 });
    const score = cohort.patients.map((_, k) => (Math.log(area(3 * k)) + Math.log(area(3 * k + 1))) / 2);
    const time = cohort.patients.map((p) => p.time);
    const event = cohort.patients.map((p) => p.event);
    expect(m.survival.sliceAreaCIndex).toBeCloseTo(referenceConcordance(score, time, event).cIndex, 12);
    expect(m.survival.sliceAreaCIndex).not.toBe(0.5);
    expect(markdownReport(m)).toContain('slice-area oracle');
  });

  it('without truth.csv every oracle is NaN and the reader still opens the cohort', () => {
    const bare = path.join(tmp.dir, 'bare');
    const cohort = openPetCtCohort(dir);
    // A copy of the tables without truth.csv and without the clinical columns.
    mkdirSync(bare, { recursive: true });
    cpSync(path.join(dir, 'metadata.json'), path.join(bare, 'metadata.json'));
    writeFileSync(path.join(bare, 'clinical.csv'), ['patient_id,time_months,event', ...cohort.patients.map((p) => `${p.id},${p.time},${p.event}`)].join('\n') + '\n');
    for (const p of cohort.patients) cpSync(path.join(dir, p.id), path.join(bare, p.id), { recursive: true });
    const c = openPetCtCohort(bare);
    expect(c.hasTruth).toBe(false);
    expect(c.patients.every((p) => Number.isNaN(p.imageLinearPredictor) && p.clinical === null)).toBe(true);
  });
});

describe('patient risk and the restricted uncertainty correlations', () => {
  it('a patient risk is the mean of its tumour slices, or of all its slices when none has tumour', () => {
    const risk = [1, 3, 5, 10, 20, 7];
    const owner = Int32Array.of(0, 0, 0, 1, 1, 2);
    expect(Array.from(patientRisks(risk, owner, 3, Uint8Array.of(1, 1, 0, 0, 1, 0)))).toEqual([2, 20, 7]);
    expect(Array.from(patientRisks(risk, owner, 3))).toEqual([3, 15, 7]);
    expect(() => patientRisks(risk, owner, 3, Uint8Array.of(1))).toThrow(/hasTumour/);
  });

  it('the neighbourhood and per-patient correlations match their references', async () => {
    const [H, W] = [32, 32];
    const plane = H * W;
    const P = 6;
    const S = 2 * P;
    const truth = new Float32Array(S * plane);
    const slicePatient = Int32Array.from({ length: S }, (_, s) => s >> 1);
    for (let s = 0; s < S; s++) {
      const r = 2 + (s % 5);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) truth[s * plane + y * W + x] = (x - 15.5) ** 2 + (y - 15.5) ** 2 < r * r ? 1 : 0;
    }
    const u = await summarisePixelPasses(await syntheticPasses(truth, S, [H, W], 8));
    const risk = summariseRiskPasses([new Float64Array(P)]);
    const patients = evaluatedPatients(Array.from({ length: P }, (_, k) => ({ id: `p${k}`, time: k + 1, event: 1 as const, linearPredictor: -k })), risk);
    const m = await evaluateStudy({ size: [H, W], slicePatient, probability: u.mean, entropy: u.entropy, truth, patients, mcPasses: 8 });
    const seedMask = Uint8Array.from(truth, (t, i) => (t >= 0.5 || u.mean[i] >= 0.5 ? 1 : 0));
    const near = referenceDilateSlices(seedMask, [H, W], NEIGHBOURHOOD_RADIUS);
    const ent: number[] = [];
    const err: number[] = [];
    near.forEach((v, i) => {
      if (!v) return;
      ent.push(u.entropy[i]);
      err.push(Math.abs(u.mean[i] - truth[i]));
    });
    expect(m.uncertainty.neighbourhoodCorrelation!.n).toBe(ent.length);
    expect(ent.length).toBeLessThan(S * plane);
    expect(m.uncertainty.neighbourhoodCorrelation!.pearson).toBeCloseTo(referencePearson(ent, err), 5);
    const pu = Array.from({ length: P }, (_, k) => {
      let sum = 0;
      let n = 0;
      near.forEach((v, i) => {
        if (v && slicePatient[Math.floor(i / plane)] === k) {
          sum += u.entropy[i];
          n++;
        }
      });
      return sum / n;
    });
    const pe = m.segmentation.perPatient.map((p) => 1 - p.dice);
    expect(m.uncertainty.patientCorrelation!.n).toBe(P);
    expect(m.uncertainty.patientCorrelation!.pearson).toBeCloseTo(referencePearson(pu, pe), 5);
  });
});
