/**
 * The short fine-tune after magnitude pruning, on the engine: Adam over shuffled batches of the
 * non-held-out rows, with the pruned weights' zero pattern re-imposed after every step (so the
 * sparsity the export reports is the sparsity that was trained).
 */
import type { ClinicalClassifier } from '../models/clinical_classifier.js';
import { batchRanges, gatherLabels, gatherRows, permutation } from '../nn/data.js';
import { crossEntropy } from '../nn/ops/loss.js';
import { Adam } from '../nn/optim/adam.js';
import { Trainer } from '../nn/trainer.js';
import type { ClinicalRows } from './clinical_data.js';

export interface FineTuneOptions {
  epochs: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
}

/** Fine-tunes on rows [0, count); returns the mean training loss per epoch. */
export function fineTuneClassifier(model: ClinicalClassifier, rows: ClinicalRows, count: number, { epochs, lr = 1e-4, batchSize = 16, seed = 0 }: FineTuneOptions): number[] {
  const masks = model.parameters().filter((p) => p.ndim >= 2).map((p) => ({ data: p.data, zero: Uint8Array.from(p.data, (v) => (v === 0 ? 1 : 0)) }));
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
      for (const m of masks) for (let i = 0; i < m.data.length; i++) if (m.zero[i]) m.data[i] = 0;
    }
    losses.push(sum / count);
  }
  model.eval();
  return losses;
}
