/**
 * The short fine-tunes after pruning, on the engine: Adam over shuffled batches of the training
 * data. After magnitude pruning the zero pattern is re-imposed after every step (so the sparsity
 * the export reports is the sparsity that was trained); a channel-pruned U-Net is simply smaller.
 */
import type { ClinicalClassifier } from '../models/clinical_classifier.js';
import type { MultiTaskUNet } from '../models/unet.js';
import { batchRanges, gatherLabels, gatherRows, permutation } from '../nn/data.js';
import type { Module } from '../nn/module.js';
import { coxLoss, crossEntropy, focalTversky } from '../nn/ops/loss.js';
import { add, mulScalar } from '../nn/ops/pointwise.js';
import { Adam } from '../nn/optim/adam.js';
import { Tensor } from '../nn/tensor.js';
import { Trainer } from '../nn/trainer.js';
import { petctBatches } from '../studies/petct/batches.js';
import type { PetCtSliceSet } from '../studies/petct/slices.js';
import { FOCAL_TVERSKY } from '../studies/petct/train.js';
import type { ClinicalRows } from './clinical_data.js';

export interface FineTuneOptions {
  epochs: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
}

/** Keeps the weights (ndim ≥ 2) that are zero now at zero: call `apply()` after every step. */
function zeroMask(model: Module): { apply(): void } {
  const masks = model.parameters().filter((p) => p.ndim >= 2).map((p) => ({ data: p.data, zero: Uint8Array.from(p.data, (v) => (v === 0 ? 1 : 0)) }));
  return {
    apply() {
      for (const m of masks) for (let i = 0; i < m.data.length; i++) if (m.zero[i]) m.data[i] = 0;
    },
  };
}

/** Fine-tunes on rows [0, count); returns the mean training loss per epoch. */
export function fineTuneClassifier(model: ClinicalClassifier, rows: ClinicalRows, count: number, { epochs, lr = 1e-4, batchSize = 16, seed = 0 }: FineTuneOptions): number[] {
  const mask = zeroMask(model);
  const trainer = new Trainer(model, new Adam(model.parameters(), { lr }), { seed });
  const losses: number[] = [];
  model.train();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = permutation(count, seed, epoch);
    let sum = 0;
    for (const [s, e] of batchRanges(count, batchSize)) {
      const idx = order.subarray(s, e);
      const { loss } = trainer.trainStep(() => {
        const logits = model.forward(gatherRows(rows.images, [1, rows.height, rows.width], idx), gatherRows(rows.tabular, [rows.columns], idx));
        return { loss: crossEntropy(logits, gatherLabels(rows.labels, idx)), count: idx.length };
      }, epoch);
      sum += loss * idx.length;
      mask.apply();
    }
    losses.push(sum / count);
  }
  model.eval();
  return losses;
}

export interface UNetFineTuneOptions extends FineTuneOptions {
  /** Loss weights of `train petct` (the seed: 0.6 segmentation, 0.4 survival). */
  segWeight?: number;
  survWeight?: number;
  /** Re-impose the current zero weights after every step (after magnitude pruning). */
  keepZeros?: boolean;
}

/**
 * Fine-tunes the U-Net on a slice set with `train petct`'s loss (focal Tversky + Cox, the Cox
 * term only where the batch has an event) and augmentation; returns the mean loss per epoch.
 */
export async function fineTuneUNet(model: MultiTaskUNet, set: PetCtSliceSet, { epochs, lr = 1e-4, batchSize = 8, seed = 0, segWeight = 0.6, survWeight = 0.4, keepZeros = false }: UNetFineTuneOptions): Promise<number[]> {
  const mask = keepZeros ? zeroMask(model) : null;
  const trainer = new Trainer(model, new Adam(model.parameters(), { lr }), { seed });
  const [H, W] = set.size;
  const losses: number[] = [];
  model.train();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let sum = 0;
    for await (const b of petctBatches(set, { batchSize, shuffle: true, augmentation: {}, seed, epoch })) {
      const { loss } = trainer.trainStep(() => {
        const out = model.forwardMultiTask(Tensor.from(b.images, [b.size, 2, H, W]));
        let total = mulScalar(focalTversky(out.segmentation, Tensor.from(b.masks, [b.size, 1, H, W]), FOCAL_TVERSKY), segWeight);
        if (b.event.some((e) => e === 1)) total = add(total, mulScalar(coxLoss(out.risk, b.time, b.event), survWeight));
        return { loss: total, count: b.size };
      }, epoch);
      sum += loss * b.size;
      mask?.apply();
    }
    losses.push(sum / set.count);
  }
  model.eval();
  return losses;
}
