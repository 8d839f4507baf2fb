/**
 * `medsynth optimize` end to end for a trained checkpoint — the seed-000 classifier with a
 * `medsynth clinical` dir (classifier_task.ts) or the PET/CT U-Net with a `medsynth petct` cohort
 * (unet_task.ts): export FP32 ONNX, static INT8 (calibrated on the training data), optionally
 * pruned variants (magnitude; for the U-Net also structured channels), each fine-tuned on the
 * engine and quantized; then per model: size on disk (and gzip-compressed, where unstructured
 * sparsity shows), the task's held-out metrics against FP32, and latency median/p90 at 1 and 2
 * intra-op threads (batch 1, tinybench in a worker thread). Everything is computed before
 * anything is written; each file is then written atomically.
 */
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { CLINICAL_CLASSIFIER_NAME } from '../models/clinical_classifier.js';
import { UNET_NAME } from '../models/unet.js';
import { readCheckpoint } from '../nn/checkpoint.js';
import type { Module } from '../nn/module.js';
import type { CalibrationMethod } from './calibrate.js';
import { classifierTask } from './classifier_task.js';
import { exportGraph } from './export.js';
import { encodeModel, type Graph } from './graph.js';
import { int8Report, type Int8Report } from './int8_report.js';
import type { OptimizeTask } from './optimize_task.js';
import { benchmarkLatency, type Latency } from './ort_worker.js';
import { quantizeModel } from './quantize_model.js';
import { unetTask } from './unet_task.js';

export interface OptimizeOptions {
  model: string;
  dataDir: string;
  output: string;
  quantize: boolean;
  benchmark: boolean;
  /** Pruning fraction (magnitude sparsity; U-Net: also the channel share removed), or undefined. */
  prune?: number;
  /** Classifier: calibration rows (the first ones; the rest are held out). U-Net: calibration slices of the training split. */
  calibrationSamples: number;
  method: CalibrationMethod;
  percentile?: number;
  keepFloat: string[];
  threads: number[];
  benchTimeMs: number;
  /** Epochs of fine-tuning after pruning (0: none). */
  fineTuneEpochs: number;
  /** Fine-tune learning rate (default: the classifier 1e-4; the U-Net its training lr). */
  fineTuneLr?: number;
}

export interface ModelReport {
  file: string;
  bytes: number;
  gzipBytes: number;
  parameters: number;
  /** Held-out metrics (classifier: accuracy, auc; U-Net: dice, cIndex). */
  metrics: Record<string, number>;
  /** FP32 − model per metric (positive: worse). */
  drops: Record<string, number>;
  latency: Record<string, Latency>;
  speedup: Record<string, number>;
  int8?: Int8Report;
  pruning?: 'magnitude' | 'channels';
  sparsity?: number;
}

export interface OptimizeReport {
  checkpoint: string;
  architecture: Record<string, unknown>;
  data: Record<string, unknown>;
  dataLine: string;
  metrics: string[];
  calibration: { method: CalibrationMethod; percentile?: number; keepFloat: string[] };
  models: Record<string, ModelReport>;
  /** Measured conclusions: INT8, each pruning kind, seed 004's claim. */
  findings: string[];
  notes: string[];
}

/** The task for the checkpoint's architecture; one-line errors for anything else. */
async function openTask(o: OptimizeOptions): Promise<OptimizeTask> {
  if (!existsSync(o.model)) throw new MedsynthError('INVALID_ARGUMENT', `no model file ${o.model}`);
  let header;
  try {
    header = readCheckpoint(o.model).header;
  } catch (err) {
    throw new MedsynthError('INVALID_ARGUMENT', `${o.model} is not a medsynth checkpoint: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const name = header.architecture?.name;
  if (name === CLINICAL_CLASSIFIER_NAME) return classifierTask(o.model, header.architecture, o.dataDir, o.calibrationSamples);
  if (name === UNET_NAME) return unetTask(o.model, o.dataDir, o.calibrationSamples, o.fineTuneLr);
  throw new MedsynthError('INVALID_ARGUMENT', `${o.model} holds a ${String(name)}; optimize handles ${CLINICAL_CLASSIFIER_NAME} (medsynth train clinical) and ${UNET_NAME} (medsynth train petct) checkpoints`);
}

/** The model's ONNX graph, refused in one line when it cannot be exported or takes inputs the task cannot feed. */
function exportFor(model: Module, task: OptimizeTask, file: string): Graph {
  let graph: Graph;
  try {
    graph = exportGraph(model);
  } catch (err) {
    throw new MedsynthError('INVALID_ARGUMENT', `${file} cannot be exported to ONNX: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const fed = Object.keys(task.latencyFeed);
  const missing = graph.inputs.map((i) => i.name).filter((n) => !fed.includes(n));
  if (missing.length) throw new MedsynthError('INVALID_ARGUMENT', `${file}'s ONNX graph takes input(s) ${missing.join(', ')} that optimize cannot feed from the data dir (it feeds ${fed.join(', ')})`);
  return graph;
}

interface Variant {
  bytes: Uint8Array;
  parameters: number;
  int8?: boolean;
  pruning?: 'magnitude' | 'channels';
  sparsity?: number;
}

export async function optimize(o: OptimizeOptions, log: (line: string) => void = () => {}): Promise<OptimizeReport> {
  if (o.calibrationSamples < 1) throw new MedsynthError('INVALID_ARGUMENT', 'the calibration set is empty: --calibration must be at least 1');
  const task = await openTask(o);
  const variants = new Map<string, Variant>();
  const calib = { method: o.method, percentile: o.percentile, keepFloat: o.keepFloat };
  const add = async (stem: string, model: Module, extra: Omit<Variant, 'bytes' | 'parameters'> = {}) => {
    const graph = exportFor(model, task, o.model);
    const parameters = model.parameterCount();
    variants.set(`${stem}_fp32.onnx`, { bytes: encodeModel(graph), parameters, ...extra });
    if (!o.quantize) return;
    log(`calibrating ${stem} (${o.method}) on ${task.calibration.length} batches and quantizing`);
    variants.set(`${stem}_int8.onnx`, { bytes: encodeModel((await quantizeModel(graph, task.calibration, calib)).graph), parameters, int8: true, ...extra });
  };
  await add('model', task.model);
  const pruneNotes: string[] = [];
  if (o.prune !== undefined) {
    for (const p of await task.prune(o.prune, o.fineTuneEpochs, log)) {
      await add(`model_${p.kind}`, p.model, { pruning: p.kind, ...(p.sparsity !== undefined ? { sparsity: p.sparsity } : {}) });
      pruneNotes.push(`Pruned, ${p.note}.`);
    }
  }

  const models: Record<string, ModelReport> = {};
  for (const [file, v] of variants) {
    log(`evaluating ${file}`);
    const metrics = await task.evaluate(v.bytes);
    const latency: Record<string, Latency> = {};
    if (o.benchmark) for (const t of o.threads) latency[`${t}`] = await benchmarkLatency(v.bytes, task.latencyFeed, t, { timeMs: o.benchTimeMs });
    models[file] = {
      file,
      bytes: v.bytes.length,
      gzipBytes: gzipSync(v.bytes).length,
      parameters: v.parameters,
      metrics,
      drops: {},
      latency,
      speedup: {},
      ...(v.int8 ? { int8: await int8Report(v.bytes) } : {}),
      ...(v.pruning ? { pruning: v.pruning } : {}),
      ...(v.sparsity !== undefined ? { sparsity: v.sparsity } : {}),
    };
  }
  const base = models['model_fp32.onnx'];
  for (const m of Object.values(models)) {
    for (const k of task.metrics) m.drops[k] = base.metrics[k] - m.metrics[k];
    for (const t of Object.keys(m.latency)) m.speedup[t] = base.latency[t].medianMs / m.latency[t].medianMs;
  }
  const report: OptimizeReport = {
    checkpoint: path.resolve(o.model),
    architecture: task.architecture,
    data: task.data,
    dataLine: task.dataLine,
    metrics: [...task.metrics],
    calibration: calib,
    models,
    findings: findings(models, task.metrics),
    notes: pruneNotes,
  };
  for (const [file, v] of variants) writeFileAtomicSync(path.join(o.output, file), v.bytes);
  writeFileAtomicSync(path.join(o.output, 'benchmark.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileAtomicSync(path.join(o.output, 'benchmark.md'), benchmarkMarkdown(report));
  return report;
}

const times = (x: number) => `${x.toFixed(2)}×`;
const signed = (x: number, digits = 4) => `${x < 0 ? '−' : ''}${Math.abs(x).toFixed(digits)}`;
const drop = (m: ModelReport, k: string) =>
  Number.isFinite(m.metrics[k]) ? `${k} ${m.metrics[k].toFixed(4)} (drop ${signed(m.drops[k])})` : `${k} undefined (no comparable pair of held-out patients)`;

/**
 * Whether `m` is faster than `base` beyond the timing spread at every timed thread count: its p90
 * is below the base's median. Sub-millisecond models on a shared machine rarely pass this.
 */
function fasterBeyondSpread(m: ModelReport, base: ModelReport): boolean | undefined {
  const t = Object.keys(m.latency).filter((k) => base.latency[k]);
  if (!t.length) return undefined;
  return t.every((k) => m.latency[k].p90Ms < base.latency[k].medianMs);
}

function speeds(m: ModelReport, base: ModelReport): string {
  return Object.keys(m.latency).filter((k) => base.latency[k]).map((k) => `${times(base.latency[k].medianMs / m.latency[k].medianMs)} at ${k} thread${k === '1' ? '' : 's'}`).join(', ');
}

/** What the measurements say: INT8 against FP32, each pruning kind against its unpruned twin, seed 004's claim. */
export function findings(models: Record<string, ModelReport>, metrics: readonly string[]): string[] {
  const out: string[] = [];
  const fp32 = models['model_fp32.onnx'];
  const int8 = models['model_int8.onnx'];
  if (int8) out.push(`INT8 vs FP32: ${speeds(int8, fp32) || 'not timed'}; ${times(fp32.bytes / int8.bytes)} smaller; ${metrics.map((k) => drop(int8, k)).join(', ')}.`);
  for (const kind of ['magnitude', 'channels'] as const) {
    const p = models[`model_${kind}_fp32.onnx`];
    if (!p) continue;
    const pq = models[`model_${kind}_int8.onnx`];
    const fast = [fasterBeyondSpread(p, fp32), ...(pq && int8 ? [fasterBeyondSpread(pq, int8)] : [])];
    const verdict = fast.includes(undefined)
      ? 'was not timed (--benchmark)'
      : `${fast.every(Boolean) ? 'makes ORT faster' : 'does not make ORT measurably faster'} (FP32 ${speeds(p, fp32)}${pq && int8 ? `; INT8 ${speeds(pq, int8)}` : ''} against the unpruned twin)`;
    out.push(
      `${kind === 'magnitude' ? 'Magnitude (unstructured)' : 'Channel (structured)'} pruning ${verdict}; file ${times(fp32.bytes / p.bytes)} smaller, gzip-compressed ${times(fp32.gzipBytes / p.gzipBytes)} smaller; ` +
        `${metrics.map((k) => drop(p, k)).join(', ')}${pq ? `; + INT8: ${metrics.map((k) => drop(pq, k)).join(', ')}` : ''}.`,
    );
  }
  // Seed 004: "50% pruning + INT8: ~8× faster, ~8× smaller, <5% accuracy loss", against FP32.
  const best = models['model_channels_int8.onnx'] ?? models['model_magnitude_int8.onnx'];
  if (best) {
    const t1 = best.latency['1'] && fp32.latency['1'] ? fp32.latency['1'].medianMs / best.latency['1'].medianMs : NaN;
    const smaller = fp32.bytes / best.bytes;
    const verdict = (ok: boolean) => (ok ? 'beaten' : 'not reached');
    const loss = metrics.map((k) => {
      const pct = (100 * best.drops[k]) / Math.abs(fp32.metrics[k]);
      if (!Number.isFinite(pct)) return `${k}: undefined`;
      return `${k} ${signed(Math.abs(pct), 1)}% ${pct >= 0 ? 'lower' : 'higher'} (${pct < 5 ? 'within' : 'over'} 5%)`;
    });
    out.push(
      `Seed 004's "~8× faster, ~8× smaller, <5% accuracy loss" against ${best.file}: ` +
        `${Number.isFinite(t1) ? `${times(t1)} faster at 1 thread (${verdict(t1 >= 8)})` : 'speed not timed'}, ${times(smaller)} smaller on disk (${verdict(smaller >= 8)}), ${loss.join(', ')}.`,
    );
  }
  return out;
}

export function benchmarkMarkdown(r: OptimizeReport): string {
  const threads = [...new Set(Object.values(r.models).flatMap((m) => Object.keys(m.latency)))];
  const mb = (n: number) => (n / 2 ** 20).toFixed(3);
  const head = ['model', 'parameters', 'MB', 'gzip MB', ...r.metrics.flatMap((k) => [k, `Δ${k}`]), ...threads.flatMap((t) => [`median ms ${t}t`, `p90 ms ${t}t`, `speed-up ${t}t`])];
  const lines = [
    `# medsynth optimize: ${r.architecture.name}`,
    '',
    `Checkpoint ${r.checkpoint}; ${r.dataLine}.`,
    `Calibration: ${r.calibration.method}${r.calibration.keepFloat.length ? `; kept in float: ${r.calibration.keepFloat.join(', ')}` : ''}. Latency: batch 1, onnxruntime-node CPU, tinybench in a worker thread. Δ = FP32 − model (positive: worse).`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
  ];
  for (const m of Object.values(r.models)) {
    const lat = threads.flatMap((t) => (m.latency[t] ? [m.latency[t].medianMs.toFixed(3), m.latency[t].p90Ms.toFixed(3), times(m.speedup[t])] : ['–', '–', '–']));
    const q = r.metrics.flatMap((k) => [m.metrics[k].toFixed(4), m.drops[k].toFixed(4)]);
    lines.push(`| ${m.file} | ${m.parameters} | ${mb(m.bytes)} | ${mb(m.gzipBytes)} | ${q.join(' | ')} | ${lat.join(' | ')} |`);
  }
  lines.push('', '## What the measurements say', '');
  for (const f of r.findings) lines.push(`- ${f}`);
  lines.push('', '## Details', '');
  for (const m of Object.values(r.models)) {
    if (m.int8) lines.push(`- ${m.file}: ${m.int8.int8Compute} compute ops in int8 (${Object.entries(m.int8.ops).filter(([k]) => /^Q(Linear\w*|Gemm)$/.test(k)).map(([k, n]) => `${n} ${k}`).join(', ')}); in float: ${m.int8.floatCompute.join(', ') || 'none'}`);
  }
  for (const n of r.notes) lines.push(`- ${n}`);
  lines.push('- Unstructured sparsity keeps every tensor dense: ORT does the same work, so it can only show in the gzip-compressed size.');
  return lines.join('\n') + '\n';
}
