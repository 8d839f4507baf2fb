/**
 * Batches for the multi-task U-Net: images [N, 2, H, W] (CT, PET), masks [N, 1, H, W], and per
 * slice its patient's survival time and event for the Cox term.
 *
 * Order. Without shuffling (validation, evaluation): patient by patient, slices ascending.
 * With shuffling (training): every epoch the patients and each patient's slices are permuted
 * (Philox keyed by (seed, epoch)) and then dealt round-robin — one slice of each patient in turn
 * — so consecutive slices come from different patients while enough patients have slices left.
 * That matters for the Cox partial likelihood, whose risk sets are formed within a batch: a
 * batch of one patient's slices shares one time and compares nothing. Towards an epoch's end
 * only patients with many slices remain and batches can repeat a patient.
 *
 * Each batch carries, per slice, whether it holds tumour and its patient's clinical covariates,
 * for the survival term and a survival head that takes them.
 *
 * Augmentation (training only) draws slice i's parameters from Philox (seed, i, stream of the
 * epoch), so a batch is reproducible from (seed, epoch) alone and its parameters are recorded in
 * the batch.
 */
import { Rng } from '../../core/philox.js';
import { checkInteger, checkSeed } from '../../validate.js';
import { applyAugmentation, resolveAugmentation, sampleAugmentation, type AugmentationConfig, type AugmentationParams } from './augment.js';
import { CLINICAL_COVARIATES } from './cohort.js';
import { sliceAt, type PetCtSliceSet } from './slices.js';

export const ORDER_STREAM = 0x0bde5;
/** Augmentation of epoch e reads stream AUGMENT_STREAM + e. */
export const AUGMENT_STREAM = 0x100000;

export interface BatchOptions {
  /** Slices per batch (default 8). */
  batchSize?: number;
  /** Permute every epoch (default false). */
  shuffle?: boolean;
  /** Augment with this configuration (default: no augmentation). */
  augmentation?: Partial<AugmentationConfig> | null;
  seed?: number | bigint;
  /** Epoch number: keys the order and the augmentation (default 0). */
  epoch?: number;
  /** Drop a last, smaller batch (default false). */
  dropLast?: boolean;
}

export interface PetCtBatch {
  /** N, the number of slices. */
  size: number;
  /** [N, 2, H, W]: channel 0 CT, channel 1 PET (normalised). */
  images: Float32Array;
  /** [N, 1, H, W]: 0/1. */
  masks: Float32Array;
  /** [N] the slice's patient's observed time (months) and event (1) / censoring (0). */
  time: Float32Array;
  event: Uint8Array;
  patientIds: string[];
  /** [N] 1 where the slice holds tumour (the slices whose risks make a patient's risk). */
  hasTumour: Uint8Array;
  /**
   * [N, 3] the slice's patient's standardised clinical covariates (CLINICAL_COVARIATES order), or
   * null when some patient of the set has none (a clinical.csv without age, sex, stage).
   */
  clinical: Float32Array | null;
  /** [N] flat slice indices into the set. */
  slices: Int32Array;
  /** Per slice, the augmentation applied (null when not augmenting). */
  augmentation: AugmentationParams[] | null;
}

function permute(n: number, rng: Rng): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** The epoch's slice order (flat indices), as the module comment describes. */
export function epochOrder(set: PetCtSliceSet, options: { shuffle?: boolean; seed?: number | bigint; epoch?: number } = {}): Int32Array {
  if (!options.shuffle) return Int32Array.from({ length: set.count }, (_, i) => i);
  const seed = checkSeed('seed', options.seed ?? 42);
  const epoch = checkInteger('epoch', options.epoch ?? 0, 0, 0xfffff);
  const rng = new Rng(seed, epoch, ORDER_STREAM);
  const firstOf = new Int32Array(set.patients.length + 1);
  set.patients.forEach((p, k) => (firstOf[k + 1] = firstOf[k] + p.z.length));
  const queues = Array.from(permute(set.patients.length, rng), (k) =>
    Array.from(permute(set.patients[k].z.length, rng), (s) => firstOf[k] + s),
  );
  const order = new Int32Array(set.count);
  let n = 0;
  for (let round = 0; n < set.count; round++) {
    for (const q of queues) if (round < q.length) order[n++] = q[round];
  }
  return order;
}

/** Number of batches one epoch yields. */
export function batchCount(set: PetCtSliceSet, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(set.count / batchSize) : Math.ceil(set.count / batchSize);
}

/** Yields the epoch's batches; each batch owns its arrays. */
export async function* petctBatches(set: PetCtSliceSet, options: BatchOptions = {}): AsyncGenerator<PetCtBatch> {
  const batchSize = checkInteger('batchSize', options.batchSize ?? 8, 1, 1 << 16);
  const seed = checkSeed('seed', options.seed ?? 42);
  const epoch = checkInteger('epoch', options.epoch ?? 0, 0, 0xfffff);
  const augment = options.augmentation ? resolveAugmentation(options.augmentation) : null;
  const order = epochOrder(set, { shuffle: options.shuffle, seed, epoch });
  const [H, W] = set.size;
  const plane = H * W;
  const batches = batchCount(set, batchSize, options.dropLast);
  const withClinical = set.patients.every((p) => p.patient.clinical !== null);
  const C = CLINICAL_COVARIATES.length;
  for (let b = 0; b < batches; b++) {
    const slices = order.subarray(b * batchSize, Math.min(set.count, (b + 1) * batchSize)).slice();
    const N = slices.length;
    const images = new Float32Array(N * 2 * plane);
    const masks = new Float32Array(N * plane);
    const time = new Float32Array(N);
    const event = new Uint8Array(N);
    const hasTumour = new Uint8Array(N);
    const clinical = withClinical ? new Float32Array(N * C) : null;
    const patientIds: string[] = [];
    const params: AugmentationParams[] = [];
    for (let k = 0; k < N; k++) {
      const s = sliceAt(set, slices[k]);
      time[k] = s.patient.patient.time;
      event[k] = s.patient.patient.event;
      hasTumour[k] = s.hasTumour ? 1 : 0;
      clinical?.set(s.patient.patient.clinical!, k * C);
      patientIds.push(s.patient.patient.id);
      const imageOut = images.subarray(2 * k * plane, 2 * (k + 1) * plane);
      const maskOut = masks.subarray(k * plane, (k + 1) * plane);
      if (augment) {
        const p = sampleAugmentation(augment, new Rng(seed, slices[k], AUGMENT_STREAM + epoch));
        params.push(p);
        await applyAugmentation(s.image, s.mask, set.size, p, { image: imageOut, mask: maskOut });
      } else {
        imageOut.set(s.image);
        maskOut.set(s.mask);
      }
    }
    yield { size: N, images, masks, time, event, patientIds, hasTumour, clinical, slices, augmentation: augment ? params : null };
  }
}
