/**
 * `medsynth optimize` on a seed-000 SimpleModel (ClinicalClassifier) with a `medsynth clinical`
 * data dir: the first N rows calibrate (and fine-tune after pruning), the rest are held out for
 * accuracy and AUC. Only magnitude pruning applies (the classifier has no channel-pruning rule).
 */
import { MedsynthError } from '../errors.js';
import { rocAuc } from '../generators/clinical2d/oracle.js';
import { ClinicalClassifier } from '../models/clinical_classifier.js';
import { loadCheckpoint } from '../nn/checkpoint.js';
import type { Architecture } from '../nn/checkpoint.js';
import { clinicalFeeds, readClinicalDir, type ClinicalRows } from './clinical_data.js';
import { fineTuneClassifier } from './finetune.js';
import type { OptimizeTask, PrunedModel } from './optimize_task.js';
import { createSession, runSession } from './ort.js';
import { magnitudePrune, weightSparsity } from './prune.js';

async function evaluate(model: Uint8Array, rows: ClinicalRows, start: number): Promise<Record<string, number>> {
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

export async function classifierTask(file: string, arch: Architecture, dataDir: string, calibrationRows: number): Promise<OptimizeTask> {
  const model = new ClinicalClassifier(Number(arch.n_tab));
  loadCheckpoint(file, model, { architecture: model.architecture() });
  model.eval();
  const rows = await readClinicalDir(dataDir, model.nTab);
  if (rows.n <= calibrationRows) {
    throw new MedsynthError('INVALID_ARGUMENT', `${rows.file} has ${rows.n} rows: nothing is left for held-out evaluation after ${calibrationRows} calibration rows`);
  }
  const calibration = [];
  for (let s = 0; s < calibrationRows; s += 16) calibration.push(clinicalFeeds(rows, s, Math.min(calibrationRows, s + 16)));
  return {
    architecture: arch,
    model,
    metrics: ['accuracy', 'auc'],
    data: { file: rows.file, calibrationRows, heldOutRows: rows.n - calibrationRows, size: [rows.height, rows.width] },
    dataLine: `data ${rows.file} (${rows.height}×${rows.width}): ${calibrationRows} calibration rows, ${rows.n - calibrationRows} held-out rows`,
    calibration,
    latencyFeed: clinicalFeeds(rows, calibrationRows, calibrationRows + 1),
    evaluate: (bytes) => evaluate(bytes, rows, calibrationRows),
    async prune(fraction, epochs, log): Promise<PrunedModel[]> {
      const pruned = new ClinicalClassifier(model.nTab);
      pruned.loadStateDict(model.stateDict());
      pruned.eval();
      const r = magnitudePrune(pruned, fraction);
      log(`magnitude pruning: ${(100 * r.zeroed / r.total).toFixed(1)}% of conv/linear weights zero (|w| ≤ ${r.threshold.toPrecision(3)})`);
      if (epochs > 0) {
        const losses = fineTuneClassifier(pruned, rows, calibrationRows, { epochs });
        log(`fine-tuned the pruned model on ${calibrationRows} rows for ${epochs} epochs (loss ${losses.map((l) => l.toFixed(4)).join(' → ')})`);
      }
      return [{
        kind: 'magnitude',
        model: pruned,
        sparsity: weightSparsity(pruned),
        note: `magnitude (unstructured, global threshold) ${fraction}: ${epochs > 0 ? `fine-tuned on the engine for ${epochs} epochs on the ${calibrationRows} calibration rows (zeros kept)` : 'not fine-tuned (--finetune-epochs 0)'}`,
      }];
    },
  };
}
