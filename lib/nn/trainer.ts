/**
 * The training loop, the same for every model: one optimizer step per batch inside an arena
 * scope (buffers reused from the second step on), dropout keyed by (seed, global step), a loss
 * checked for NaN/Inf BEFORE the update (so the weights and the last checkpoint stay good),
 * optional gradient clipping, interruption between steps, and per-epoch statistics as the seed's
 * run_epoch computes them (sample-weighted mean loss, accuracy). It is synchronous: run it in a
 * worker thread (worker_runner.ts) so the event loop stays free.
 */
import { MedsynthError } from '../errors.js';
import { withArena } from './arena.js';
import { backward, noGrad } from './autograd.js';
import { clipGradNorm } from './clip.js';
import type { Module } from './module.js';
import type { Optimizer } from './optim/optimizer.js';
import type { Tensor } from './tensor.js';

/** What a model's forward gives for one batch. */
export interface StepOutput {
  /** Scalar loss (mean over the batch). */
  loss: Tensor;
  /** Samples in the batch (weights the epoch's mean loss). */
  count: number;
  /** Correctly classified samples, for classifiers. */
  correct?: number;
}

export interface BatchProgress {
  phase: 'train' | 'eval';
  epoch: number;
  /** Samples done in this epoch / in total. */
  done: number;
  total: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
}

export interface EpochStats {
  loss: number;
  /** NaN when the forward reports no `correct`. */
  accuracy: number;
  samples: number;
  seconds: number;
}

/** The loss became NaN or Inf: training stopped before that update. */
export class TrainingDiverged extends MedsynthError {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly lossValue: number,
  ) {
    super('TRAINING_DIVERGED', `the training loss became ${lossValue} at step ${step} (epoch ${epoch}); stopped before applying that update`);
    this.name = 'TrainingDiverged';
  }
}

/** The user asked to stop (Ctrl-C); `batchesDone` batches of the current epoch were applied. */
export class TrainingInterrupted extends Error {
  constructor(
    readonly epoch: number,
    readonly batchesDone: number,
  ) {
    super(`training interrupted in epoch ${epoch} after ${batchesDone} batches`);
    this.name = 'TrainingInterrupted';
  }
}

export interface TrainerOptions {
  /** Seed of the dropout masks (with the global step). */
  seed: number;
  /** Clip the gradients' global 2-norm to this before each update. */
  clipNorm?: number;
  onBatch?: (progress: BatchProgress) => void;
  /** Polled between steps; true stops with TrainingInterrupted. */
  shouldStop?: () => boolean;
}

/** Index of the larger logit per row of [N, C] logits, compared with targets. */
export function countCorrect(logits: Tensor, targets: ArrayLike<number>): number {
  const [n, c] = logits.shape;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits.data[i * c + j] > logits.data[i * c + best]) best = j;
    if (best === targets[i]) correct++;
  }
  return correct;
}

export class Trainer {
  /** Optimizer steps taken so far (keys the dropout masks). */
  globalStep = 0;

  constructor(
    readonly model: Module,
    readonly optimizer: Optimizer,
    readonly options: TrainerOptions,
  ) {}

  /** One update: forward, loss check, backward, clip, step. Returns the batch's loss, count, correct. */
  trainStep(forward: () => StepOutput, epoch = 0): { loss: number; count: number; correct: number | undefined } {
    return withArena(() => {
      this.model.setDropoutContext({ seed: this.options.seed, step: this.globalStep });
      const out = forward();
      const loss = out.loss.item();
      if (!Number.isFinite(loss)) throw new TrainingDiverged(this.globalStep, epoch, loss);
      this.optimizer.zeroGrad();
      backward(out.loss);
      if (this.options.clipNorm !== undefined) clipGradNorm(this.optimizer.params, this.options.clipNorm);
      this.optimizer.step();
      // The gradients live in this arena scope: drop them before their memory is reused.
      this.optimizer.zeroGrad();
      this.globalStep++;
      return { loss, count: out.count, correct: out.correct };
    });
  }

  /**
   * One pass over `batches` (`total` samples). Training mode updates the weights; eval mode runs
   * without the tape. `skip` leaves out the first batches (resuming an interrupted epoch).
   */
  runEpoch<B>(phase: 'train' | 'eval', epoch: number, batches: readonly B[], total: number, forward: (batch: B) => StepOutput, skip = 0): EpochStats {
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let hasAccuracy = false;
    let samples = 0;
    if (phase === 'train') this.model.train();
    else this.model.eval();
    for (let b = skip; b < batches.length; b++) {
      if (phase === 'train' && this.options.shouldStop?.()) throw new TrainingInterrupted(epoch, b);
      const r =
        phase === 'train'
          ? this.trainStep(() => forward(batches[b]), epoch)
          : withArena(() =>
              noGrad(() => {
                const out = forward(batches[b]);
                return { loss: out.loss.item(), count: out.count, correct: out.correct };
              }),
            );
      lossSum += r.loss * r.count;
      samples += r.count;
      if (r.correct !== undefined) {
        hasAccuracy = true;
        correct += r.correct;
      }
      this.options.onBatch?.({ phase, epoch, done: samples, total, loss: lossSum / samples, accuracy: hasAccuracy ? correct / samples : NaN });
    }
    return {
      loss: samples ? lossSum / samples : NaN,
      accuracy: hasAccuracy && samples ? correct / samples : NaN,
      samples,
      seconds: (performance.now() - started) / 1000,
    };
  }
}
