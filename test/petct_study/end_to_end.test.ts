// The evaluation path exactly as `medsynth evaluate` will run it, with a stand-in for the model
// (synthetic MC passes made from each batch's true masks; risks from the true linear
// predictor): split → validation slices → batches → MC summaries → metrics, report, figures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { writeFileAtomicSync } from '../../lib/io/atomic.js';
import { petctBatches } from '../../lib/studies/petct/batches.js';
import { openPetCtCohort } from '../../lib/studies/petct/cohort.js';
import { evaluateStudy, evaluatedPatients } from '../../lib/studies/petct/evaluate.js';
import { renderReliabilityDiagram } from '../../lib/studies/petct/figures/reliability.js';
import { patientRisks, summarisePixelPasses, summariseRiskPasses } from '../../lib/studies/petct/mc_dropout.js';
import { writeEvaluationReport } from '../../lib/studies/petct/report.js';
import { loadSliceSet, scatterSlices, sliceSetTruth } from '../../lib/studies/petct/slices.js';
import { splitPatients } from '../../lib/studies/petct/split.js';
import { useSmallCohort, syntheticPasses, syntheticSliceRisks } from '../helpers/petct_study.js';

const data = useSmallCohort('medsynth-petct-e2e-', 10, 31);

describe('PET/CT study: evaluation path with a stand-in model', () => {
  it('split → validation slices → MC batches → metrics.json, report.md, reliability.png', async () => {
    const cohort = openPetCtCohort(data.dir);
    const split = splitPatients(cohort.patients, { seed: 4, validationFraction: 0.5 });
    const size: [number, number] = [128, 128];
    const plane = size[0] * size[1];
    const val = await loadSliceSet(cohort, split.validation, { size, maxTumourSlices: 5, tumourFreeShare: 0.2 });
    const { truth, slicePatient } = sliceSetTruth(val);
    const probability = new Float32Array(val.count * plane);
    const entropy = new Float32Array(val.count * plane);
    const variance = new Float32Array(val.count * plane);
    const T = 6;
    const sliceRiskPasses = Array.from({ length: T }, () => new Float64Array(val.count));
    const lp = Array.from(slicePatient, (k) => val.patients[k].patient.linearPredictor);
    const standInRisks = syntheticSliceRisks(lp, T);
    let seen = 0;
    for await (const b of petctBatches(val, { batchSize: 4 })) {
      const u = await summarisePixelPasses(await syntheticPasses(b.masks, b.size, size, T, 100 + seen));
      scatterSlices(probability, b.slices, plane, u.mean);
      scatterSlices(entropy, b.slices, plane, u.entropy);
      scatterSlices(variance, b.slices, plane, u.variance);
      for (let t = 0; t < T; t++) b.slices.forEach((s) => (sliceRiskPasses[t][s] = standInRisks[t][s]));
      seen += b.size;
    }
    expect(seen).toBe(val.count);
    const P = val.patients.length;
    const risk = summariseRiskPasses(sliceRiskPasses.map((r) => patientRisks(r, slicePatient, P)));
    const patients = evaluatedPatients(val.patients.map((p) => p.patient), risk);
    const m = await evaluateStudy({ size, slicePatient, probability, entropy, variance, truth, patients, mcPasses: T });
    expect(m.patients).toBe(split.validation.length);
    expect(m.slices).toBe(val.count);
    // The stand-in is built from the truth: it segments well, and its risks follow β·x.
    expect(m.segmentation.pooled.dice).toBeGreaterThan(0.4);
    expect(m.segmentation.pooled.specificity).toBeGreaterThan(0.99);
    expect(Number.isFinite(m.survival.oracleCIndex)).toBe(true);
    for (const p of patients) expect(p.riskLower).toBeLessThanOrEqual(p.riskUpper);

    const out = path.join(data.tmp, 'report');
    const files = writeEvaluationReport(out, m, { dataDir: data.dir, figures: [{ title: 'Reliability', file: 'reliability.png' }] }, { split });
    writeFileAtomicSync(path.join(out, 'reliability.png'), renderReliabilityDiagram({ bins: m.calibration.bins, ece: m.calibration.ece, positiveClassEce: m.calibration.positiveClassEce }));
    for (const f of [...files, path.join(out, 'reliability.png')]) expect(existsSync(f)).toBe(true);
    const json = JSON.parse(readFileSync(files[0], 'utf8'));
    expect(json.split.validation).toEqual(split.validation);
    expect(readFileSync(files[1], 'utf8')).toContain('![Reliability](reliability.png)');
    if (process.env.PETCT_FIGURES_DIR) writeFileSync(path.join(process.env.PETCT_FIGURES_DIR, 'report.md'), readFileSync(files[1]));
  });
});
