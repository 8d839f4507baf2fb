/**
 * Seed 004 as a medsynth study: a multi-task PET/CT U-Net (tumour segmentation + Cox survival,
 * MC-dropout uncertainty) trained and evaluated on a `medsynth petct` cohort (issue 13).
 *
 * What is here (no model needed): the data pipeline (cohort reader, documented normalisation,
 * native 2-D resampling, tumour / tumour-free slice choice, the patient-level 70/30 split,
 * training-only augmentation, batches), the MC-dropout summaries, the evaluation protocol with
 * the seed's targets and the oracle, metrics.json + report.md, and the figures (reliability
 * diagram, 6-panel demo, training curves).
 *
 * ## How the engine plugs in (issue 12: lib/nn, lib/models)
 *
 * Model — `lib/models/unet.ts` MultiTaskUNet: input [N, 2, H, W] in the channel order of
 * `PetCtBatch.images` (0 = CT, 1 = PET, normalised by ./normalise.ts), `forwardMultiTask` gives
 * `{ segmentation: sigmoid map [N, 1, H, W], risk: [N, 1] }`; dropout layers run under
 * `model.mcDropout()`. ./model_io.ts loads a checkpoint (refusing other architectures) and runs
 * T eval or MC passes; ./train.ts and ./run_model.ts implement the three commands below.
 *
 * Training — `lib/studies/petct/train.ts`, CLI `medsynth train petct --data-dir D --output O
 * --epochs 30 --batch-size 8 --seg-weight 0.6 --surv-weight 0.4 [--base 16 --size 128]`:
 *   cohort = openPetCtCohort(D); split = splitPatients(cohort.patients, {seed})
 *   train = await loadSliceSet(cohort, split.train, {size, tumourFreeShare, maxTumourSlices, seed})
 *   val   = await loadSliceSet(cohort, split.validation, same options)
 *   per epoch e: for await (b of petctBatches(train, {batchSize, shuffle: true, augmentation: {},
 *       seed, epoch: e})) → x = Tensor.from(b.images, [b.size, 2, H, W]),
 *       loss = 0.6·focalTversky(segmentation, Tensor.from(b.masks, …), {α 0.3, β 0.7, γ 0.75})
 *            + 0.4·coxLoss(risk, b.time, b.event)   (risk sets within the batch; batches are
 *              dealt round-robin over patients so a batch compares different patients)
 *   validation: petctBatches(val, {batchSize}) (no shuffle, no augmentation);
 *   log one row per epoch with the columns of figures/training_curves.ts TRAINING_LOG_COLUMNS to
 *   training_log.csv, then renderTrainingCurves(parseTrainingLog(csv)) → training_curves.png;
 *   checkpoint best_model.safetensors with metadata {architecture, base, size, normalisation,
 *   split seed} so evaluate/demo rebuild the same pipeline and refuse another architecture.
 *
 * Evaluation — `medsynth evaluate --model M --data-dir D --output R --n-mc-samples 30`: rebuild
 * `val` from the checkpoint's metadata (resolveSliceOptions(describeSliceOptions(o)) round-trips);
 * { truth, slicePatient } = sliceSetTruth(val); for each batch of petctBatches(val, {batchSize})
 * run T passes under mcDropout(), pack the T sigmoid maps as [T, N·H·W] and
 * summarisePixelPasses({data, passes: T}) (native) → mean / variance / entropy, put each into a
 * set-sized map with scatterSlices(map, b.slices, H·W, …), and record the per-slice risks of
 * every pass; then per pass patientRisks(sliceRisks, slicePatient, P, sliceSetTumourFlags(val))
 * (the mean over each patient's tumour slices), summariseRiskPasses →
 * mean and 95% interval, evaluatedPatients(val.patients.map(p => p.patient), risk) (carries the
 * true linear predictor for the oracle), evaluateStudy({...}) → writeEvaluationReport(R, metrics,
 * {figures}) and renderReliabilityDiagram({bins: metrics.calibration.bins, ece:
 * metrics.calibration.ece, positiveClassEce}) → reliability.png. test/petct_study/end_to_end.test.ts
 * runs exactly this path with a stand-in for the model.
 *
 * Demo — `medsynth demo --model M --data-dir D --patient ID --output R`: cohortPatient(cohort, ID)
 * (one-line error for an unknown id); loadPatientSlices for that patient; s = largestTumourSlice;
 * T passes on that slice; loadDisplaySlice(cohort, ID, z, size) for CT in HU and PET in SUV;
 * renderDemoFigure({..., risk, cohortRisks: the held-out patients' mean risks}).
 *
 * CLI errors map MedsynthError INVALID_ARGUMENT (not a petct dir, unknown patient, wrong
 * architecture) to one line on stderr and exit code 2, as the other commands do.
 */
export * from './cohort.js';
export * from './normalise.js';
export * from './split.js';
export * from './slices.js';
export * from './augment.js';
export * from './batches.js';
export * from './mc_dropout.js';
export * from './evaluate.js';
export * from './report.js';
export * from './figures/reliability.js';
export * from './figures/demo.js';
export * from './figures/training_curves.js';
export * from './model_io.js';
export * from './train.js';
export * from './run_model.js';
export * from './cohort_samples.js';
