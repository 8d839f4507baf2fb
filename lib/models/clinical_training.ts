/**
 * Seed 000's notebook end to end: ClinicalSynth splits (seeds 123/456/789), SimpleModel, Adam,
 * shuffled batches, cross-entropy, a train and a val pass per epoch, then the test set — plus
 * what the notebook lacks: a checkpoint per epoch (resumable), a CSV log, test predictions and
 * metrics beside the Bayes oracle of the same test samples. Synchronous between awaits of data
 * generation; run it in a worker (lib/nn/worker_runner.ts) when an event loop must stay free.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { setThreads } from '../core/threads.js';
import { ClinicalSynth, SPLIT_SEEDS, type ClinicalBatch } from '../generators/clinical2d/synth.js';
import { rocAuc } from '../generators/clinical2d/oracle.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { fieldDifferences, loadCheckpoint, loadOptimizerState, readCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { batchRanges, gatherLabels, gatherRows, permutation } from '../nn/data.js';
import { crossEntropy } from '../nn/ops/loss.js';
import { Adam } from '../nn/optim/adam.js';
import type { Tensor } from '../nn/tensor.js';
import { fit, type EpochRecord, type FitResult } from '../nn/fit.js';
import { countCorrect, Trainer, TrainingDiverged, type BatchProgress, type EpochStats } from '../nn/trainer.js';
import { ClinicalClassifier } from './clinical_classifier.js';

export interface ClinicalTrainOptions {
  /** Image height and width (the seed: 256, 256). */
  size: [number, number];
  nTrain: number;
  nVal: number;
  nTest: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Seeds the model's initial weights and the shuffles. */
  seed: number;
  /** Output directory. */
  out: string;
  threads?: number;
  /** A checkpoint.safetensors of an earlier run of the same configuration to continue. */
  resume?: string;
}

export const CLINICAL_TRAIN_DEFAULTS: Omit<ClinicalTrainOptions, 'out'> = {
  size: [256, 256],
  nTrain: 1000,
  nVal: 100,
  nTest: 100,
  epochs: 10,
  batchSize: 16,
  lr: 1e-3,
  seed: 0,
};

export type TrainEvent =
  | { type: 'info'; line: string }
  | { type: 'batch'; epoch: number; epochs: number; progress: BatchProgress }
  | { type: 'epoch'; epoch: number; epochs: number; train: EpochStats; val: EpochStats; line: string };

export interface ClinicalTrainResult {
  interrupted: boolean;
  /** Present when training completed. */
  metrics?: ClinicalMetrics;
  files: string[];
}

export interface ClinicalMetrics {
  test_accuracy: number;
  test_auc: number;
  test_loss: number;
  n_test: number;
  test_positive_rate: number;
  /** Bayes-optimal P(y | z) on the same test samples: the ceiling for any model. */
  oracle_auc: number;
  oracle_accuracy: number;
  /** Bayes-optimal from the clinical covariates alone (age, density, risk). */
  prior_auc: number;
  prior_accuracy: number;
  majority_accuracy: number;
  epochs: number;
  train_seconds: number;
  data_seconds: number;
  samples_per_second: number;
}

/** The seed's line: "Epoch 01 | Train loss 0.728 acc 0.802 | Val loss 0.692 acc 0.680". */
export function epochLine(epoch: number, train: EpochStats, val: EpochStats): string {
  return `Epoch ${String(epoch).padStart(2, '0')} | Train loss ${train.loss.toFixed(3)} acc ${train.accuracy.toFixed(3)} | Val loss ${val.loss.toFixed(3)} acc ${val.accuracy.toFixed(3)}`;
}

/** The run's identity: what must match for --resume to continue it. */
function runConfig(o: ClinicalTrainOptions): Record<string, unknown> {
  return {
    size: o.size,
    n_train: o.nTrain,
    n_val: o.nVal,
    n_test: o.nTest,
    batch_size: o.batchSize,
    lr: o.lr,
    seed: o.seed,
    split_seeds: SPLIT_SEEDS,
    optimizer: 'Adam',
    loss: 'cross_entropy',
  };
}

async function generate(size: [number, number], seed: number, n: number): Promise<ClinicalBatch> {
  const synth = new ClinicalSynth({ H: size[0], W: size[1], seed });
  return synth.sampleBatch(n);
}

function softmaxPositive(logits: Tensor, out: Float64Array, offset: number): void {
  const n = logits.shape[0];
  for (let i = 0; i < n; i++) {
    const a = logits.data[2 * i];
    const b = logits.data[2 * i + 1];
    out[offset + i] = 1 / (1 + Math.exp(a - b));
  }
}

export async function trainClinical(
  options: ClinicalTrainOptions,
  emit: (event: TrainEvent) => void,
  shouldStop: () => boolean = () => false,
): Promise<ClinicalTrainResult> {
  const o = options;
  if (o.threads !== undefined) setThreads(o.threads);
  const config = runConfig(o);
  const checkpointFile = path.join(o.out, 'checkpoint.safetensors');
  const files: string[] = [];

  // A resumed run must be the same run: refuse before generating anything.
  let resumeFrom: ReturnType<typeof readCheckpoint> | undefined;
  if (o.resume) {
    resumeFrom = readCheckpoint(o.resume);
    const diff = fieldDifferences(resumeFrom.header.config, config);
    if (diff.length) throw new MedsynthError('INVALID_ARGUMENT', `${o.resume} was trained with another configuration:\n  ${diff.join('\n  ')}`);
  }

  const t0 = performance.now();
  const [H, W] = o.size;
  emit({ type: 'info', line: `generating ClinicalSynth splits at ${H}×${W}: train ${o.nTrain} (seed ${SPLIT_SEEDS.train}), val ${o.nVal} (seed ${SPLIT_SEEDS.val}), test ${o.nTest} (seed ${SPLIT_SEEDS.test})` });
  const train = await generate(o.size, SPLIT_SEEDS.train, o.nTrain);
  const val = await generate(o.size, SPLIT_SEEDS.val, o.nVal);
  const test = await generate(o.size, SPLIT_SEEDS.test, o.nTest);
  const dataSeconds = (performance.now() - t0) / 1000;
  const nTab = train.columns.length;

  const model = new ClinicalClassifier(nTab, { seed: o.seed });
  const optimizer = new Adam(model.parameters(), { lr: o.lr });
  emit({ type: 'info', line: `data ready in ${dataSeconds.toFixed(1)} s; SimpleModel(n_tab=${nTab}): ${model.parameterCount()} parameters; Adam lr ${o.lr}, batch ${o.batchSize}, ${o.epochs} epochs` });

  let history: EpochRecord[] = [];
  let startEpoch = 1;
  let skipBatches = 0;
  const trainer = new Trainer(model, optimizer, {
    seed: o.seed,
    shouldStop,
    onBatch: (progress) => emit({ type: 'batch', epoch: progress.epoch, epochs: o.epochs, progress }),
  });
  if (resumeFrom && o.resume) {
    const header = loadCheckpoint(o.resume, model, { architecture: model.architecture() });
    loadOptimizerState(o.resume, header, optimizer);
    const t = header.training as { completed_epochs: number; step: number; resume_batch?: number; history?: EpochRecord[] };
    history = t.history ?? [];
    startEpoch = t.completed_epochs + 1;
    skipBatches = t.resume_batch ?? 0;
    trainer.globalStep = t.step;
    emit({ type: 'info', line: `resuming from ${o.resume}: epoch ${startEpoch}${skipBatches ? `, after batch ${skipBatches}` : ''}, step ${t.step}` });
  }

  const imageShape = [1, H, W];
  const forwardOn = (data: ClinicalBatch, indices: Int32Array, probs?: Float64Array, offset = 0) => {
    const img = gatherRows(data.images, imageShape, indices);
    const tab = gatherRows(data.tabular, [nTab], indices);
    const y = gatherLabels(data.y, indices);
    const logits = model.forward(img, tab);
    if (probs) softmaxPositive(logits, probs, offset);
    return { loss: crossEntropy(logits, y), count: indices.length, correct: countCorrect(logits, y) };
  };
  const sequential = (n: number) => batchRanges(n, o.batchSize).map(([s, e]) => Int32Array.from({ length: e - s }, (_, i) => s + i));
  // Batches carry their split: train batches are shuffled index sets, val batches consecutive ones.
  const valBatches = sequential(o.nVal).map((indices) => ({ data: val, indices }));

  let fitted: FitResult;
  try {
    fitted = fit({
      trainer,
      epochs: o.epochs,
      startEpoch,
      skipBatches,
      history,
      trainSplit: (epoch) => {
        const order = permutation(o.nTrain, o.seed, epoch);
        return { batches: batchRanges(o.nTrain, o.batchSize).map(([s, e]) => ({ data: train, indices: order.subarray(s, e) })), samples: o.nTrain };
      },
      valSplit: () => ({ batches: valBatches, samples: o.nVal }),
      forward: (b) => forwardOn(b.data, b.indices),
      checkpoint: (completed, rows, resume) =>
        saveCheckpoint(checkpointFile, model, {
          architecture: model.architecture(),
          config,
          optimizer,
          training: { completed_epochs: completed, step: trainer.globalStep, history: rows, ...(resume ? { resume_batch: resume.batch, interrupted: true } : {}) },
        }),
      logFile: path.join(o.out, 'training_log.csv'),
      onEpoch: (record, trainStats, valStats) => {
        emit({ type: 'epoch', epoch: record.epoch, epochs: o.epochs, train: trainStats, val: valStats!, line: epochLine(record.epoch, trainStats, valStats!) });
      },
    });
  } catch (err) {
    if (err instanceof TrainingDiverged) {
      const kept = existsSync(checkpointFile) ? `the last good checkpoint is ${checkpointFile} (epoch ${err.epoch - 1})` : 'no checkpoint was written (it diverged in the first epoch)';
      throw new MedsynthError('TRAINING_DIVERGED', `${err.message}; ${kept}. Try a lower --lr.`, { cause: err });
    }
    throw err;
  }
  if (fitted.end === 'interrupted') {
    const at = fitted.interruptedAt!;
    emit({ type: 'info', line: `interrupted in epoch ${at.epoch} after ${at.batch} batches; saved ${checkpointFile} (continue with --resume ${checkpointFile})` });
    return { interrupted: true, files: [checkpointFile] };
  }
  history = fitted.history;
  const trainSeconds = fitted.seconds;
  const trainedSamples = fitted.samples;

  // Test pass: accuracy, AUC, and the Bayes oracle on the same samples.
  const probs = new Float64Array(o.nTest);
  let offset = 0;
  const testStats = trainer.runEpoch('eval', o.epochs + 1, sequential(o.nTest), o.nTest, (b) => {
    const r = forwardOn(test, b, probs, offset);
    offset += b.length;
    return r;
  });
  const oracle = new ClinicalSynth({ H, W, seed: SPLIT_SEEDS.test }).oracle(test);
  const metrics: ClinicalMetrics = {
    test_accuracy: testStats.accuracy,
    test_auc: rocAuc(probs, test.y),
    test_loss: testStats.loss,
    n_test: o.nTest,
    test_positive_rate: oracle.positiveRate,
    oracle_auc: oracle.ceilingY.auc,
    oracle_accuracy: oracle.ceilingY.accuracy,
    prior_auc: oracle.priorY.auc,
    prior_accuracy: oracle.priorY.accuracy,
    majority_accuracy: oracle.majorityAccuracy,
    epochs: o.epochs,
    train_seconds: trainSeconds,
    data_seconds: dataSeconds,
    samples_per_second: trainedSamples / Math.max(trainSeconds, 1e-9),
  };

  const modelFile = path.join(o.out, 'model.safetensors');
  saveCheckpoint(modelFile, model, { architecture: model.architecture(), config, training: { completed_epochs: o.epochs, step: trainer.globalStep, history } });
  const predictions = ['index,y,probability', ...Array.from(probs, (p, i) => `${i},${test.y[i]},${p.toPrecision(6)}`)].join('\n') + '\n';
  writeFileAtomicSync(path.join(o.out, 'predictions.csv'), predictions);
  writeFileAtomicSync(path.join(o.out, 'metrics.json'), JSON.stringify({ ...metrics, config }, null, 2) + '\n');
  files.push(modelFile, checkpointFile, path.join(o.out, 'training_log.csv'), path.join(o.out, 'predictions.csv'), path.join(o.out, 'metrics.json'));
  return { interrupted: false, metrics, files };
}
