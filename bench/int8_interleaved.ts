/**
 * A load-robust check of the int8 suite's headline ratio on a shared machine: the base-64 U-Net
 * at 256², batch 1, one intra-op thread, FP32 against INT8 with and without the Concat → Conv
 * split (lib/onnx/split_concat_conv.ts), each in its own ORT worker, timed ROUND-ROBIN (one run of
 * each per round) so every model sees the same load; reports min and median per model and the
 * ratios of both. Random weights (seeded), MinMax calibration on 4 N(0, 1) images, as the suite.
 *
 *   node dist/bench/int8_interleaved.js [rounds=15] [base=64] [side=256]
 */
import os from 'node:os';

import { MultiTaskUNet } from '../lib/models/unet.js';
import { exportGraph } from '../lib/onnx/export.js';
import { encodeModel } from '../lib/onnx/graph.js';
import { OrtWorker } from '../lib/onnx/ort_worker.js';
import { quantizeModel } from '../lib/onnx/quantize_model.js';
import { gaussian } from '../lib/bench/suites/int8.js';

const [rounds, base, side] = [Number(process.argv[2] ?? 15), Number(process.argv[3] ?? 64), Number(process.argv[4] ?? 256)];
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const startLoad = load();
const graph = exportGraph(new MultiTaskUNet({ base, seed: 1 }).eval());
const samples = [1, 2, 3, 4].map((s) => ({ image: { data: gaussian(2 * side * side, s), dims: [1, 2, side, side] } }));
const models: Record<string, Uint8Array> = {
  FP32: encodeModel(graph),
  'INT8 (Concat kept)': encodeModel((await quantizeModel(graph, samples)).graph),
  'INT8 (Concat split)': encodeModel((await quantizeModel(graph, samples, { splitConcat: true })).graph),
};
const feeds = { image: { data: gaussian(2 * side * side, 9), dims: [1, 2, side, side] } };
const workers: Record<string, OrtWorker> = {};
for (const [k, m] of Object.entries(models)) workers[k] = await OrtWorker.start(m, feeds, 1);
const times: Record<string, number[]> = Object.fromEntries(Object.keys(models).map((k) => [k, []]));
try {
  for (const w of Object.values(workers)) await w.run(); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [k, w] of Object.entries(workers)) {
      const t0 = performance.now();
      await w.run();
      times[k].push(performance.now() - t0);
    }
  }
} finally {
  for (const w of Object.values(workers)) await w.close();
}
const stat = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
const fp32 = stat(times.FP32);
console.log(`U-Net base ${base}, ${side}², batch 1, 1 thread, ${rounds} interleaved rounds; load average ${startLoad} at start, ${load()} at end`);
console.log('| model | MB | min ms | median ms | FP32/model (min) | FP32/model (median) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const k of Object.keys(models)) {
  const s = stat(times[k]);
  console.log(`| ${k} | ${(models[k].length / 2 ** 20).toFixed(1)} | ${s.min.toFixed(1)} | ${s.median.toFixed(1)} | ${(fp32.min / s.min).toFixed(2)}× | ${(fp32.median / s.median).toFixed(2)}× |`);
}
