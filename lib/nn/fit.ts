/**
 * The epoch loop every model shares: train and validation passes, a resumable checkpoint and a
 * CSV log row after each epoch, callbacks that may stop early (EarlyStopping, ReduceLROnPlateau,
 * CheckpointBest from schedule.ts), and the two abnormal ends — an interrupt (the checkpoint is
 * saved with where to continue) and a NaN/Inf loss (nothing is saved, so the last checkpoint on
 * disk stays the last good one).
 */
import { writeFileAtomicSync } from '../io/atomic.js';
import type { EpochStats, StepOutput, Trainer } from './trainer.js';
import { TrainingInterrupted } from './trainer.js';

/** One row of the training log. */
export interface EpochRecord {
  epoch: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  lr: number;
  seconds: number;
}

export interface Split<B> {
  batches: readonly B[];
  samples: number;
}

export interface FitOptions<B> {
  trainer: Trainer;
  epochs: number;
  /** Epoch to start from (1-based; > 1 when resuming) and batches of it already applied. */
  startEpoch?: number;
  skipBatches?: number;
  /** Log rows of earlier epochs (resuming). */
  history?: EpochRecord[];
  trainSplit: (epoch: number) => Split<B>;
  valSplit?: () => Split<B>;
  forward: (batch: B) => StepOutput;
  /** Saves a resumable checkpoint: `completedEpochs` epochs done, plus where to continue. */
  checkpoint?: (completedEpochs: number, history: readonly EpochRecord[], resume?: { batch: number }) => void;
  /** CSV log rewritten after every epoch. */
  logFile?: string;
  /** After each epoch; return true to stop (early stopping). */
  onEpoch?: (record: EpochRecord, train: EpochStats, val: EpochStats | null) => boolean | void;
}

export interface FitResult {
  history: EpochRecord[];
  /** 'completed' | 'stopped' (a callback) | 'interrupted' (checkpoint saved). */
  end: 'completed' | 'stopped' | 'interrupted';
  /** Samples trained on in this call and the seconds it took. */
  samples: number;
  seconds: number;
  interruptedAt?: { epoch: number; batch: number };
}

const CSV_COLUMNS: (keyof EpochRecord)[] = ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'lr', 'seconds'];

export function historyCsv(rows: readonly EpochRecord[]): string {
  const cell = (r: EpochRecord, c: keyof EpochRecord) => (c === 'epoch' ? String(r[c]) : Number(r[c]).toPrecision(6));
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r, c)).join(','))].join('\n') + '\n';
}

/** Runs epochs startEpoch..epochs. A TrainingDiverged error propagates with nothing saved for that epoch. */
export function fit<B>(o: FitOptions<B>): FitResult {
  const history = [...(o.history ?? [])];
  const started = performance.now();
  let samples = 0;
  let skip = o.skipBatches ?? 0;
  for (let epoch = o.startEpoch ?? 1; epoch <= o.epochs; epoch++) {
    let train: EpochStats;
    try {
      const split = o.trainSplit(epoch);
      train = o.trainer.runEpoch('train', epoch, split.batches, split.samples, o.forward, skip);
    } catch (err) {
      if (!(err instanceof TrainingInterrupted)) throw err;
      o.checkpoint?.(epoch - 1, history, { batch: err.batchesDone });
      return { history, end: 'interrupted', samples, seconds: (performance.now() - started) / 1000, interruptedAt: { epoch, batch: err.batchesDone } };
    }
    skip = 0;
    samples += train.samples;
    const valSplit = o.valSplit?.();
    const val = valSplit ? o.trainer.runEpoch('eval', epoch, valSplit.batches, valSplit.samples, o.forward) : null;
    const record: EpochRecord = {
      epoch,
      train_loss: train.loss,
      train_acc: train.accuracy,
      val_loss: val?.loss ?? NaN,
      val_acc: val?.accuracy ?? NaN,
      lr: o.trainer.optimizer.lr,
      seconds: train.seconds + (val?.seconds ?? 0),
    };
    history.push(record);
    const stop = o.onEpoch?.(record, train, val) === true;
    o.checkpoint?.(epoch, history);
    if (o.logFile) writeFileAtomicSync(o.logFile, historyCsv(history));
    if (stop) return { history, end: 'stopped', samples, seconds: (performance.now() - started) / 1000 };
  }
  return { history, end: 'completed', samples, seconds: (performance.now() - started) / 1000 };
}
