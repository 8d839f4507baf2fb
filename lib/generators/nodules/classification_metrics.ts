/**
 * The columns of seed 002's downstream table — accuracy, sensitivity, specificity, AUC-ROC — for
 * malignancy scores against labels, at a stated decision threshold (malignant where score ≥ t),
 * and the threshold rule used when it is chosen on a validation split (Youden's J).
 */
import { invalidParameter } from '../../errors.js';
import { rocAuc } from '../clinical2d/oracle.js';

export interface BinaryMetrics {
  threshold: number;
  accuracy: number;
  /** TP / (TP + FN): malignant nodules called malignant (NaN without malignant nodules). */
  sensitivity: number;
  /** TN / (TN + FP): benign nodules called benign (NaN without benign nodules). */
  specificity: number;
  /** Area under the ROC curve (ties count half; threshold-free). */
  auc: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

function checkPairs(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (labels.length !== scores.length) throw invalidParameter('labels', `${scores.length} labels (one per score)`, labels.length);
  if (scores.length === 0) throw invalidParameter('scores', 'at least one score', 0);
}

export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  checkPairs(scores, labels);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const called = scores[i] >= threshold;
    if (labels[i]) {
      if (called) tp++;
      else fn++;
    } else if (called) fp++;
    else tn++;
  }
  return {
    threshold,
    accuracy: (tp + tn) / scores.length,
    sensitivity: tp + fn ? tp / (tp + fn) : NaN,
    specificity: tn + fp ? tn / (tn + fp) : NaN,
    auc: rocAuc(scores, labels),
    tp, fp, tn, fn,
  };
}

/**
 * The threshold maximising Youden's J = sensitivity + specificity − 1 over the observed scores
 * (malignant where score ≥ t; the smallest such t on ties). Needs both classes.
 */
export function youdenThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs(scores, labels);
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i]) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw invalidParameter('labels', 'both classes to choose a threshold', `${positives} malignant of ${n}`);
  // Descending scores: lowering t past a run of equal scores calls all of them malignant.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let tp = 0, fp = 0;
  let best = -Infinity, bestT = Infinity;
  for (let i = 0; i < n; ) {
    const t = scores[order[i]];
    for (; i < n && scores[order[i]] === t; i++) {
      if (labels[order[i]]) tp++;
      else fp++;
    }
    const j = tp / positives - fp / negatives;
    if (j >= best) {
      best = j;
      bestT = t;
    }
  }
  return bestT;
}
