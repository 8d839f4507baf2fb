/**
 * `medsynth train petct`: seed 004's training — MultiTaskUNet on CT+PET slices, loss
 * segWeight·focalTversky(α 0.3 FP, β 0.7 FN, γ 0.75) + survWeight·Cox partial likelihood (risk
 * sets within the batch, Efron ties, censoring), Adam, and the seed's callbacks: checkpoint of
 * the best validation loss (best_model.safetensors), ReduceLROnPlateau, early stopping, CSV log
 * (figures/training_curves.ts columns), training_curves.png at the end. Synchronous between
 * awaits of data loading; run it in the engine's worker (lib/nn/worker_runner.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../../errors.js';
import { setThreads } from '../../core/threads.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { concordanceIndex } from '../../metric/c_index.js';
import { MultiTaskUNet, type SurvivalPool } from '../../models/unet.js';
import { saveCheckpoint } from '../../nn/checkpoint.js';
import { add, mulScalar } from '../../nn/ops/pointwise.js';
import { coxLoss, focalTversky } from '../../nn/ops/loss.js';
import { Adam } from '../../nn/optim/adam.js';
import { CheckpointBest, EarlyStopping, ReduceLROnPlateau } from '../../nn/schedule.js';
import { Tensor } from '../../nn/tensor.js';
import { Trainer, TrainingDiverged, TrainingInterrupted, type BatchProgress, type StepOutput } from '../../nn/trainer.js';
import { petctBatches, type PetCtBatch } from './batches.js';
import { CLINICAL_COVARIATES, openPetCtCohort } from './cohort.js';
import { parseTrainingLog, renderTrainingCurves, TRAINING_LOG_COLUMNS } from './figures/training_curves.js';
import { patientRisks } from './mc_dropout.js';
import type { PetCtRunConfig } from './model_io.js';
import { describeSliceOptions, loadSliceSet, sliceSetTumourFlags, type PetCtSliceSet } from './slices.js';
import { splitPatients } from './split.js';

export interface PetCtTrainOptions {
  dataDir: string;
  output: string;
  epochs: number;
  batchSize: number;
  segWeight: number;
  survWeight: number;
  /** U-Net base width (the seed: 64). */
  base: number;
  /** Slice size (square; the seed: 256). */
  size: number;
  lr: number;
  seed: number;
  /** Early-stopping patience in epochs (the seed: 10). */
  patience: number;
  /** At most this many tumour slices per patient (keeps an epoch short). */
  maxTumourSlices?: number;
  /**
   * Feed the patients' standardised age, male, stage (clinical.csv) to the survival head
   * (MultiTaskUNet `clinical`), recorded in the checkpoint so evaluate / demo rebuild it.
   */
  clinicalCovariates?: boolean;
  /** How the survival head pools the bottleneck (MultiTaskUNet `survivalPool`; default 'avg'). */
  survivalPool?: SurvivalPool;
  threads?: number;
}

export const PETCT_TRAIN_DEFAULTS: Omit<PetCtTrainOptions, 'dataDir' | 'output'> = {
  epochs: 30,
  batchSize: 8,
  segWeight: 0.6,
  survWeight: 0.4,
  base: 16,
  size: 128,
  lr: 1e-4,
  seed: 42,
  patience: 10,
};

/** The seed's focal Tversky: α = 0.3 on false positives, β = 0.7 on false negatives, γ = 0.75. */
export const FOCAL_TVERSKY = { weightFP: 0.3, weightFN: 0.7, gamma: 0.75 } as const;

export type PetCtTrainEvent =
  | { type: 'info'; line: string }
  | { type: 'batch'; epoch: number; epochs: number; progress: BatchProgress }
  | { type: 'epoch'; epoch: number; epochs: number; line: string };

export interface PetCtTrainResult {
  interrupted: boolean;
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  seconds: number;
  files: string[];
  last: Record<string, number>;
}

/** Loss terms, Dice counts and per-slice risks gathered over one pass. */
class PassTally {
  seg = 0;
  surv = 0;
  count = 0;
  tp = 0;
  fp = 0;
  fn = 0;
  readonly risk: Float64Array;
  constructor(readonly set: PetCtSliceSet) {
    this.risk = new Float64Array(set.count);
  }
  async summary(prefix: string): Promise<Record<string, number>> {
    const P = this.set.patients.length;
    const risk = patientRisks(this.risk, this.set.owner, P, sliceSetTumourFlags(this.set));
    const time = Float64Array.from(this.set.patients, (p) => p.patient.time);
    const event = Uint8Array.from(this.set.patients, (p) => p.patient.event);
    let cIndex = NaN;
    try {
      cIndex = (await concordanceIndex(risk, time, event)).cIndex;
    } catch {
      // no comparable pair in a tiny set: the column stays empty
    }
    return {
      [`${prefix}_seg_loss`]: this.seg / this.count,
      [`${prefix}_surv_loss`]: this.surv / this.count,
      [`${prefix}_dice`]: (2 * this.tp) / Math.max(2 * this.tp + this.fp + this.fn, 1e-12),
      [`${prefix}_c_index`]: cIndex,
    };
  }
}

/** The batch's clinical covariates as the model's second input, when it takes them. */
export function clinicalInput(model: MultiTaskUNet, b: Pick<PetCtBatch, 'size' | 'clinical'>): Tensor | undefined {
  if (model.clinical === 0) return undefined;
  if (!b.clinical) throw new MedsynthError('INVALID_ARGUMENT', 'the model takes clinical covariates, but the cohort\'s clinical.csv has no age, sex and stage columns');
  return Tensor.from(b.clinical, [b.size, model.clinical]);
}

/** The multi-task loss of one batch; records its terms, Dice counts and risks into `tally`. */
function batchLoss(model: MultiTaskUNet, b: PetCtBatch, o: PetCtTrainOptions, tally: PassTally): StepOutput {
  const [H, W] = [o.size, o.size];
  const out = model.forwardMultiTask(Tensor.from(b.images, [b.size, 2, H, W]), clinicalInput(model, b));
  const seg = focalTversky(out.segmentation, Tensor.from(b.masks, [b.size, 1, H, W]), FOCAL_TVERSKY);
  let loss = mulScalar(seg, o.segWeight);
  let surv = NaN;
  // The partial likelihood is undefined without an event in the batch: then only segmentation.
  if (b.event.some((e) => e === 1)) {
    const cox = coxLoss(out.risk, b.time, b.event);
    surv = cox.item();
    loss = add(loss, mulScalar(cox, o.survWeight));
  }
  const p = out.segmentation.data;
  for (let i = 0; i < p.length; i++) {
    const y = b.masks[i] >= 0.5;
    const yhat = p[i] >= 0.5;
    if (y && yhat) tally.tp++;
    else if (yhat) tally.fp++;
    else if (y) tally.fn++;
  }
  tally.seg += seg.item() * b.size;
  tally.surv += (Number.isFinite(surv) ? surv : 0) * b.size;
  tally.count += b.size;
  b.slices.forEach((s, i) => (tally.risk[s] = out.risk.data[i]));
  return { loss, count: b.size };
}

/** C-indices of the true linear predictor and of its image part on the validation patients (NaN when unknown). */
async function validationOracles(set: PetCtSliceSet): Promise<{ oracleCIndex: number; imageOracleCIndex: number }> {
  const patients = set.patients.map((p) => p.patient);
  const time = Float64Array.from(patients, (p) => p.time);
  const event = Uint8Array.from(patients, (p) => p.event);
  const c = async (score: Float64Array) => {
    try {
      return score.every(Number.isFinite) ? (await concordanceIndex(score, time, event)).cIndex : NaN;
    } catch {
      return NaN; // no comparable pair
    }
  };
  return {
    oracleCIndex: await c(Float64Array.from(patients, (p) => p.linearPredictor)),
    imageOracleCIndex: await c(Float64Array.from(patients, (p) => p.imageLinearPredictor)),
  };
}

async function collect(it: AsyncGenerator<PetCtBatch>): Promise<PetCtBatch[]> {
  const all: PetCtBatch[] = [];
  for await (const b of it) all.push(b);
  return all;
}

function csvRow(row: Record<string, number>): string {
  return TRAINING_LOG_COLUMNS.map((c) => (c === 'epoch' ? String(row[c]) : Number.isFinite(row[c]) ? row[c].toPrecision(6) : '')).join(',');
}

export async function trainPetCt(
  o: PetCtTrainOptions,
  emit: (e: PetCtTrainEvent) => void,
  shouldStop: () => boolean = () => false,
  /** In-process callers (tests) may look at the model after the last epoch. */
  afterTraining?: (model: MultiTaskUNet) => void,
): Promise<PetCtTrainResult> {
  if (o.threads !== undefined) setThreads(o.threads);
  if (o.size % 16 !== 0) throw new MedsynthError('INVALID_ARGUMENT', `--size must be a multiple of 16 (four 2×2 poolings), got ${o.size}`);
  const cohort = openPetCtCohort(o.dataDir);
  if (o.clinicalCovariates && cohort.patients.some((p) => p.clinical === null)) {
    throw new MedsynthError('INVALID_ARGUMENT', `--clinical-covariates: ${o.dataDir}/clinical.csv has no age, sex and stage columns`);
  }
  const split = splitPatients(cohort.patients, { seed: o.seed });
  const sliceOptions = { size: [o.size, o.size] as [number, number], seed: o.seed, ...(o.maxTumourSlices ? { maxTumourSlices: o.maxTumourSlices } : {}) };
  const t0 = performance.now();
  const train = await loadSliceSet(cohort, split.train, sliceOptions);
  const val = await loadSliceSet(cohort, split.validation, sliceOptions);
  const config: PetCtRunConfig = {
    study: 'petct',
    slices: describeSliceOptions(train.options),
    split: { seed: o.seed, validationFraction: split.validationFraction },
    data_dir: path.resolve(o.dataDir),
    batch_size: o.batchSize,
    seg_weight: o.segWeight,
    surv_weight: o.survWeight,
    focal_tversky: FOCAL_TVERSKY,
    lr: o.lr,
    seed: o.seed,
    optimizer: 'Adam',
    clinical_covariates: o.clinicalCovariates ? [...CLINICAL_COVARIATES] : [],
    survival_pool: o.survivalPool ?? 'avg',
  };
  mkdirSync(o.output, { recursive: true });
  const model = new MultiTaskUNet({ base: o.base, seed: o.seed, clinical: o.clinicalCovariates ? CLINICAL_COVARIATES.length : 0, survivalPool: o.survivalPool ?? 'avg' });
  const optimizer = new Adam(model.parameters(), { lr: o.lr });
  emit({
    type: 'info',
    line:
      `${split.train.length} training patients (${train.count} slices), ${split.validation.length} validation (${val.count}) at ${o.size}×${o.size}, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `MultiTaskUNet base ${o.base}${o.clinicalCovariates ? ` + clinical ${CLINICAL_COVARIATES.join(', ')}` : ''}, survival pool ${o.survivalPool ?? 'avg'}: ${model.parameterCount()} parameters; Adam lr ${o.lr}, batch ${o.batchSize}, ${o.epochs} epochs`,
  });

  const bestFile = path.join(o.output, 'best_model.safetensors');
  const logFile = path.join(o.output, 'training_log.csv');
  const trainer = new Trainer(model, optimizer, { seed: o.seed, shouldStop, onBatch: (progress) => emit({ type: 'batch', epoch: progress.epoch, epochs: o.epochs, progress }) });
  const plateau = new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 5 });
  const early = new EarlyStopping(o.patience);
  const rows: Record<string, number>[] = [];
  const best = new CheckpointBest((epoch, metric) =>
    saveCheckpoint(bestFile, model, { architecture: model.architecture(), config, training: { epoch, val_loss: metric, step: trainer.globalStep } }),
  );
  const valBatches = await collect(petctBatches(val, { batchSize: o.batchSize }));
  const started = performance.now();
  let interrupted = false;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const trainBatches = await collect(petctBatches(train, { batchSize: o.batchSize, shuffle: true, augmentation: {}, seed: o.seed, epoch }));
    const tTally = new PassTally(train);
    const vTally = new PassTally(val);
    let trainStats;
    try {
      trainStats = trainer.runEpoch('train', epoch, trainBatches, train.count, (b) => batchLoss(model, b, o, tTally));
    } catch (err) {
      if (err instanceof TrainingDiverged) throw new MedsynthError('TRAINING_DIVERGED', `${err.message}; best_model.safetensors holds the best epoch so far. Try a lower --lr.`, { cause: err });
      if (err instanceof TrainingInterrupted) {
        interrupted = true;
        break;
      }
      throw err;
    }
    const valStats = trainer.runEpoch('eval', epoch, valBatches, val.count, (b) => batchLoss(model, b, o, vTally));
    const row: Record<string, number> = {
      epoch,
      train_loss: trainStats.loss,
      val_loss: valStats.loss,
      ...(await tTally.summary('train')),
      ...(await vTally.summary('val')),
      lr: optimizer.lr,
    };
    rows.push(row);
    best.step(valStats.loss, epoch);
    plateau.step(valStats.loss);
    const stop = early.step(valStats.loss, epoch);
    writeFileAtomicSync(logFile, [TRAINING_LOG_COLUMNS.join(','), ...rows.map(csvRow)].join('\n') + '\n');
    emit({
      type: 'epoch',
      epoch,
      epochs: o.epochs,
      line:
        `Epoch ${String(epoch).padStart(2, '0')} | train loss ${row.train_loss.toFixed(4)} Dice ${row.train_dice.toFixed(3)} C ${row.train_c_index.toFixed(3)} | ` +
        `val loss ${row.val_loss.toFixed(4)} Dice ${row.val_dice.toFixed(3)} C ${row.val_c_index.toFixed(3)} | lr ${row.lr.toExponential(1)} | ${(trainStats.seconds + valStats.seconds).toFixed(1)} s`,
    });
    if (stop) {
      emit({ type: 'info', line: `early stopping: no validation-loss improvement for ${o.patience} epochs (best epoch ${early.bestEpoch})` });
      break;
    }
  }
  afterTraining?.(model);
  const files = [bestFile, logFile];
  if (rows.length) {
    const curves = path.join(o.output, 'training_curves.png');
    const oracles = await validationOracles(val);
    writeFileAtomicSync(
      curves,
      renderTrainingCurves(parseTrainingLog(readFileSync(logFile, 'utf8')), {
        title: `PET/CT MULTI-TASK U-NET${o.clinicalCovariates ? ' + CLINICAL COVARIATES' : ''}`,
        ...oracles,
        notes: [
          // The figure font has no semicolon.
          'TRAIN: AUGMENTED SLICES IN TRAINING MODE (DROPOUT ON, BATCH-NORM BATCH STATISTICS).  VALIDATION: HELD-OUT PATIENTS IN EVAL MODE.',
          "C-INDEX: A PATIENT'S RISK IS THE MEAN RISK OF ITS TUMOUR SLICES.  ORACLES: TRUE LINEAR PREDICTOR (AND ITS IMAGE PART) ON THE VALIDATION PATIENTS.",
        ],
      }),
    );
    files.push(curves);
  }
  return {
    interrupted,
    epochs: rows.length,
    bestEpoch: best.bestEpoch,
    bestValLoss: best.best,
    seconds: (performance.now() - started) / 1000,
    files,
    last: rows[rows.length - 1] ?? {},
  };
}
