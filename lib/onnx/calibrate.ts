/**
 * Activation ranges for static quantization, observed by running the float model in ORT with
 * every activation as an extra output over N calibration samples. Methods:
 *  - minmax: the observed [min, max];
 *  - percentile: clip |x| at its p-th percentile (default 99.99) of all observed values;
 *  - entropy: the clip threshold minimising KL(P‖Q) between the |x| histogram (2048 bins) and its
 *    quantized version (TensorRT's calibration; 256 levels for non-negative tensors, 128 else;
 *    exact zeros are left out of the histograms).
 * Histograms span [0, max|x|] from the first pass, so percentile/entropy take two passes.
 */
import { MedsynthError } from '../errors.js';
import { cloneGraph, encodeModel, type Graph } from './graph.js';
import { createSession, runSession, type NamedArray } from './ort.js';

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy'];

export interface Range {
  lo: number;
  hi: number;
}

export interface CalibrationOptions {
  method?: CalibrationMethod;
  percentile?: number;
  bins?: number;
  /** Activations that keep their observed range under percentile/entropy (e.g. partial sums). */
  unclipped?: ReadonlySet<string>;
}

export type Sample = Record<string, NamedArray>;

/** Every activation (graph inputs and node outputs) of the graph. */
export function activationNames(graph: Graph): string[] {
  const names = graph.inputs.map((v) => v.name);
  for (const n of graph.nodes) for (const o of n.outputs) if (o && !graph.initializers.has(o)) names.push(o);
  return [...new Set(names)];
}

async function observe(graph: Graph, samples: readonly Sample[], names: string[], visit: (name: string, data: Float32Array) => void): Promise<void> {
  const g = cloneGraph(graph);
  const present = new Set(g.outputs.map((o) => o.name));
  for (const n of names) if (!present.has(n) && !g.inputs.some((i) => i.name === n)) g.outputs.push({ name: n, dims: null });
  const session = await createSession(encodeModel(g), { threads: 2 });
  try {
    for (const sample of samples) {
      const out = await runSession(session, sample, names.filter((n) => !g.inputs.some((i) => i.name === n)));
      for (const n of names) visit(n, out[n]?.data ?? sample[n].data);
    }
  } finally {
    await session.release();
  }
}

function percentileThreshold(hist: Float64Array, width: number, p: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc >= (p / 100) * total) return (i + 1) * width;
  }
  return hist.length * width;
}

function kl(p: Float64Array, q: Float64Array): number {
  const ps = p.reduce((a, b) => a + b, 0);
  const qs = q.reduce((a, b) => a + b, 0);
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Infinity;
    d += (p[i] / ps) * Math.log(p[i] / ps / (q[i] / qs));
  }
  return d;
}

/** TensorRT's entropy calibration over a |x| histogram; returns the clip threshold (a multiple of 8 bins). */
export function entropyThreshold(hist: Float64Array, width: number, levels: number): number {
  let best = hist.length;
  let bestKl = Infinity;
  const tail = new Float64Array(hist.length + 1);
  for (let j = hist.length - 1; j >= 0; j--) tail[j] = tail[j + 1] + hist[j];
  // Candidate thresholds every `step` bins (TensorRT tries every bin; 8 is as good and 8× faster).
  const step = 8;
  for (let i = levels; i <= hist.length; i += step) {
    const ref = hist.slice(0, i);
    ref[i - 1] += tail[i];
    // Merge the first i bins into `levels` groups, then spread each group over the bins that are
    // non-empty in the reference (TensorRT's expansion; empty q bins are smoothed, not infinite).
    const q = new Float64Array(i);
    for (let g = 0; g < levels; g++) {
      const start = Math.floor((g * i) / levels);
      const end = Math.floor(((g + 1) * i) / levels);
      let sum = 0;
      let nonzero = 0;
      for (let j = start; j < end; j++) {
        sum += hist[j];
        if (ref[j] > 0) nonzero++;
      }
      for (let j = start; j < end; j++) q[j] = ref[j] > 0 ? Math.max(sum / nonzero, 1e-4) : 0;
    }
    const d = kl(ref, q);
    if (d < bestKl) {
      bestKl = d;
      best = i;
    }
  }
  return best * width;
}

/** Ranges of the named activations over the samples. */
export async function calibrate(graph: Graph, samples: readonly Sample[], names: string[], { method = 'minmax', percentile = 99.99, bins = 2048, unclipped }: CalibrationOptions = {}): Promise<Map<string, Range>> {
  if (samples.length === 0) throw new MedsynthError('INVALID_ARGUMENT', 'the calibration set is empty: quantization needs at least one sample');
  if (!CALIBRATION_METHODS.includes(method)) throw new MedsynthError('INVALID_ARGUMENT', `unknown calibration method '${method}' (use ${CALIBRATION_METHODS.join(', ')})`);
  if (!(percentile > 0 && percentile <= 100)) throw new MedsynthError('INVALID_ARGUMENT', `percentile has to be in (0, 100], got ${percentile}`);
  const ranges = new Map<string, Range>(names.map((n) => [n, { lo: Infinity, hi: -Infinity }]));
  await observe(graph, samples, names, (n, data) => {
    const r = ranges.get(n) as Range;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < r.lo) r.lo = v;
      if (v > r.hi) r.hi = v;
    }
  });
  if (method === 'minmax') return ranges;
  const hists = new Map(names.map((n) => [n, new Float64Array(bins)]));
  const widths = new Map(names.map((n) => {
    const r = ranges.get(n) as Range;
    return [n, Math.max(Math.abs(r.lo), Math.abs(r.hi), 1e-12) / bins];
  }));
  await observe(graph, samples, names, (n, data) => {
    const h = hists.get(n) as Float64Array;
    const w = widths.get(n) as number;
    // Exact zeros (ReLU's dead half) would dominate the first bin and pull thresholds down.
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) h[Math.min(bins - 1, Math.floor(Math.abs(data[i]) / w))]++;
  });
  const out = new Map<string, Range>();
  for (const n of names) {
    const r = ranges.get(n) as Range;
    const h = hists.get(n) as Float64Array;
    const w = widths.get(n) as number;
    // Clipping |x| only makes sense for a tensor spanning 0; one that does not (e.g. sigmoid
    // output) keeps its observed range (uint8 covers [min(lo, 0), max(hi, 0)] anyway).
    if (r.lo > 0 || r.hi < 0 || unclipped?.has(n)) {
      out.set(n, r);
      continue;
    }
    const t = method === 'percentile' ? percentileThreshold(h, w, percentile) : entropyThreshold(h, w, r.lo === 0 ? 256 : 128);
    out.set(n, { lo: Math.max(r.lo, -t), hi: Math.min(r.hi, t) });
  }
  return out;
}
