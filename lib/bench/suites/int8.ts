/**
 * int8 (issue 14): FP32 vs static INT8 (QDQ, per-channel int8 weights, uint8 activations, the
 * ConvTranspose → Conv + DepthToSpace rewrite) on onnxruntime-node's CPU provider, batch 1, at
 * 1 and 2 intra-op threads; inference runs in a worker thread (ORT's run() blocks its event
 * loop). Models: the seed's base-64 U-Net at 256×256 (also with every block's inner width
 * channel-pruned by 50%) and a base-16 one at 128×128, with RANDOM weights (seeded init) calibrated
 * (MinMax) on 4 random N(0, 1) images — the timings do not depend on the weights' values; and a
 * base-8 U-Net at 64×64 freshly TRAINED on the engine on a toy PET/CT task
 * (lib/bench/unet_toy_task.ts), calibrated on 16 training images, for the Dice / C-index drops.
 */
import { MultiTaskUNet } from '../../models/unet.js';
import { exportGraph } from '../../onnx/export.js';
import { encodeModel } from '../../onnx/graph.js';
import { int8Report } from '../../onnx/int8_report.js';
import { OrtWorker } from '../../onnx/ort_worker.js';
import { channelPruneUNet } from '../../onnx/prune.js';
import { quantizeModel } from '../../onnx/quantize_model.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';
import { toyQuality, toySet, trainToyUNet, type ToyQuality, type ToySet } from '../unet_toy_task.js';

interface Config {
  label: string;
  base: number;
  side: number;
  /** Structured channel pruning of every block's inner width (seed 004's "50% pruning"). */
  channelPrune?: number;
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
  { label: 'U-Net base 16', base: 16, side: 128, threads: [1, 2] },
  { label: 'U-Net base 8 trained', base: 8, side: 64, trained: true, threads: [1, 2] },
  { label: 'U-Net base 8 trained channels −50%', base: 8, side: 64, trained: true, channelPrune: 0.5, threads: [1] },
  { label: 'U-Net base 8', base: 8, side: 64, threads: [1], quick: true },
];

/** The trained toy U-Net, shared by its unpruned and pruned configurations. */
let toyModel: { train: ToySet; model: MultiTaskUNet; seconds: number } | undefined;

function gaussian(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

interface Built {
  fp32: Uint8Array;
  int8: Uint8Array;
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
    int8Ops: `${report.int8Compute} int8 compute ops (${Object.entries(report.ops).filter(([k]) => k.startsWith('QLinear')).map(([k, n]) => `${n} ${k}`).join(', ')}); float compute left: ${report.floatCompute.length ? report.floatCompute.join(', ') : 'none'}`,
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

export const suite: BenchSuite = {
  name: 'int8',
  cases: ({ quick }) => CONFIGS.filter((c) => !c.quick === !quick).flatMap((c) => c.threads.flatMap((t) => [ortCase(c, 'FP32', t), ortCase(c, 'INT8', t)])),
  summarize: (rows: readonly BenchRow[]) => {
    const ms = (name: string) => rows.find((r) => r.name === name)?.nativeMs ?? NaN;
    const out = [
      'onnxruntime-node CPU, batch 1; random weights except the trained base-8 U-Net (see lib/bench/suites/int8.ts); targets: INT8 ≥ 3.5× faster at 1 thread and ≥ 3.9× smaller on the base-64 U-Net.',
      '',
      '| model | input | FP32 MB | INT8 MB | smaller | FP32 ms 1t | INT8 ms 1t | speed-up 1t | FP32 ms 2t | INT8 ms 2t | speed-up 2t |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    const notes: string[] = [];
    for (const c of CONFIGS) {
      const b = built.get(c.label);
      if (!b) continue;
      const [f1, i1, f2, i2] = [`FP32 1t`, `INT8 1t`, `FP32 2t`, `INT8 2t`].map((k) => ms(`${c.label} ${k}`));
      const mb = (n: number) => (n / 2 ** 20).toFixed(1);
      const r = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');
      const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
      out.push(`| ${c.label} | ${c.side}² | ${mb(b.fp32.length)} | ${mb(b.int8.length)} | ${r(b.fp32.length, b.int8.length)} | ${f(f1)} | ${f(i1)} | ${r(f1, i1)} | ${f(f2)} | ${f(i2)} | ${r(f2, i2)} |`);
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
      notes.push(`- Channels −50% + INT8 vs unpruned FP32 (1 thread): ${speed.toFixed(2)}× faster, ${(full.fp32.length / pruned.int8.length).toFixed(2)}× smaller (seed 004: ~8× and ~8×; untrained weights, so no accuracy figure here).`);
    }
    const toyFull = built.get('U-Net base 8 trained')?.quality;
    const toyPruned = built.get('U-Net base 8 trained channels −50%')?.quality;
    if (toyFull && toyPruned) {
      notes.push(`- Trained base 8, channels −50% + fine-tune + INT8 vs unpruned FP32: Dice ${toyFull.fp32.dice.toFixed(4)} → ${toyPruned.int8.dice.toFixed(4)}, C-index ${toyFull.fp32.cIndex.toFixed(4)} → ${toyPruned.int8.cIndex.toFixed(4)}, ${(ms('U-Net base 8 trained FP32 1t') / ms('U-Net base 8 trained channels −50% INT8 1t')).toFixed(2)}× faster at 1 thread.`);
    }
    return [...out, '', ...notes];
  },
};
