/**
 * `medsynth evaluate` and `medsynth demo` on a trained PET/CT MultiTaskUNet: the validation
 * slices rebuilt from the checkpoint's metadata, T MC-dropout passes per batch, the study's
 * summaries, metrics, report and figures (the path index.ts describes).
 */
import path from 'node:path';

import { writeFileAtomicSync } from '../../io/atomic.js';
import { petctBatches } from './batches.js';
import { cohortPatient, openPetCtCohort } from './cohort.js';
import { evaluateStudy, evaluatedPatients, type StudyMetrics } from './evaluate.js';
import { renderDemoFigure } from './figures/demo.js';
import { renderReliabilityDiagram } from './figures/reliability.js';
import { patientRisks, summarisePixelPasses, summariseRiskPasses, type RiskSummary } from './mc_dropout.js';
import { forwardPasses, loadPetCtModel, type LoadedPetCtModel } from './model_io.js';
import { writeEvaluationReport } from './report.js';
import {
  largestTumourSlice,
  loadDisplaySlice,
  loadPatientSlices,
  loadSliceSet,
  scatterSlices,
  sliceSetTruth,
  sliceSetTumourFlags,
  type PetCtSliceSet,
} from './slices.js';
import { splitPatients } from './split.js';

export interface RunModelOptions {
  model: string;
  dataDir: string;
  output: string;
  mcSamples: number;
  batchSize?: number;
  /** Seed of the MC-dropout masks. */
  seed?: number;
}

interface HeldOut {
  loaded: LoadedPetCtModel;
  val: PetCtSliceSet;
}

/** The checkpoint and its validation slices (the same patients and slices as in training). */
async function heldOut(modelFile: string, dataDir: string): Promise<HeldOut & { cohort: ReturnType<typeof openPetCtCohort> }> {
  const loaded = loadPetCtModel(modelFile);
  const cohort = openPetCtCohort(dataDir);
  const split = splitPatients(cohort.patients, loaded.config.split);
  const val = await loadSliceSet(cohort, split.validation, loaded.sliceOptions);
  return { loaded, val, cohort };
}

/** MC maps over a slice set and each patient's risk summary. */
async function mcOverSet(loaded: LoadedPetCtModel, set: PetCtSliceSet, T: number, batchSize: number, seed: number) {
  const [H, W] = set.size;
  const plane = H * W;
  const probability = new Float32Array(set.count * plane);
  const entropy = new Float32Array(set.count * plane);
  const variance = new Float32Array(set.count * plane);
  const sliceRisk = Array.from({ length: T }, () => new Float64Array(set.count));
  for await (const b of petctBatches(set, { batchSize })) {
    const passes = forwardPasses(loaded.model, b.images, [b.size, 2, H, W], T, { mc: true, seed: seed + b.slices[0], clinical: b.clinical });
    const packed = new Float32Array(T * b.size * plane);
    passes.segmentation.forEach((p, t) => packed.set(p, t * p.length));
    const u = await summarisePixelPasses({ data: packed, passes: T });
    scatterSlices(probability, b.slices, plane, u.mean);
    scatterSlices(entropy, b.slices, plane, u.entropy);
    scatterSlices(variance, b.slices, plane, u.variance);
    for (let t = 0; t < T; t++) b.slices.forEach((s, i) => (sliceRisk[t][s] = passes.risk[t][i]));
  }
  const P = set.patients.length;
  const tumour = sliceSetTumourFlags(set);
  const risk = summariseRiskPasses(sliceRisk.map((r) => patientRisks(r, set.owner, P, tumour)));
  return { probability, entropy, variance, risk };
}

export async function evaluatePetCtModel(o: RunModelOptions): Promise<{ metrics: StudyMetrics; files: string[] }> {
  const { loaded, val } = await heldOut(o.model, o.dataDir);
  const T = o.mcSamples;
  const mc = await mcOverSet(loaded, val, T, o.batchSize ?? 8, o.seed ?? 0);
  const { truth, slicePatient } = sliceSetTruth(val);
  const patients = evaluatedPatients(val.patients.map((p) => p.patient), mc.risk);
  const metrics = await evaluateStudy({ size: val.size, slicePatient, probability: mc.probability, entropy: mc.entropy, variance: mc.variance, truth, patients, mcPasses: T });
  const files = writeEvaluationReport(o.output, metrics, { model: o.model, dataDir: o.dataDir, figures: [{ title: 'Reliability', file: 'reliability.png' }] }, { config: loaded.config });
  const reliability = path.join(o.output, 'reliability.png');
  writeFileAtomicSync(reliability, renderReliabilityDiagram({ bins: metrics.calibration.bins, ece: metrics.calibration.ece, positiveClassEce: metrics.calibration.positiveClassEce }));
  return { metrics, files: [...files, reliability] };
}

export interface DemoOptions extends RunModelOptions {
  patient: string;
}

export async function demoPetCtModel(o: DemoOptions): Promise<{ file: string; risk: RiskSummary; dice: number; z: number }> {
  const loaded = loadPetCtModel(o.model);
  const cohort = openPetCtCohort(o.dataDir);
  const patient = cohortPatient(cohort, o.patient);
  const slices = await loadPatientSlices(cohort, o.patient, loaded.sliceOptions);
  const size = loaded.sliceOptions.size;
  const [H, W] = size;
  const plane = H * W;
  const s = largestTumourSlice(slices, size);
  const T = o.mcSamples;
  // All the patient's slices in one batch: the figure shows slice s, the risk is the patient's
  // (the mean over its tumour slices, as evaluate computes it), so it sits on the cohort's scale.
  const S = slices.z.length;
  const C = loaded.model.clinical;
  const clinical = patient.clinical ? Float32Array.from({ length: S * C }, (_, i) => patient.clinical![i % C]) : null;
  const passes = forwardPasses(loaded.model, slices.images, [S, 2, H, W], T, { mc: true, seed: o.seed ?? 0, clinical });
  const packed = new Float32Array(T * plane);
  passes.segmentation.forEach((p, t) => packed.set(p.subarray(s * plane, (s + 1) * plane), t * plane));
  const u = await summarisePixelPasses({ data: packed, passes: T });
  const owner = new Int32Array(S);
  const risk = summariseRiskPasses(passes.risk.map((r) => patientRisks(r, owner, 1, slices.hasTumour)));
  const truth = slices.masks.subarray(s * plane, (s + 1) * plane);
  let tp = 0;
  let fpfn = 0;
  for (let i = 0; i < plane; i++) {
    const y = truth[i] >= 0.5;
    const p = u.mean[i] >= 0.5;
    if (y && p) tp++;
    else if (y || p) fpfn++;
  }
  const dice = tp + fpfn ? (2 * tp) / (2 * tp + fpfn) : 1;
  // Context for the risk panel: the held-out patients' mean risks under the same model.
  const { val } = await heldOut(o.model, o.dataDir);
  const cohortRisks = Array.from((await mcOverSet(loaded, val, Math.min(T, 5), o.batchSize ?? 8, o.seed ?? 0)).risk.mean);
  const z = slices.z[s];
  const display = await loadDisplaySlice(cohort, o.patient, z, size);
  const png = renderDemoFigure({
    patientId: o.patient,
    sliceLabel: `AXIAL Z=${z}`,
    size,
    ctHu: display.ctHu,
    petSuv: display.petSuv,
    truth,
    probability: u.mean,
    entropy: u.entropy,
    risk: { mean: risk.mean[0], lower: risk.lower[0], upper: risk.upper[0] },
    cohortRisks,
    outcome: { timeMonths: patient.time, event: patient.event },
    dice,
    mcPasses: T,
  });
  const file = path.join(o.output, `demo_${o.patient}.png`);
  writeFileAtomicSync(file, png);
  return { file, risk, dice, z };
}
