/**
 * int8 (issue 14): FP32 vs static INT8 (QDQ, per-channel int8 weights, uint8 activations, the
 * ConvTranspose → Conv + DepthToSpace rewrite) on onnxruntime-node's CPU provider, batch 1, at
 * 1 and 2 intra-op threads; inference runs in a worker thread (ORT's run() blocks its event
 * loop). Models: the seed's base-64 U-Net at 256×256 (also with every block's inner width
 * channel-pruned by 50%, and with 50% of its weights magnitude-pruned) and a base-16 one at 128×128,
 * with RANDOM weights (seeded init) calibrated
 * (MinMax) on 4 random N(0, 1) images — the timings do not depend on the weights' values; and a
 * base-8 U-Net at 64×64 freshly TRAINED on the engine on a toy PET/CT task
 * (lib/bench/unet_toy_task.ts), calibrated on 16 training images, for the Dice / C-index drops.
 */
import { gzipSync } from 'node:zlib';

import { MultiTaskUNet } from '../../models/unet.js';
import { exportGraph } from '../../onnx/export.js';
import { encodeModel } from '../../onnx/graph.js';
import { int8Report } from '../../onnx/int8_report.js';
import { OrtWorker } from '../../onnx/ort_worker.js';
import { channelPruneUNet, magnitudePrune } from '../../onnx/prune.js';
import { quantizeModel } from '../../onnx/quantize_model.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';
import { toyQuality, toySet, trainToyUNet, type ToyQuality, type ToySet } from '../unet_toy_task.js';

interface Config {
  label: string;
  base: number;
  side: number;
  /** Structured channel pruning of every block's inner width (seed 004's "50% pruning"). */
  channelPrune?: number;
  /** Unstructured magnitude pruning to this sparsity (global threshold). */
  magnitudePrune?: number;
  /** Trained on the toy task (lib/bench/unet_toy_task.ts) instead of random weights. */
  trained?: boolean;
  /** Thread counts timed. */
  threads: number[];
  /** The one `medsynth bench --quick` times. */
  quick?: boolean;
}

const CONFIGS: Config[] = [
  { label: 'U-Net base 64', base: 64, side: 256, threads: [1, 2] },
  { label: 'U-Net base 64 channels −50%', base: 64, side: 256, channelPrune: 0.5, threads: [1] },
  { label: 'U-Net base 64 magnitude 50%', base: 64, side: 256, magnitudePrune: 0.5, threads: [1] },
  { label: 'U-Net base 16', base: 16, side: 128, threads: [1, 2] },
  { label: 'U-Net base 8 trained', base: 8, side: 64, trained: true, threads: [1, 2] },
  { label: 'U-Net base 8 trained channels −50%', base: 8, side: 64, trained: true, channelPrune: 0.5, threads: [1] },
  { label: 'U-Net base 8', base: 8, side: 64, threads: [1], quick: true },
];

/** The trained toy U-Net, shared by its unpruned and pruned configurations. */
let toyModel: { train: ToySet; model: MultiTaskUNet; seconds: number } | undefined;

/** Seeded N(0, 1) samples (LCG + Box–Muller): the suite's random inputs. */
export function gaussian(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

interface Built {
  fp32: Uint8Array;
  int8: Uint8Array;
  fp32Gzip: number;
  int8Gzip: number;
  int8Ops: string;
  quality?: { fp32: ToyQuality; int8: ToyQuality; trainSeconds: number };
}

const built = new Map<string, Built>();

async function build(c: Config): Promise<Built> {
  const have = built.get(c.label);
  if (have) return have;
  const px = 2 * c.side * c.side;
  const t0 = performance.now();
  if (c.trained && !toyModel) {
    const set = toySet(512, c.side, 1);
    toyModel = { train: set, model: trainToyUNet(set, { base: c.base, epochs: 10 }), seconds: (performance.now() - t0) / 1000 };
  }
  const train = c.trained ? toyModel?.train : undefined;
  const full = c.trained && toyModel ? toyModel.model : new MultiTaskUNet({ base: c.base, seed: 1 }).eval();
  let model = c.channelPrune ? channelPruneUNet(full, c.channelPrune) : full;
  if (c.magnitudePrune) magnitudePrune(model, c.magnitudePrune); // a fresh random model: nothing shared to spoil
  // A pruned trained model gets the short fine-tune on the engine (3 epochs at a lower rate).
  if (train && c.channelPrune) model = trainToyUNet(train, { model, epochs: 3, lr: 3e-4 });
  const trainSeconds = c.trained && toyModel ? toyModel.seconds : 0;
  const graph = exportGraph(model);
  const image = (seed: number) => ({
    image: { data: train ? train.images.slice(seed * px, (seed + 1) * px) : gaussian(px, seed), dims: [1, 2, c.side, c.side] },
  });
  const { graph: q } = await quantizeModel(graph, (train ? [...Array(16).keys()] : [1, 2, 3, 4]).map(image));
  const int8 = encodeModel(q);
  const fp32 = encodeModel(graph);
  const report = await int8Report(int8);
  let quality: Built['quality'];
  if (train) {
    const test = toySet(128, c.side, 2);
    quality = { fp32: await toyQuality(fp32, test), int8: await toyQuality(int8, test), trainSeconds };
  }
  const b = {
    quality,
    fp32,
    int8,
    fp32Gzip: gzipSync(fp32).length,
    int8Gzip: gzipSync(int8).length,
    int8Ops: `${report.int8Compute} int8 compute ops (${Object.entries(report.ops).filter(([k]) => /^Q(Linear\w*|Gemm)$/.test(k)).map(([k, n]) => `${n} ${k}`).join(', ')}); float compute left: ${report.floatCompute.length ? report.floatCompute.join(', ') : 'none'}`,
  };
  built.set(c.label, b);
  return b;
}

function ortCase(c: Config, kind: 'FP32' | 'INT8', threads: number): BenchCase {
  let worker: OrtWorker | undefined;
  return {
    name: `${c.label} ${kind} ${threads}t`,
    size: `1×2×${c.side}×${c.side}`,
    floorBytes: 0,
    setup: async () => {
      const b = await build(c);
      worker = await OrtWorker.start(kind === 'FP32' ? b.fp32 : b.int8, { image: { data: gaussian(2 * c.side * c.side, 9), dims: [1, 2, c.side, c.side] } }, threads);
      await worker.run();
    },
    run: () => worker?.run(),
    teardown: async () => {
      await worker?.close();
      worker = undefined;
    },
  };
}

/** Per '<label> <kind>': the 1-thread latencies of the round-robin case (ms). */
const roundRobin = new Map<string, number[]>();

/**
 * The base-64 models (unpruned, channels −50%, magnitude 50%; FP32 and INT8) each in its own
 * worker at 1 thread, one run of each per iteration: every model sees the same load, so on a
 * shared machine the ratios of their minima are the robust ones (the sequential cases above can
 * each meet a different load).
 */
function roundRobinCase(): BenchCase {
  const configs = CONFIGS.filter((c) => c.base === 64);
  const workers = new Map<string, OrtWorker>();
  return {
    name: 'U-Net base 64 round-robin 1t',
    size: `${2 * configs.length} models`,
    floorBytes: 0,
    setup: async () => {
      for (const c of configs) {
        const b = await build(c);
        for (const kind of ['FP32', 'INT8'] as const) {
          const w = await OrtWorker.start(kind === 'FP32' ? b.fp32 : b.int8, { image: { data: gaussian(2 * c.side * c.side, 9), dims: [1, 2, c.side, c.side] } }, 1);
          await w.run();
          workers.set(`${c.label} ${kind}`, w);
        }
      }
    },
    run: async () => {
      for (const [key, w] of workers) {
        const t0 = performance.now();
        await w.run();
        roundRobin.set(key, [...(roundRobin.get(key) ?? []), performance.now() - t0]);
      }
    },
    teardown: async () => {
      for (const w of workers.values()) await w.close();
      workers.clear();
    },
  };
}

export const suite: BenchSuite = {
  name: 'int8',
  cases: ({ quick }) => [
    ...(quick ? [] : [roundRobinCase()]),
    ...CONFIGS.filter((c) => !c.quick === !quick).flatMap((c) => c.threads.flatMap((t) => [ortCase(c, 'FP32', t), ortCase(c, 'INT8', t)])),
  ],
  summarize: (rows: readonly BenchRow[]) => {
    const ms = (name: string) => rows.find((r) => r.name === name)?.nativeMs ?? NaN;
    const out = [
      'onnxruntime-node CPU, batch 1; random weights except the trained base-8 U-Net (see lib/bench/suites/int8.ts); targets: INT8 ≥ 3.5× faster at 1 thread and ≥ 3.9× smaller on the base-64 U-Net.',
      '',
      '| model | input | FP32 MB | INT8 MB | smaller | FP32 gzip MB | INT8 gzip MB | FP32 ms 1t | INT8 ms 1t | speed-up 1t | FP32 ms 2t | INT8 ms 2t | speed-up 2t |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    const notes: string[] = [];
    for (const c of CONFIGS) {
      const b = built.get(c.label);
      if (!b) continue;
      const [f1, i1, f2, i2] = [`FP32 1t`, `INT8 1t`, `FP32 2t`, `INT8 2t`].map((k) => ms(`${c.label} ${k}`));
      const mb = (n: number) => (n / 2 ** 20).toFixed(1);
      const r = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');
      const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
      out.push(`| ${c.label} | ${c.side}² | ${mb(b.fp32.length)} | ${mb(b.int8.length)} | ${r(b.fp32.length, b.int8.length)} | ${mb(b.fp32Gzip)} | ${mb(b.int8Gzip)} | ${f(f1)} | ${f(i1)} | ${r(f1, i1)} | ${f(f2)} | ${f(i2)} | ${r(f2, i2)} |`);
      notes.push(`- ${c.label}: ${b.int8Ops}`);
      const qy = b.quality;
      if (qy) {
        notes.push(
          `- ${c.label} (toy PET/CT task, 512 training images, 10 epochs on the engine in ${qy.trainSeconds.toFixed(0)} s${c.channelPrune ? ', then pruned and fine-tuned 3 epochs' : ''}; 128 held-out images): ` +
            `Dice FP32 ${qy.fp32.dice.toFixed(4)} / INT8 ${qy.int8.dice.toFixed(4)} (drop ${(qy.fp32.dice - qy.int8.dice).toFixed(4)}), ` +
            `C-index FP32 ${qy.fp32.cIndex.toFixed(4)} / INT8 ${qy.int8.cIndex.toFixed(4)} (drop ${(qy.fp32.cIndex - qy.int8.cIndex).toFixed(4)}); target: drops ≤ 0.01.`,
        );
      }
    }
    // Seed 004 claims "~8× faster, ~8× smaller" for 50% pruning + INT8: against the unpruned FP32 model.
    const full = built.get('U-Net base 64');
    const pruned = built.get('U-Net base 64 channels −50%');
    if (full && pruned) {
      const speed = ms('U-Net base 64 FP32 1t') / ms('U-Net base 64 channels −50% INT8 1t');
      notes.push(`- Channels −50% + INT8 vs unpruned FP32 (1 thread, sequential cases): ${speed.toFixed(2)}× faster, ${(full.fp32.length / pruned.int8.length).toFixed(2)}× smaller (seed 004: ~8× and ~8×; untrained weights, so no accuracy figure here).`);
    }
    // The round-robin case: minima and medians of interleaved 1-thread runs.
    const rr = (key: string) => {
      const v = [...(roundRobin.get(key) ?? [])].sort((a, b) => a - b);
      return { min: v[0] ?? NaN, median: v[Math.floor(v.length / 2)] ?? NaN, n: v.length };
    };
    const rrRows = CONFIGS.filter((c) => c.base === 64 && roundRobin.has(`${c.label} FP32`));
    const base64 = rr('U-Net base 64 FP32');
    if (rrRows.length) {
      notes.push(
        '',
        `Round-robin, 1 thread (one run of each model per round, ${base64.n} rounds; speed-ups against the unpruned FP32 model's min / median):`,
        '',
        '| model | FP32 min ms | INT8 min ms | INT8 vs FP32 (min) | INT8 vs FP32 (median) | FP32 speed-up (min) | INT8 speed-up (min) |',
        '|---|---:|---:|---:|---:|---:|---:|',
      );
      for (const c of rrRows) {
        const [f, q] = [rr(`${c.label} FP32`), rr(`${c.label} INT8`)];
        notes.push(`| ${c.label} | ${f.min.toFixed(1)} | ${q.min.toFixed(1)} | ${(f.min / q.min).toFixed(2)}× | ${(f.median / q.median).toFixed(2)}× | ${(base64.min / f.min).toFixed(2)}× | ${(base64.min / q.min).toFixed(2)}× |`);
      }
      notes.push('');
    }
    // Which pruning makes ORT faster, and which only smaller once compressed (1 thread, round-robin minima).
    for (const [label, kind] of [['U-Net base 64 channels −50%', 'channel (structured)'], ['U-Net base 64 magnitude 50%', 'magnitude (unstructured)']] as const) {
      const p = built.get(label);
      if (!full || !p || !roundRobin.has(`${label} FP32`)) continue;
      notes.push(
        `- ${kind} pruning vs unpruned, base 64, 1 thread (round-robin minima): FP32 ${(base64.min / rr(`${label} FP32`).min).toFixed(2)}× and INT8 ${(rr('U-Net base 64 INT8').min / rr(`${label} INT8`).min).toFixed(2)}× the speed; ` +
          `file ${(full.fp32.length / p.fp32.length).toFixed(2)}× smaller, gzip-compressed ${(full.fp32Gzip / p.fp32Gzip).toFixed(2)}× (FP32) and ${(full.int8Gzip / p.int8Gzip).toFixed(2)}× (INT8) smaller.`,
      );
    }
    if (full && pruned && roundRobin.has('U-Net base 64 channels −50% INT8')) {
      notes.push(`- Channels −50% + INT8 vs unpruned FP32 (1 thread, round-robin minima): ${(base64.min / rr('U-Net base 64 channels −50% INT8').min).toFixed(2)}× faster, ${(full.fp32.length / pruned.int8.length).toFixed(2)}× smaller (seed 004: ~8× and ~8×).`);
    }
    const toyFull = built.get('U-Net base 8 trained')?.quality;
    const toyPruned = built.get('U-Net base 8 trained channels −50%')?.quality;
    if (toyFull && toyPruned) {
      notes.push(`- Trained base 8, channels −50% + fine-tune + INT8 vs unpruned FP32: Dice ${toyFull.fp32.dice.toFixed(4)} → ${toyPruned.int8.dice.toFixed(4)}, C-index ${toyFull.fp32.cIndex.toFixed(4)} → ${toyPruned.int8.cIndex.toFixed(4)}, ${(ms('U-Net base 8 trained FP32 1t') / ms('U-Net base 8 trained channels −50% INT8 1t')).toFixed(2)}× faster at 1 thread.`);
    }
    return [...out, '', ...notes];
  },
};
