/**
 * Plain float64 references for the metric kernels: test oracles and benchmark baselines.
 */

/** Confusion counts per sample; pred foreground where p >= threshold, target where g >= 0.5. */
export function referenceConfusion(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  batch: number,
  size: number,
  threshold: number,
  predIsMask: boolean,
  targetIsMask: boolean,
): { tp: number; fp: number; fn: number; tn: number }[] {
  const out = [];
  for (let b = 0; b < batch; b++) {
    const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (let i = b * size; i < (b + 1) * size; i++) {
      const p = predIsMask ? pred[i] !== 0 : pred[i] >= threshold;
      const g = targetIsMask ? target[i] !== 0 : target[i] >= 0.5;
      if (p && g) c.tp++;
      else if (p) c.fp++;
      else if (g) c.fn++;
      else c.tn++;
    }
    out.push(c);
  }
  return out;
}

export interface ReferenceConcordance {
  concordant: number;
  discordant: number;
  tiedRisk: number;
  comparable: number;
  cIndex: number;
}

/** Harrell's C by checking every pair: O(n²). */
export function referenceConcordance(risk: ArrayLike<number>, time: ArrayLike<number>, event: ArrayLike<number>): ReferenceConcordance {
  let concordant = 0;
  let discordant = 0;
  let tiedRisk = 0;
  const n = risk.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j || !event[i]) continue;
      // i is the subject expected to fail first: an event strictly before t_j, or an event at
      // t_j when j is censored (ordered pairs (i, j), so each pair is seen once this way).
      const comparable = time[i] < time[j] || (time[i] === time[j] && !event[j]);
      if (!comparable) continue;
      if (risk[i] > risk[j]) concordant++;
      else if (risk[i] < risk[j]) discordant++;
      else tiedRisk++;
    }
  }
  const comparable = concordant + discordant + tiedRisk;
  return { concordant, discordant, tiedRisk, comparable, cIndex: (concordant + 0.5 * tiedRisk) / comparable };
}

/**
 * Harrell's C in O(n log n) in plain TypeScript (Array.prototype.sort and a Fenwick tree over
 * risk ranks): the benchmark baseline at large n.
 */
export function referenceConcordanceFenwick(risk: ArrayLike<number>, time: ArrayLike<number>, event: ArrayLike<number>): ReferenceConcordance {
  const n = risk.length;
  const byRisk = Array.from({ length: n }, (_, i) => i).sort((a, b) => risk[a] - risk[b]);
  const rank = new Int32Array(n);
  let ranks = 0;
  for (let k = 0; k < n; k++) {
    if (k === 0 || risk[byRisk[k]] !== risk[byRisk[k - 1]]) ranks++;
    rank[byRisk[k]] = ranks;
  }
  const byTime = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[b] - time[a]);
  const tree = new Float64Array(ranks + 1);
  const count = new Float64Array(ranks + 1);
  const insert = (r: number) => {
    count[r]++;
    for (let x = r; x <= ranks; x += x & -x) tree[x]++;
  };
  const below = (r: number) => {
    let s = 0;
    for (let x = r - 1; x > 0; x -= x & -x) s += tree[x];
    return s;
  };
  let concordant = 0;
  let discordant = 0;
  let tiedRisk = 0;
  let inserted = 0;
  for (let begin = 0; begin < n; ) {
    let end = begin + 1;
    while (end < n && time[byTime[end]] === time[byTime[begin]]) end++;
    for (let k = begin; k < end; k++) {
      if (!event[byTime[k]]) {
        insert(rank[byTime[k]]);
        inserted++;
      }
    }
    for (let k = begin; k < end; k++) {
      const i = byTime[k];
      if (!event[i]) continue;
      const less = below(rank[i]);
      const same = count[rank[i]];
      concordant += less;
      tiedRisk += same;
      discordant += inserted - less - same;
    }
    for (let k = begin; k < end; k++) {
      if (event[byTime[k]]) {
        insert(rank[byTime[k]]);
        inserted++;
      }
    }
    begin = end;
  }
  const comparable = concordant + discordant + tiedRisk;
  return { concordant, discordant, tiedRisk, comparable, cIndex: (concordant + 0.5 * tiedRisk) / comparable };
}

/** ECE with equal-width bins; see lib/metric/calibration.ts for the two modes. */
export function referenceCalibration(
  prob: ArrayLike<number>,
  label: ArrayLike<number>,
  bins: number,
  mode: 'confidence' | 'positive',
): { ece: number; mce: number; count: number[]; meanConfidence: number[]; accuracy: number[] } {
  const count = new Array(bins).fill(0);
  const conf = new Array(bins).fill(0);
  const hit = new Array(bins).fill(0);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    let c: number;
    let h: number;
    if (mode === 'confidence') {
      const predicted = p >= 0.5 ? 1 : 0;
      c = predicted ? p : 1 - p;
      h = predicted === label[i] ? 1 : 0;
    } else {
      c = p;
      h = label[i];
    }
    const b = Math.min(Math.floor(c * bins), bins - 1);
    count[b]++;
    conf[b] += c;
    hit[b] += h;
  }
  let ece = 0;
  let mce = 0;
  const meanConfidence = conf.map((s, b) => (count[b] ? s / count[b] : NaN));
  const accuracy = hit.map((s, b) => (count[b] ? s / count[b] : NaN));
  for (let b = 0; b < bins; b++) {
    if (!count[b]) continue;
    const gap = Math.abs(accuracy[b] - meanConfidence[b]);
    ece += (count[b] / prob.length) * gap;
    mce = Math.max(mce, gap);
  }
  return { ece, mce, count, meanConfidence, accuracy };
}

export function referencePearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** 1-based ranks, ties get the mean of their positions. */
export function fractionalRanks(v: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const ranks = new Float64Array(v.length);
  for (let a = 0; a < order.length; ) {
    let b = a + 1;
    while (b < order.length && v[order[b]] === v[order[a]]) b++;
    for (let k = a; k < b; k++) ranks[order[k]] = (a + b + 1) / 2;
    a = b;
  }
  return ranks;
}

export function referenceSpearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return referencePearson(fractionalRanks(x), fractionalRanks(y));
}
