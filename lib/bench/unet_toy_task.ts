/**
 * A small, freshly trained multi-task U-Net for the int8 suite's accuracy columns: a toy PET/CT
 * task that trains to Dice ≈ 0.99 in half a minute (`medsynth optimize` runs the real PET/CT slice
 * pipeline on a `train petct` checkpoint; bench/RESULTS.md records one). Each 2×S×S image has a bright disk
 * (the "tumour": mask = disk) in channel 0 over noise and a smooth background with noise in
 * channel 1; survival time is exponential with log-hazard proportional to the disk's area, ~30%
 * censored. Trained on the engine (Adam, 0.6 × focal Tversky + 0.4 × Cox, the seed's weights),
 * then exported; Dice (pooled, threshold 0.5) and C-index are measured on held-out images.
 */
import { concordanceIndex } from '../metric/c_index.js';
import { segmentationMetrics } from '../metric/segmentation.js';
import { MultiTaskUNet } from '../models/unet.js';
import { batchRanges, gatherRows, permutation } from '../nn/data.js';
import { coxLoss, focalTversky } from '../nn/ops/loss.js';
import { add, mulScalar } from '../nn/ops/pointwise.js';
import { Adam } from '../nn/optim/adam.js';
import { Trainer } from '../nn/trainer.js';
import type { NamedArray } from '../onnx/ort.js';
import { createSession, runSession } from '../onnx/ort.js';

export interface ToySet {
  n: number;
  side: number;
  images: Float32Array;
  masks: Uint8Array;
  time: Float32Array;
  event: Uint8Array;
}

export function toySet(n: number, side: number, seed: number): ToySet {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
  const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const px = side * side;
  const set: ToySet = { n, side, images: new Float32Array(n * 2 * px), masks: new Uint8Array(n * px), time: new Float32Array(n), event: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const r = side * (0.05 + 0.15 * u());
    const cx = r + (side - 2 * r) * u();
    const cy = r + (side - 2 * r) * u();
    const tilt = u() - 0.5;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? 1 : 0;
        set.masks[i * px + y * side + x] = inside;
        set.images[(i * 2) * px + y * side + x] = 2 * inside + 0.5 * g();
        set.images[(i * 2 + 1) * px + y * side + x] = tilt * (x / side - 0.5) + 0.3 * inside + 0.3 * g();
      }
    }
    const logHazard = 25 * (Math.PI * r * r) / px;
    const t = -Math.log(u()) / Math.exp(logHazard);
    const c = -Math.log(u()) / 0.4;
    set.time[i] = Math.min(t, c);
    set.event[i] = t <= c ? 1 : 0;
  }
  return set;
}

/** Trains a U-Net of width `base` (or fine-tunes `model`) for `epochs` on the toy set; returns it in eval mode. */
export function trainToyUNet(train: ToySet, { base = 8, epochs = 6, batchSize = 8, lr = 1e-3, seed = 0, model: start }: { base?: number; epochs?: number; batchSize?: number; lr?: number; seed?: number; model?: MultiTaskUNet } = {}): MultiTaskUNet {
  const model = start ?? new MultiTaskUNet({ base, seed, dropout: 0.1 });
  const trainer = new Trainer(model, new Adam(model.parameters(), { lr }), { seed });
  const px = train.side * train.side;
  model.train();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = permutation(train.n, seed, epoch);
    for (const [a, b] of batchRanges(train.n, batchSize)) {
      const idx = order.subarray(a, b);
      if (idx.length < 2) continue;
      trainer.trainStep(() => {
        const out = model.forwardMultiTask(gatherRows(train.images, [2, train.side, train.side], idx));
        const mask = new Uint8Array(idx.length * px);
        idx.forEach((k, j) => mask.set(train.masks.subarray(k * px, (k + 1) * px), j * px));
        const seg = focalTversky(out.segmentation, mask, { weightFN: 0.7, weightFP: 0.3, gamma: 0.75 });
        const cox = coxLoss(out.risk, Float32Array.from(idx, (k) => train.time[k]), Uint8Array.from(idx, (k) => train.event[k]));
        return { loss: add(mulScalar(seg, 0.6), mulScalar(cox, 0.4)), count: idx.length };
      }, epoch);
    }
  }
  return model.eval();
}

export interface ToyQuality {
  dice: number;
  cIndex: number;
}

/** Pooled Dice and C-index of an ONNX model on the set. */
export async function toyQuality(model: Uint8Array, set: ToySet): Promise<ToyQuality> {
  const session = await createSession(model, { threads: 2 });
  const px = set.side * set.side;
  const prob = new Float32Array(set.n * px);
  const risk = new Float64Array(set.n);
  try {
    for (let i = 0; i < set.n; i++) {
      const image: NamedArray = { data: set.images.subarray(i * 2 * px, (i + 1) * 2 * px), dims: [1, 2, set.side, set.side] };
      const out = await runSession(session, { image });
      prob.set(out.segmentation.data, i * px);
      risk[i] = out.risk.data[0];
    }
  } finally {
    await session.release();
  }
  const seg = await segmentationMetrics(prob, set.masks, { batch: set.n, size: px });
  const c = await concordanceIndex(risk, Float64Array.from(set.time), set.event);
  return { dice: seg.pooled.dice, cIndex: c.cIndex };
}
