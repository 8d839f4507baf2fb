/**
 * `medsynth optimize` end to end for a trained SimpleModel checkpoint: export FP32 ONNX, static
 * INT8 (calibrated on the first N rows of the data), optionally magnitude-pruned variants, then
 * per model: size on disk (and gzip-compressed, where unstructured sparsity shows), accuracy and
 * AUC on the remaining (held-out) rows against FP32, and latency median/p90 at 1 and 2 intra-op
 * threads (batch 1, tinybench in a worker thread). Everything is computed before anything is
 * written; each file is then written atomically.
 */
import { gzipSync } from 'node:zlib';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { rocAuc } from '../generators/clinical2d/oracle.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { CLINICAL_CLASSIFIER_NAME, ClinicalClassifier } from '../models/clinical_classifier.js';
import { loadCheckpoint, readCheckpoint } from '../nn/checkpoint.js';
import type { CalibrationMethod } from './calibrate.js';
import { clinicalFeeds, readClinicalDir, type ClinicalRows } from './clinical_data.js';
import { exportGraph } from './export.js';
import { fineTuneClassifier } from './finetune.js';
import { encodeModel } from './graph.js';
import { int8Report, type Int8Report } from './int8_report.js';
import { createSession, runSession } from './ort.js';
import { benchmarkLatency, type Latency } from './ort_worker.js';
import { magnitudePrune, weightSparsity } from './prune.js';
import { quantizeModel } from './quantize_model.js';

export interface OptimizeOptions {
  model: string;
  dataDir: string;
  output: string;
  quantize: boolean;
  benchmark: boolean;
  /** Magnitude-pruning sparsity (unstructured, global), or undefined. */
  prune?: number;
  calibrationSamples: number;
  method: CalibrationMethod;
  percentile?: number;
  keepFloat: string[];
  threads: number[];
  benchTimeMs: number;
  /** Epochs of fine-tuning after pruning, on the non-held-out rows (0: none). */
  fineTuneEpochs: number;
}

export interface ModelReport {
  file: string;
  bytes: number;
  gzipBytes: number;
  accuracy: number;
  auc: number;
  accuracyDrop: number;
  aucDrop: number;
  latency: Record<string, Latency>;
  speedup: Record<string, number>;
  int8?: Int8Report;
  sparsity?: number;
}

export interface OptimizeReport {
  checkpoint: string;
  architecture: Record<string, unknown>;
  data: { file: string; calibrationRows: number; heldOutRows: number; size: [number, number] };
  calibration: { method: CalibrationMethod; percentile?: number; keepFloat: string[] };
  models: Record<string, ModelReport>;
  notes: string[];
}

async function evaluate(model: Uint8Array, rows: ClinicalRows, start: number): Promise<{ accuracy: number; auc: number }> {
  const session = await createSession(model, { threads: 2 });
  const scores: number[] = [];
  const labels: number[] = [];
  let correct = 0;
  try {
    for (let s = start; s < rows.n; s += 32) {
      const e = Math.min(rows.n, s + 32);
      const { logits } = await runSession(session, clinicalFeeds(rows, s, e));
      for (let i = 0; i < e - s; i++) {
        const [a, b] = [logits.data[2 * i], logits.data[2 * i + 1]];
        scores.push(b - a);
        labels.push(rows.labels[s + i]);
        if ((b > a ? 1 : 0) === rows.labels[s + i]) correct++;
      }
    }
  } finally {
    await session.release();
  }
  const both = new Set(labels).size === 2;
  return { accuracy: correct / labels.length, auc: both ? rocAuc(scores, labels) : NaN };
}

export async function optimize(o: OptimizeOptions, log: (line: string) => void = () => {}): Promise<OptimizeReport> {
  const { header } = readCheckpoint(o.model);
  const arch = header.architecture;
  if (arch.name !== CLINICAL_CLASSIFIER_NAME) {
    throw new MedsynthError('INVALID_ARGUMENT', `${o.model} holds a ${arch.name}; optimize handles ${CLINICAL_CLASSIFIER_NAME} checkpoints (the U-Net needs the PET/CT slice pipeline of issue 13)`);
  }
  const model = new ClinicalClassifier(Number(arch.n_tab));
  loadCheckpoint(o.model, model, { architecture: model.architecture() });
  model.eval();
  const rows = await readClinicalDir(o.dataDir, model.nTab);
  if (o.calibrationSamples < 1) throw new MedsynthError('INVALID_ARGUMENT', 'the calibration set is empty: --calibration must be at least 1');
  if (rows.n <= o.calibrationSamples) {
    throw new MedsynthError('INVALID_ARGUMENT', `${rows.file} has ${rows.n} rows: nothing is left for held-out evaluation after ${o.calibrationSamples} calibration rows`);
  }
  const calibration = [];
  for (let s = 0; s < o.calibrationSamples; s += 16) calibration.push(clinicalFeeds(rows, s, Math.min(o.calibrationSamples, s + 16)));

  const variants = new Map<string, { bytes: Uint8Array; int8?: boolean; sparsity?: number }>();
  const fp32 = exportGraph(model);
  variants.set('model_fp32.onnx', { bytes: encodeModel(fp32) });
  const calib = { method: o.method, percentile: o.percentile, keepFloat: o.keepFloat };
  if (o.quantize) {
    log(`calibrating (${o.method}) on ${o.calibrationSamples} rows and quantizing`);
    variants.set('model_int8.onnx', { bytes: encodeModel((await quantizeModel(fp32, calibration, calib)).graph), int8: true });
  }
  if (o.prune !== undefined) {
    const pruned = new ClinicalClassifier(model.nTab);
    pruned.loadStateDict(model.stateDict());
    pruned.eval();
    const r = magnitudePrune(pruned, o.prune);
    log(`magnitude pruning: ${(100 * r.zeroed / r.total).toFixed(1)}% of conv/linear weights zero (|w| ≤ ${r.threshold.toPrecision(3)})`);
    if (o.fineTuneEpochs > 0) {
      const losses = fineTuneClassifier(pruned, rows, o.calibrationSamples, { epochs: o.fineTuneEpochs });
      log(`fine-tuned the pruned model on ${o.calibrationSamples} rows for ${o.fineTuneEpochs} epochs (loss ${losses.map((l) => l.toFixed(4)).join(' → ')})`);
    }
    const sparsity = weightSparsity(pruned);
    const graph = exportGraph(pruned);
    variants.set('model_pruned_fp32.onnx', { bytes: encodeModel(graph), sparsity });
    if (o.quantize) variants.set('model_pruned_int8.onnx', { bytes: encodeModel((await quantizeModel(graph, calibration, calib)).graph), int8: true, sparsity });
  }

  const one = clinicalFeeds(rows, o.calibrationSamples, o.calibrationSamples + 1);
  const models: Record<string, ModelReport> = {};
  for (const [file, v] of variants) {
    log(`evaluating ${file}`);
    const quality = await evaluate(v.bytes, rows, o.calibrationSamples);
    const latency: Record<string, Latency> = {};
    if (o.benchmark) for (const t of o.threads) latency[`${t}`] = await benchmarkLatency(v.bytes, one, t, { timeMs: o.benchTimeMs });
    models[file] = {
      file,
      bytes: v.bytes.length,
      gzipBytes: gzipSync(v.bytes).length,
      ...quality,
      accuracyDrop: 0,
      aucDrop: 0,
      latency,
      speedup: {},
      ...(v.int8 ? { int8: await int8Report(v.bytes) } : {}),
      ...(v.sparsity !== undefined ? { sparsity: v.sparsity } : {}),
    };
  }
  const base = models['model_fp32.onnx'];
  for (const m of Object.values(models)) {
    m.accuracyDrop = base.accuracy - m.accuracy;
    m.aucDrop = base.auc - m.auc;
    for (const t of Object.keys(m.latency)) m.speedup[t] = base.latency[t].medianMs / m.latency[t].medianMs;
  }
  const report: OptimizeReport = {
    checkpoint: path.resolve(o.model),
    architecture: arch,
    data: { file: rows.file, calibrationRows: o.calibrationSamples, heldOutRows: rows.n - o.calibrationSamples, size: [rows.height, rows.width] },
    calibration: calib,
    models,
    notes: [
      o.prune === undefined ? '' : o.fineTuneEpochs > 0
        ? `Pruned variants were fine-tuned on the engine for ${o.fineTuneEpochs} epochs on the ${o.calibrationSamples} non-held-out rows (zeros kept).`
        : 'Pruned variants are not fine-tuned (--finetune-epochs 0).',
      'Unstructured sparsity keeps every tensor dense: ORT does the same work; it shows in gzipBytes only.',
    ].filter(Boolean),
  };
  for (const [file, v] of variants) writeFileAtomicSync(path.join(o.output, file), v.bytes);
  writeFileAtomicSync(path.join(o.output, 'benchmark.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileAtomicSync(path.join(o.output, 'benchmark.md'), benchmarkMarkdown(report));
  return report;
}

export function benchmarkMarkdown(r: OptimizeReport): string {
  const threads = [...new Set(Object.values(r.models).flatMap((m) => Object.keys(m.latency)))];
  const mb = (n: number) => (n / 2 ** 20).toFixed(3);
  const head = ['model', 'MB', 'gzip MB', 'accuracy', 'Δacc', 'AUC', 'ΔAUC', ...threads.flatMap((t) => [`median ms ${t}t`, `p90 ms ${t}t`, `speed-up ${t}t`])];
  const lines = [
    `# medsynth optimize: ${r.architecture.name}`,
    '',
    `Checkpoint ${r.checkpoint}; data ${r.data.file} (${r.data.size.join('×')}): ${r.data.calibrationRows} calibration rows, ${r.data.heldOutRows} held-out rows.`,
    `Calibration: ${r.calibration.method}${r.calibration.keepFloat.length ? `; kept in float: ${r.calibration.keepFloat.join(', ')}` : ''}. Latency: batch 1, onnxruntime-node CPU, tinybench in a worker thread. Δ = FP32 − model (positive: worse).`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
  ];
  for (const m of Object.values(r.models)) {
    const lat = threads.flatMap((t) => (m.latency[t] ? [m.latency[t].medianMs.toFixed(3), m.latency[t].p90Ms.toFixed(3), `${m.speedup[t].toFixed(2)}×`] : ['–', '–', '–']));
    lines.push(`| ${m.file} | ${mb(m.bytes)} | ${mb(m.gzipBytes)} | ${m.accuracy.toFixed(4)} | ${m.accuracyDrop.toFixed(4)} | ${m.auc.toFixed(4)} | ${m.aucDrop.toFixed(4)} | ${lat.join(' | ')} |`);
  }
  lines.push('');
  for (const m of Object.values(r.models)) {
    if (m.int8) lines.push(`- ${m.file}: ${m.int8.int8Compute} compute ops in int8 (${Object.entries(m.int8.ops).filter(([k]) => /^Q(Linear\w*|Gemm)$/.test(k)).map(([k, n]) => `${n} ${k}`).join(', ')}); in float: ${m.int8.floatCompute.join(', ') || 'none'}`);
  }
  for (const n of r.notes) lines.push(`- ${n}`);
  return lines.join('\n') + '\n';
}
