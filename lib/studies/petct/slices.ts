/**
 * The training examples of the study: axial slices of a patient, normalised
 * (./normalise.ts) and resampled to the model's input size, with the binary tumour mask.
 *
 * Which slices: every slice that holds tumour (label 1 or 2) — or, with `maxTumourSlices`, that
 * many spread evenly through them — plus tumour-free slices so that they make up
 * `tumourFreeShare` of the patient's slices (chosen at random, seeded per patient). A 2D cohort
 * has one slice per patient, through the primary tumour, and no tumour-free slices.
 *
 * Resampling (native/warp/resample2d.h): bilinear with pixel areas aligned and edge padding, as
 * PyTorch's F.interpolate(mode='bilinear', align_corners=False); a halving is exactly the 2×2
 * mean. The mask is the union of labels 1 and 2, resampled bilinearly as 0/1 and thresholded at
 * ½, so its boundary moves by less than half an output pixel.
 */
import { Rng } from '../../core/philox.js';
import { MedsynthError, invalidParameter } from '../../errors.js';
import { clamp } from '../../ops/intensity.js';
import { labelChunkOccupancy } from '../../ops/labels.js';
import { resizeMap, warpAffine2d } from '../../ops/resample2d.js';
import { checkInteger, checkNumber, checkSeed } from '../../validate.js';
import { cohortPatient, loadPetCtVolumes, type PetCtCohort, type PetCtCohortPatient } from './cohort.js';
import { normaliseCt, normalisePet, resolveNormalisation, type IntensityNormalisation } from './normalise.js';

/** Philox stream of the tumour-free slice choice. */
export const SLICE_STREAM = 0x511ce;

export interface SliceOptions {
  /** Model input [H, W] (default [256, 256]). */
  size?: readonly [number, number];
  /** Share of tumour-free slices among a patient's slices, in [0, 0.9] (default 0.2). */
  tumourFreeShare?: number;
  /** At most this many tumour slices per patient, evenly spaced (default: all). */
  maxTumourSlices?: number;
  normalisation?: Parameters<typeof resolveNormalisation>[0];
  /** Seed of the tumour-free choice (default 42; a decimal string is read as a BigInt). */
  seed?: number | bigint | string;
  /** Refuse to hold more than this many bytes of slices (default 4 GiB). */
  maxBytes?: number;
}

export interface ResolvedSliceOptions {
  size: [number, number];
  tumourFreeShare: number;
  maxTumourSlices: number;
  normalisation: IntensityNormalisation;
  seed: number | bigint;
  maxBytes: number;
}

export function resolveSliceOptions(o: SliceOptions = {}): ResolvedSliceOptions {
  const size = o.size ?? [256, 256];
  if (!Array.isArray(size) || size.length !== 2) throw invalidParameter('size', '[height, width]', size);
  return {
    size: [checkInteger('size[0]', size[0], 8, 4096), checkInteger('size[1]', size[1], 8, 4096)],
    tumourFreeShare: checkNumber('tumourFreeShare', o.tumourFreeShare ?? 0.2, { min: 0, max: 0.9 }),
    maxTumourSlices: checkInteger('maxTumourSlices', o.maxTumourSlices ?? 1_000_000, 1, 1_000_000),
    normalisation: resolveNormalisation(o.normalisation),
    seed: checkSeed('seed', typeof o.seed === 'string' && /^[0-9]+$/.test(o.seed) ? BigInt(o.seed) : o.seed ?? 42),
    maxBytes: checkNumber('maxBytes', o.maxBytes ?? 4 * 2 ** 30, { above: 0 }),
  };
}

/**
 * JSON-safe record of the options (for a checkpoint's metadata, so evaluation rebuilds exactly
 * the training pipeline): resolveSliceOptions(describeSliceOptions(o)) equals o.
 */
export function describeSliceOptions(o: ResolvedSliceOptions): SliceOptions & { seed: number | string } {
  return {
    size: [...o.size],
    tumourFreeShare: o.tumourFreeShare,
    maxTumourSlices: o.maxTumourSlices,
    normalisation: { ct: { ...o.normalisation.ct }, pet: { ...o.normalisation.pet } },
    seed: typeof o.seed === 'bigint' ? o.seed.toString() : o.seed,
    maxBytes: o.maxBytes,
  };
}

/**
 * Slice indices to use, ascending, from per-slice tumour flags: the tumour slices (at most
 * `maxTumourSlices`, evenly spaced) and round(share / (1 − share) · tumour count) tumour-free
 * ones drawn without replacement (as many as exist).
 */
export function chooseSlices(tumourByZ: ArrayLike<number>, o: Pick<ResolvedSliceOptions, 'tumourFreeShare' | 'maxTumourSlices'>, rng: Rng): { z: number[]; tumour: boolean[] } {
  const withTumour: number[] = [];
  const without: number[] = [];
  for (let z = 0; z < tumourByZ.length; z++) (tumourByZ[z] ? withTumour : without).push(z);
  let picked = withTumour;
  if (withTumour.length > o.maxTumourSlices) {
    const m = o.maxTumourSlices;
    picked = Array.from({ length: m }, (_, k) => withTumour[Math.floor(((k + 0.5) * withTumour.length) / m)]);
  }
  const wantFree = Math.min(without.length, Math.round((o.tumourFreeShare / (1 - o.tumourFreeShare)) * picked.length));
  // Partial Fisher–Yates: the first wantFree of a seeded permutation.
  const pool = [...without];
  for (let i = 0; i < wantFree; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const free = pool.slice(0, wantFree);
  const z = [...picked, ...free].sort((a, b) => a - b);
  const tumourSet = new Set(picked);
  return { z, tumour: z.map((v) => tumourSet.has(v)) };
}

/** One patient's slices: [S, 2, H, W] images (CT, PET) and [S, 1, H, W] masks. */
export interface PatientSlices {
  patient: PetCtCohortPatient;
  /** Index of the patient in the cohort (its position in clinical.csv). */
  cohortIndex: number;
  z: Int32Array;
  hasTumour: Uint8Array;
  images: Float32Array;
  masks: Float32Array;
  /** [sz, sy, sx] of the source volume, mm. */
  sourceSpacing: [number, number, number];
  /** [Z, Y, X] of the source volume. */
  sourceDims: [number, number, number];
}

/** Loads, normalises and resamples the chosen slices of one patient. */
export async function loadPatientSlices(cohort: PetCtCohort, id: string, o: ResolvedSliceOptions): Promise<PatientSlices> {
  const patient = cohortPatient(cohort, id);
  const cohortIndex = cohort.patients.indexOf(patient);
  const v = await loadPetCtVolumes(cohort, id);
  const [Z, Y, X] = v.dims;
  const plane = Y * X;
  const occupancy = await labelChunkOccupancy(v.seg, v.dims, [1, Y, X], 3);
  const tumourByZ = Uint8Array.from({ length: Z }, (_, z) => occupancy.flags[Z + z] | occupancy.flags[2 * Z + z]);
  const { z, tumour } = chooseSlices(tumourByZ, o, new Rng(o.seed, cohortIndex, SLICE_STREAM));
  const S = z.length;

  await normaliseCt(v.ct, o.normalisation);
  await normalisePet(v.pet, o.normalisation);
  const stack = new Float32Array(S * 2 * plane);
  const labels = new Float32Array(S * plane);
  z.forEach((zz, s) => {
    stack.set(v.ct.subarray(zz * plane, (zz + 1) * plane), 2 * s * plane);
    stack.set(v.pet.subarray(zz * plane, (zz + 1) * plane), (2 * s + 1) * plane);
    labels.set(v.seg.subarray(zz * plane, (zz + 1) * plane), s * plane);
  });
  await clamp(labels, 0, 1, labels); // labels 1 and 2 → 1
  const [H, W] = o.size;
  let images: Float32Array = stack;
  let masks: Float32Array = labels;
  if (S > 0 && (H !== Y || W !== X)) {
    const map = resizeMap([Y, X], [H, W]);
    images = await warpAffine2d(stack, { planes: 2 * S, height: Y, width: X }, [H, W], map, { padding: 'edge' });
    masks = await warpAffine2d(labels, { planes: S, height: Y, width: X }, [H, W], map, { padding: 'edge', threshold: 0.5 });
  }
  return {
    patient,
    cohortIndex,
    z: Int32Array.from(z),
    hasTumour: Uint8Array.from(tumour, (t) => (t ? 1 : 0)),
    images,
    masks,
    sourceSpacing: v.spacing,
    sourceDims: v.dims,
  };
}

/** The slices of a set of patients, addressable by a flat slice index. */
export interface PetCtSliceSet {
  size: [number, number];
  options: ResolvedSliceOptions;
  patients: PatientSlices[];
  /** Total number of slices. */
  count: number;
  /** Per flat slice index: the index into `patients` and the slice within it. */
  owner: Int32Array;
  local: Int32Array;
}

/**
 * Loads the slices of the patients `ids` (in that order).
 *
 * @throws MedsynthError INVALID_ARGUMENT for an unknown id, OUT_OF_MEMORY when the slices would
 *   exceed `maxBytes`
 */
export async function loadSliceSet(
  cohort: PetCtCohort,
  ids: readonly string[],
  options: SliceOptions = {},
  onPatient?: (done: number, total: number) => void,
): Promise<PetCtSliceSet> {
  const o = resolveSliceOptions(options);
  for (const id of ids) cohortPatient(cohort, id); // every id checked before any work
  const patients: PatientSlices[] = [];
  let bytes = 0;
  for (const id of ids) {
    const p = await loadPatientSlices(cohort, id, o);
    bytes += p.images.byteLength + p.masks.byteLength;
    if (bytes > o.maxBytes) {
      throw new MedsynthError(
        'OUT_OF_MEMORY',
        `the slices of ${patients.length + 1} of ${ids.length} patients already take ${(bytes / 2 ** 30).toFixed(2)} GiB (limit ${(o.maxBytes / 2 ** 30).toFixed(2)} GiB): use a smaller size or maxTumourSlices`,
      );
    }
    patients.push(p);
    onPatient?.(patients.length, ids.length);
  }
  const count = patients.reduce((n, p) => n + p.z.length, 0);
  const owner = new Int32Array(count);
  const local = new Int32Array(count);
  let i = 0;
  patients.forEach((p, k) => {
    for (let s = 0; s < p.z.length; s++, i++) {
      owner[i] = k;
      local[i] = s;
    }
  });
  return { size: o.size, options: o, patients, count, owner, local };
}

/** Views of slice i of a set: image [2, H, W], mask [1, H, W], and its patient. */
export function sliceAt(set: PetCtSliceSet, i: number): { image: Float32Array; mask: Float32Array; patient: PatientSlices; z: number; hasTumour: boolean } {
  checkInteger('slice index', i, 0, set.count - 1);
  const p = set.patients[set.owner[i]];
  const s = set.local[i];
  const plane = set.size[0] * set.size[1];
  return {
    image: p.images.subarray(2 * s * plane, 2 * (s + 1) * plane),
    mask: p.masks.subarray(s * plane, (s + 1) * plane),
    patient: p,
    z: p.z[s],
    hasTumour: p.hasTumour[s] === 1,
  };
}

/**
 * The set's true masks as one [S, H, W] array and each slice's patient (index into
 * `set.patients`), in flat slice order — the `truth` and `slicePatient` of an evaluation.
 */
export function sliceSetTruth(set: PetCtSliceSet): { truth: Float32Array; slicePatient: Int32Array } {
  const plane = set.size[0] * set.size[1];
  const truth = new Float32Array(set.count * plane);
  let offset = 0;
  for (const p of set.patients) {
    truth.set(p.masks, offset);
    offset += p.masks.length;
  }
  return { truth, slicePatient: set.owner.slice() };
}

/** Per flat slice index of the set: 1 where the slice holds tumour (patientRisks' `hasTumour`). */
export function sliceSetTumourFlags(set: PetCtSliceSet): Uint8Array {
  const flags = new Uint8Array(set.count);
  for (let i = 0; i < set.count; i++) flags[i] = set.patients[set.owner[i]].hasTumour[set.local[i]];
  return flags;
}

/**
 * Copies a batch's per-slice maps (`src`: [N, H, W], slice k = flat index `slices[k]`) into a
 * set-sized [S, H, W] array, so maps computed batch by batch line up with sliceSetTruth.
 */
export function scatterSlices(dst: Float32Array, slices: Int32Array, plane: number, src: Float32Array): void {
  if (src.length !== slices.length * plane) throw invalidParameter('src', `${slices.length} slices of ${plane} pixels`, src);
  slices.forEach((s, k) => {
    if (!((s + 1) * plane <= dst.length && s >= 0)) throw invalidParameter('slices', `flat indices below ${dst.length / plane}`, s);
    dst.set(src.subarray(k * plane, (k + 1) * plane), s * plane);
  });
}

/** The slice (index within the patient) with the most tumour pixels; the demo figure shows it. */
export function largestTumourSlice(p: PatientSlices, size: readonly [number, number]): number {
  const plane = size[0] * size[1];
  let best = 0;
  let bestArea = -1;
  for (let s = 0; s < p.z.length; s++) {
    let area = 0;
    const m = p.masks.subarray(s * plane, (s + 1) * plane);
    for (let i = 0; i < m.length; i++) area += m[i];
    if (area > bestArea) [best, bestArea] = [s, area];
  }
  return best;
}

/**
 * Axial slice z of a patient in display units — CT in HU, PET in SUV — resampled to `size` as the
 * model's input is (bilinear, edge padding), for figures.
 */
export async function loadDisplaySlice(cohort: PetCtCohort, id: string, z: number, size: readonly [number, number]): Promise<{ ctHu: Float32Array; petSuv: Float32Array }> {
  const v = await loadPetCtVolumes(cohort, id);
  const [Z, Y, X] = v.dims;
  checkInteger('z', z, 0, Z - 1);
  const plane = Y * X;
  const map = resizeMap([Y, X], [size[0], size[1]]);
  const stack = new Float32Array(2 * plane);
  stack.set(v.ct.subarray(z * plane, (z + 1) * plane), 0);
  stack.set(v.pet.subarray(z * plane, (z + 1) * plane), plane);
  const out = await warpAffine2d(stack, { planes: 2, height: Y, width: X }, [size[0], size[1]], map, { padding: 'edge' });
  const n = size[0] * size[1];
  return { ctHu: out.subarray(0, n), petSuv: out.subarray(n, 2 * n) };
}
