/**
 * `medsynth optimize` on a PET/CT MultiTaskUNet checkpoint from `medsynth train petct` with a
 * `medsynth petct` cohort: the checkpoint's own slice options and patient split rebuild the
 * training pipeline (lib/studies/petct), calibration uses N slices spread evenly over the
 * training patients' slices, and accuracy is measured on the held-out (validation) patients —
 * pooled Dice at p ≥ 0.5 over their slices and Harrell's C-index of the patient risk (mean over
 * the patient's slices), eval mode (no MC dropout). Pruned variants: magnitude (unstructured,
 * global) and structured channel pruning of every block's inner width, each fine-tuned with
 * `train petct`'s loss on the training slices.
 */
import { MedsynthError } from '../errors.js';
import { concordanceIndex } from '../metric/c_index.js';
import type { MultiTaskUNet } from '../models/unet.js';
import { openPetCtCohort } from '../studies/petct/cohort.js';
import { patientRisks } from '../studies/petct/mc_dropout.js';
import { loadPetCtModel, type LoadedPetCtModel } from '../studies/petct/model_io.js';
import { loadSliceSet, sliceAt, type PetCtSliceSet } from '../studies/petct/slices.js';
import { splitPatients } from '../studies/petct/split.js';
import type { Sample } from './calibrate.js';
import { fineTuneUNet } from './finetune.js';
import type { OptimizeTask, PrunedModel } from './optimize_task.js';
import { createSession, runSession } from './ort.js';
import { channelPruneUNet, magnitudePrune, weightSparsity } from './prune.js';

/** Slices [start, end) of a set as one [n, 2, H, W] feed. */
function sliceFeed(set: PetCtSliceSet, indices: readonly number[]): Sample {
  const [H, W] = set.size;
  const data = new Float32Array(indices.length * 2 * H * W);
  indices.forEach((s, j) => data.set(sliceAt(set, s).image, j * 2 * H * W));
  return { image: { data, dims: [indices.length, 2, H, W] } };
}

/** `n` slice indices spread evenly over the set (all of them when n ≥ count). */
export function spreadIndices(count: number, n: number): number[] {
  if (n >= count) return [...Array(count).keys()];
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * count) / n));
}

/** Pooled Dice and C-index of an ONNX U-Net over a slice set. */
export async function unetQuality(model: Uint8Array, set: PetCtSliceSet, batchSize = 8): Promise<{ dice: number; cIndex: number }> {
  const session = await createSession(model, { threads: 2 });
  const plane = set.size[0] * set.size[1];
  const sliceRisk = new Float64Array(set.count);
  let tp = 0;
  let fpfn = 0;
  try {
    for (let s = 0; s < set.count; s += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, set.count - s) }, (_, j) => s + j);
      const out = await runSession(session, sliceFeed(set, idx));
      idx.forEach((slice, j) => {
        const mask = sliceAt(set, slice).mask;
        const p = out.segmentation.data.subarray(j * plane, (j + 1) * plane);
        for (let i = 0; i < plane; i++) {
          const y = mask[i] >= 0.5;
          const yhat = p[i] >= 0.5;
          if (y && yhat) tp++;
          else if (y || yhat) fpfn++;
        }
        sliceRisk[slice] = out.risk.data[j];
      });
    }
  } finally {
    await session.release();
  }
  const risk = patientRisks(sliceRisk, set.owner, set.patients.length);
  let cIndex = NaN;
  try {
    cIndex = (await concordanceIndex(risk, Float64Array.from(set.patients, (p) => p.patient.time), Uint8Array.from(set.patients, (p) => p.patient.event))).cIndex;
  } catch {
    // no comparable pair among the held-out patients: C-index undefined
  }
  return { dice: tp + fpfn ? (2 * tp) / (2 * tp + fpfn) : 1, cIndex };
}

export async function unetTask(file: string, dataDir: string, calibrationSlices: number, fineTuneLr?: number): Promise<OptimizeTask> {
  const loaded: LoadedPetCtModel = loadPetCtModel(file);
  const model = loaded.model.eval();
  let cohort;
  try {
    cohort = openPetCtCohort(dataDir);
  } catch (err) {
    throw new MedsynthError('INVALID_ARGUMENT', `--data-dir has no inputs for the PET/CT U-Net: ${(err as Error).message}`, { cause: err });
  }
  const split = splitPatients(cohort.patients, loaded.config.split);
  const train = await loadSliceSet(cohort, split.train, loaded.sliceOptions);
  const heldOut = await loadSliceSet(cohort, split.validation, loaded.sliceOptions);
  if (heldOut.count === 0) throw new MedsynthError('INVALID_ARGUMENT', `${dataDir} leaves no held-out patient under the checkpoint's split`);
  const picked = spreadIndices(train.count, calibrationSlices);
  const calibration: Sample[] = [];
  for (let i = 0; i < picked.length; i += 8) calibration.push(sliceFeed(train, picked.slice(i, i + 8)));
  const config = loaded.config as Record<string, unknown>;
  const lr = fineTuneLr ?? (typeof config.lr === 'number' ? config.lr : 1e-4);
  const weights = { segWeight: typeof config.seg_weight === 'number' ? config.seg_weight : 0.6, survWeight: typeof config.surv_weight === 'number' ? config.surv_weight : 0.4 };
  const batchSize = typeof config.batch_size === 'number' ? config.batch_size : 8;
  const [H, W] = train.size;
  const fineTune = async (m: MultiTaskUNet, epochs: number, keepZeros: boolean, what: string, log: (line: string) => void): Promise<string> => {
    if (epochs === 0) return 'not fine-tuned (--finetune-epochs 0)';
    const losses = await fineTuneUNet(m, train, { epochs, lr, batchSize, seed: 0, keepZeros, ...weights });
    log(`fine-tuned the ${what} U-Net on ${train.count} training slices for ${epochs} epochs (loss ${losses.map((l) => l.toFixed(4)).join(' → ')})`);
    return `fine-tuned on the engine for ${epochs} epochs on the ${train.count} training slices (train petct's loss, Adam lr ${lr}${keepZeros ? ', zeros kept' : ''})`;
  };
  return {
    architecture: model.architecture(),
    model,
    metrics: ['dice', 'cIndex'],
    data: {
      dir: cohort.dir,
      size: [H, W],
      trainPatients: split.train.length,
      trainSlices: train.count,
      calibrationSlices: picked.length,
      heldOutPatients: split.validation.length,
      heldOutSlices: heldOut.count,
    },
    dataLine:
      `data ${cohort.dir} (${H}×${W} slices, the checkpoint's split): ${picked.length} calibration slices spread over the ${split.train.length} training patients' ${train.count}; ` +
      `Dice (pooled, p ≥ 0.5) and C-index on the ${split.validation.length} held-out patients' ${heldOut.count} slices (eval mode)`,
    calibration,
    latencyFeed: sliceFeed(heldOut, [0]),
    evaluate: async (bytes) => unetQuality(bytes, heldOut),
    async prune(fraction: number, epochs: number, log: (line: string) => void): Promise<PrunedModel[]> {
      const magnitude = loadPetCtModel(file).model.eval();
      const r = magnitudePrune(magnitude, fraction);
      log(`magnitude pruning: ${(100 * r.zeroed / r.total).toFixed(1)}% of conv/linear weights zero (|w| ≤ ${r.threshold.toPrecision(3)})`);
      const magnitudeNote = await fineTune(magnitude, epochs, true, 'magnitude-pruned', log);
      const channels = channelPruneUNet(model, fraction).eval();
      log(`channel pruning: every block's inner width −${Math.round(100 * fraction)}% (${model.parameterCount()} → ${channels.parameterCount()} parameters)`);
      const channelsNote = await fineTune(channels, epochs, false, 'channel-pruned', log);
      return [
        { kind: 'magnitude', model: magnitude, sparsity: weightSparsity(magnitude), note: `magnitude (unstructured, global threshold) ${fraction}: ${magnitudeNote}` },
        { kind: 'channels', model: channels, note: `channels (structured, every block's inner width −${Math.round(100 * fraction)}%, ${model.parameterCount()} → ${channels.parameterCount()} parameters): ${channelsNote}` },
      ];
    },
  };
}
