/**
 * Learning-rate schedules and epoch callbacks with torch's / Keras's semantics:
 * ReduceLROnPlateau (torch defaults: mode min, factor 0.1, patience 10, threshold 1e-4 rel,
 * cooldown 0, min_lr 0, eps 1e-8), CosineAnnealingLR (closed form), EarlyStopping and
 * checkpoint-best (both "improved" by the same rule as the plateau scheduler).
 */
import { MedsynthError } from '../errors.js';
import type { Optimizer } from './optim/optimizer.js';

export type MetricMode = 'min' | 'max';

/** torch's _is_better: relative or absolute improvement beyond `threshold`. */
function improves(current: number, best: number, mode: MetricMode, threshold: number, thresholdMode: 'rel' | 'abs'): boolean {
  if (mode === 'min') return thresholdMode === 'rel' ? current < best * (1 - threshold) : current < best - threshold;
  return thresholdMode === 'rel' ? current > best * (1 + threshold) : current > best + threshold;
}

export interface PlateauOptions {
  mode?: MetricMode;
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

export class ReduceLROnPlateau {
  readonly mode: MetricMode;
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(
    private readonly optimizer: Optimizer,
    { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 }: PlateauOptions = {},
  ) {
    if (!(factor < 1 && factor >= 0)) throw new MedsynthError('INVALID_ARGUMENT', `Factor should be < 1.0, got ${factor}`);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.eps = eps;
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Call once per epoch with the monitored metric; returns true when it lowered the rate. */
  step(metric: number): boolean {
    if (improves(metric, this.best, this.mode, this.threshold, this.thresholdMode)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) {
        this.optimizer.lr = next;
        return true;
      }
    }
    return false;
  }

  stateDict(): Record<string, number> {
    return { best: this.best, num_bad_epochs: this.numBadEpochs, cooldown_counter: this.cooldownCounter };
  }

  loadStateDict(s: Record<string, number>): void {
    this.best = s.best;
    this.numBadEpochs = s.num_bad_epochs;
    this.cooldownCounter = s.cooldown_counter;
  }
}

/** torch's CosineAnnealingLR: lr_t = eta_min + (base − eta_min)(1 + cos(π t / T_max)) / 2. */
export class CosineAnnealingLR {
  readonly baseLr: number;
  lastEpoch = 0;

  constructor(
    private readonly optimizer: Optimizer,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    if (!(tMax > 0)) throw new MedsynthError('INVALID_ARGUMENT', `T_max must be positive, got ${tMax}`);
    this.baseLr = optimizer.lr;
  }

  /** Call once per epoch, after the optimizer's steps. */
  step(): number {
    this.lastEpoch++;
    this.optimizer.lr = this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2;
    return this.optimizer.lr;
  }
}

export interface MonitorOptions {
  mode?: MetricMode;
  /** Minimum change that counts as an improvement (absolute). */
  minDelta?: number;
}

/** Stops when the metric has not improved for `patience` epochs (Keras's EarlyStopping). */
export class EarlyStopping {
  best: number;
  wait = 0;
  bestEpoch = -1;
  readonly mode: MetricMode;
  readonly minDelta: number;

  constructor(
    readonly patience: number,
    { mode = 'min', minDelta = 0 }: MonitorOptions = {},
  ) {
    this.mode = mode;
    this.minDelta = minDelta;
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Returns true when training should stop. */
  step(metric: number, epoch: number): boolean {
    if (improves(metric, this.best, this.mode, this.minDelta, 'abs') || (this.bestEpoch < 0 && Number.isFinite(metric))) {
      this.best = metric;
      this.bestEpoch = epoch;
      this.wait = 0;
      return false;
    }
    this.wait++;
    return this.wait >= this.patience;
  }
}

/** Calls `save` whenever the monitored metric improves (Keras's ModelCheckpoint(save_best_only)). */
export class CheckpointBest {
  best: number;
  bestEpoch = -1;
  readonly mode: MetricMode;

  constructor(
    private readonly save: (epoch: number, metric: number) => void,
    { mode = 'min' }: { mode?: MetricMode } = {},
  ) {
    this.mode = mode;
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Returns true when it saved. */
  step(metric: number, epoch: number): boolean {
    if (!Number.isFinite(metric) || !improves(metric, this.best, this.mode, 0, 'abs')) return false;
    this.best = metric;
    this.bestEpoch = epoch;
    this.save(epoch, metric);
    return true;
  }
}
