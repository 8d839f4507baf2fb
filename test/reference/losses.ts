/**
 * Plain float64 references for the loss kernels: direct transcriptions of the formulas, used
 * as test oracles (and for finite differences, since they take any ArrayLike<number>) and as
 * benchmark baselines. Gradients are of the batch-mean loss, like the native kernels.
 */

export interface ReferenceBatchLoss {
  loss: number;
  perSample: Float64Array;
  grad: Float64Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export interface ReferenceTverskyOptions {
  weightFN: number;
  weightFP: number;
  gamma: number;
  smooth: number;
  fromLogits: boolean;
}

/** Focal Tversky: TI = (TP + s)/(TP + wFN·FN + wFP·FP + s), loss = (1 − TI)^γ, batch mean. */
export function referenceFocalTversky(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  batch: number,
  size: number,
  o: ReferenceTverskyOptions,
): ReferenceBatchLoss {
  const perSample = new Float64Array(batch);
  const grad = new Float64Array(batch * size);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    let tp = 0;
    let fn = 0;
    let fp = 0;
    for (let i = b * size; i < (b + 1) * size; i++) {
      const p = o.fromLogits ? sigmoid(pred[i]) : pred[i];
      const g = target[i];
      tp += p * g;
      fn += (1 - p) * g;
      fp += p * (1 - g);
    }
    const num = tp + o.smooth;
    const den = tp + o.weightFN * fn + o.weightFP * fp + o.smooth;
    const ti = den > 0 ? num / den : 1;
    const miss = 1 - ti;
    perSample[b] = miss > 0 ? miss ** o.gamma : 0;
    loss += perSample[b] / batch;
    const dLossDti = miss > 0 && den > 0 ? (-o.gamma * miss ** (o.gamma - 1)) / batch : 0;
    for (let i = b * size; i < (b + 1) * size; i++) {
      const p = o.fromLogits ? sigmoid(pred[i]) : pred[i];
      const g = target[i];
      // dTP/dp = g, dFN/dp = −g, dFP/dp = 1 − g; quotient rule on TI = num / den.
      const dDen = g - o.weightFN * g + o.weightFP * (1 - g);
      const dTi = (g * den - num * dDen) / (den * den);
      grad[i] = dLossDti * dTi * (o.fromLogits ? p * (1 - p) : 1);
    }
  }
  return { loss, perSample, grad };
}

/** Soft Dice: 1 − (2Σpg + s)/(Σp + Σg + s), batch mean. */
export function referenceSoftDice(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  batch: number,
  size: number,
  o: { smooth: number; fromLogits: boolean },
): ReferenceBatchLoss {
  const perSample = new Float64Array(batch);
  const grad = new Float64Array(batch * size);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    let tp = 0;
    let sp = 0;
    let sg = 0;
    for (let i = b * size; i < (b + 1) * size; i++) {
      const p = o.fromLogits ? sigmoid(pred[i]) : pred[i];
      tp += p * target[i];
      sp += p;
      sg += target[i];
    }
    const num = 2 * tp + o.smooth;
    const den = sp + sg + o.smooth;
    perSample[b] = den > 0 ? 1 - num / den : 0;
    loss += perSample[b] / batch;
    for (let i = b * size; i < (b + 1) * size; i++) {
      const p = o.fromLogits ? sigmoid(pred[i]) : pred[i];
      const dp = den > 0 ? -(2 * target[i] * den - num) / (den * den) : 0;
      grad[i] = (dp / batch) * (o.fromLogits ? p * (1 - p) : 1);
    }
  }
  return { loss, perSample, grad };
}

/** Binary cross-entropy, per-sample mean over elements, batch mean (PyTorch clamps). */
export function referenceBce(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  batch: number,
  size: number,
  o: { fromLogits: boolean },
): ReferenceBatchLoss {
  const perSample = new Float64Array(batch);
  const grad = new Float64Array(batch * size);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = b * size; i < (b + 1) * size; i++) {
      const x = pred[i];
      const g = target[i];
      if (o.fromLogits) {
        const p = sigmoid(x);
        sum += -(g * Math.log(p) + (1 - g) * Math.log(1 - p));
        grad[i] = (p - g) / (batch * size);
      } else {
        sum += -(g * Math.max(Math.log(x), -100) + (1 - g) * Math.max(Math.log(1 - x), -100));
        grad[i] = (x - g) / Math.max(x * (1 - x), 1e-12) / (batch * size);
      }
    }
    perSample[b] = sum / size;
    loss += perSample[b] / batch;
  }
  return { loss, perSample, grad };
}

export type ReferenceTies = 'breslow' | 'efron';

/**
 * Cox negative log partial likelihood / events and its gradient, straight from the definition:
 * for every distinct event time, scan all subjects for the risk set. O(n²); use e^η directly,
 * so keep |η| moderate.
 */
export function referenceCoxLoss(
  risk: ArrayLike<number>,
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  ties: ReferenceTies,
): { loss: number; grad: Float64Array } {
  const n = risk.length;
  const eventTimes = [...new Set(Array.from({ length: n }, (_, i) => i).filter((i) => event[i]).map((i) => time[i]))];
  const grad = new Float64Array(n);
  let nll = 0;
  let events = 0;
  for (const t of eventTimes) {
    let r = 0;
    let eD = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      if (time[j] >= t) r += Math.exp(risk[j]);
      if (time[j] === t && event[j]) {
        eD += Math.exp(risk[j]);
        d++;
        nll -= risk[j];
        grad[j] -= 1;
      }
    }
    events += d;
    for (let l = 0; l < d; l++) {
      const f = ties === 'efron' ? l / d : 0;
      const den = r - f * eD;
      nll += Math.log(den);
      for (let k = 0; k < n; k++) {
        if (time[k] < t) continue;
        const inD = time[k] === t && event[k] === 1;
        grad[k] += (Math.exp(risk[k]) * (1 - (inD ? f : 0))) / den;
      }
    }
  }
  for (let k = 0; k < n; k++) grad[k] /= events;
  return { loss: nll / events, grad };
}

/**
 * The same loss in O(n log n) in plain TypeScript (Array.prototype.sort by time, cumulative
 * sums, log-sum-exp against the running maximum): the benchmark baseline at large n.
 */
export function referenceCoxLossSorted(
  risk: ArrayLike<number>,
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  ties: ReferenceTies,
): { loss: number; grad: Float64Array } {
  const n = risk.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[b] - time[a] || a - b);
  const groupStart: number[] = [];
  const logC: number[] = [];
  const logCOwn: number[] = [];
  let m = -Infinity;
  let s = 0;
  let nll = 0;
  let events = 0;
  for (let begin = 0; begin < n; ) {
    let end = begin + 1;
    while (end < n && time[order[end]] === time[order[begin]]) end++;
    groupStart.push(begin);
    for (let k = begin; k < end; k++) {
      const eta = risk[order[k]];
      if (eta > m) {
        s = s * Math.exp(m - eta) + 1;
        m = eta;
      } else {
        s += Math.exp(eta - m);
      }
    }
    let d = 0;
    let etaD = 0;
    let sD = 0;
    for (let k = begin; k < end; k++) {
      const i = order[k];
      if (event[i]) {
        d++;
        etaD += risk[i];
        sD += Math.exp(risk[i] - m);
      }
    }
    events += d;
    let c = 0;
    let cOwn = 0;
    for (let l = 0; l < d; l++) {
      const f = ties === 'efron' ? l / d : 0;
      const den = s - f * sD;
      nll += m + Math.log(den);
      c += 1 / den;
      cOwn += (1 - f) / den;
    }
    nll -= etaD;
    logC.push(d ? Math.log(c) - m : -Infinity);
    logCOwn.push(d ? Math.log(cOwn) - m : -Infinity);
    begin = end;
  }
  const logAdd = (a: number, b: number) =>
    a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
  const grad = new Float64Array(n);
  let later = -Infinity;
  for (let g = groupStart.length - 1; g >= 0; g--) {
    const end = g + 1 < groupStart.length ? groupStart[g + 1] : n;
    for (let k = groupStart[g]; k < end; k++) {
      const i = order[k];
      const total = logAdd(later, event[i] ? logCOwn[g] : logC[g]);
      grad[i] = (Math.exp(risk[i] + total) - event[i]) / events;
    }
    later = logAdd(later, logC[g]);
  }
  return { loss: nll / events, grad };
}
