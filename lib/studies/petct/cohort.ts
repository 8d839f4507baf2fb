/**
 * Reading a `medsynth petct` output directory (layout in lib/generators/petct/dataset.ts):
 * metadata.json (must name the generator), clinical.csv (the outcome and the clinical covariates
 * age, sex, stage a model may learn from), truth.csv (the true linear predictor and its
 * image-derived covariates, used only for the oracles) and per patient
 * ct.nii.gz (int16 HU), pet.nii.gz (float32 SUV) and seg.nii.gz (uint8 0/1/2).
 * Every failure is one line: a directory that is not such an output, a missing patient file,
 * an unknown patient id.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError, invalidParameter } from '../../errors.js';
import { COVARIATE_STANDARDISATION, type CovariateName } from '../../generators/petct/covariates.js';
import type { PetCtPatient } from '../../generators/petct/patient.js';
import { readNifti, type DecodedNifti } from '../../io/nifti.js';
import { rescale } from '../../ops/intensity.js';

export interface PetCtCohortPatient {
  id: string;
  /** Observed time in months (event or censoring). */
  time: number;
  /** 1 event, 0 censored. */
  event: 0 | 1;
  /** The true Cox linear predictor β·x from truth.csv (NaN when truth.csv is absent). */
  linearPredictor: number;
  /**
   * Its image-derived part β_log_mtv·x_log_mtv + β_suvmax·x_suvmax + β_lesions·x_lesions — what the
   * images can tell at best (NaN without truth.csv's x_ columns or metadata's β).
   */
  imageLinearPredictor: number;
  /**
   * The clinical covariates as the generator standardises them (CLINICAL_COVARIATES order:
   * (age − 64)/10, male 0/1, stage − 2.5), or null when clinical.csv lacks age, sex or stage.
   */
  clinical: number[] | null;
}

/** The clinical covariates a survival head may take, in this order (lib/generators/petct/covariates.ts). */
export const CLINICAL_COVARIATES = ['age', 'male', 'stage'] as const satisfies readonly CovariateName[];
/** The image-derived covariates of the true linear predictor. */
export const IMAGE_COVARIATES = ['log_mtv', 'suvmax', 'lesions'] as const satisfies readonly CovariateName[];

const STAGE_NUMBERS: Record<string, number> = { I: 1, II: 2, III: 3, IV: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

export interface PetCtCohort {
  dir: string;
  /** '2d': one axial slice per patient through the primary tumour; '3d': volumes. */
  mode: '2d' | '3d';
  patients: PetCtCohortPatient[];
  /** Whether truth.csv was present (the oracle C-index needs it). */
  hasTruth: boolean;
}

/** One patient's images as the generator wrote them, CT as float32 HU; dims [Z, Y, X] (Z = 1 in 2D). */
export interface PetCtVolumes extends Pick<PetCtPatient, 'dims' | 'spacing' | 'pet' | 'seg'> {
  id: string;
  ct: Float32Array;
}

const GENERATOR = 'medsynth petct';
export const PETCT_IMAGE_FILES = ['ct.nii.gz', 'pet.nii.gz', 'seg.nii.gz'] as const;

function notACohort(dir: string, why: string): MedsynthError {
  return new MedsynthError('INVALID_ARGUMENT', `${dir} is not a medsynth petct output directory: ${why}`);
}

/** Rows of a small CSV without quoting (the generator writes none) as objects keyed by the header. */
function readTable(dir: string, file: string, columns: readonly string[]): Array<Record<string, string>> {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length) throw notACohort(dir, `${file} has no column ${missing.join(', ')}`);
  return lines.slice(1).map((line, k) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw notACohort(dir, `${file} line ${k + 2} has ${cells.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

function finiteCell(dir: string, file: string, row: Record<string, string>, column: string): number {
  const v = Number(row[column]);
  if (!Number.isFinite(v)) throw notACohort(dir, `${file}: ${column} of ${row.patient_id} is '${row[column]}', not a number`);
  return v;
}

/** Standardised (age, male, stage) of a clinical.csv row, or null when the columns are absent. */
function clinicalCovariates(dir: string, row: Record<string, string>): number[] | null {
  if (!('age' in row && 'sex' in row && 'stage' in row)) return null;
  const stage = STAGE_NUMBERS[row.stage];
  if (stage === undefined) throw notACohort(dir, `clinical.csv: stage of ${row.patient_id} is '${row.stage}', not I-IV`);
  if (row.sex !== 'M' && row.sex !== 'F') throw notACohort(dir, `clinical.csv: sex of ${row.patient_id} is '${row.sex}', not M or F`);
  const raw: Record<(typeof CLINICAL_COVARIATES)[number], number> = { age: finiteCell(dir, 'clinical.csv', row, 'age'), male: row.sex === 'M' ? 1 : 0, stage };
  return CLINICAL_COVARIATES.map((n) => (raw[n] - COVARIATE_STANDARDISATION[n].center) / COVARIATE_STANDARDISATION[n].scale);
}

/**
 * Opens a `medsynth petct` output directory: checks metadata.json names the generator, reads
 * the outcomes (clinical.csv) and, when present, the true linear predictors (truth.csv), and
 * checks every patient has its three image files.
 *
 * @throws MedsynthError INVALID_ARGUMENT (one line) for anything else
 */
export function openPetCtCohort(dir: string): PetCtCohort {
  if (typeof dir !== 'string' || dir.length === 0) throw invalidParameter('dataDir', 'a directory path', dir);
  if (!existsSync(dir)) throw notACohort(dir, 'it does not exist');
  const metaPath = path.join(dir, 'metadata.json');
  if (!existsSync(metaPath)) throw notACohort(dir, 'no metadata.json');
  let meta: { generator?: unknown; options?: { mode?: unknown }; survival_model?: { beta?: Record<string, unknown> } };
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (err) {
    throw notACohort(dir, `metadata.json is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (meta?.generator !== GENERATOR) throw notACohort(dir, `metadata.json names generator ${JSON.stringify(meta?.generator ?? null)}`);
  const mode = meta.options?.mode === '2d' ? '2d' : '3d';
  if (!existsSync(path.join(dir, 'clinical.csv'))) throw notACohort(dir, 'no clinical.csv');

  const clinical = readTable(dir, 'clinical.csv', ['patient_id', 'time_months', 'event']);
  if (clinical.length === 0) throw notACohort(dir, 'clinical.csv lists no patient');
  const hasTruth = existsSync(path.join(dir, 'truth.csv'));
  const truth = new Map<string, { lp: number; imageLp: number }>();
  if (hasTruth) {
    const beta = meta.survival_model?.beta ?? {};
    const imageTerms = IMAGE_COVARIATES.every((n) => Number.isFinite(beta[n]));
    for (const row of readTable(dir, 'truth.csv', ['patient_id', 'linear_predictor'])) {
      const hasX = imageTerms && IMAGE_COVARIATES.every((n) => `x_${n}` in row);
      const imageLp = hasX ? IMAGE_COVARIATES.reduce((a, n) => a + (beta[n] as number) * finiteCell(dir, 'truth.csv', row, `x_${n}`), 0) : NaN;
      truth.set(row.patient_id, { lp: finiteCell(dir, 'truth.csv', row, 'linear_predictor'), imageLp });
    }
  }
  const seen = new Set<string>();
  const patients = clinical.map((row): PetCtCohortPatient => {
    const id = row.patient_id;
    if (!/^[A-Za-z0-9_.-]+$/.test(id) || seen.has(id)) throw notACohort(dir, `clinical.csv has a bad or repeated patient id '${id}'`);
    seen.add(id);
    const event = finiteCell(dir, 'clinical.csv', row, 'event');
    if (event !== 0 && event !== 1) throw notACohort(dir, `clinical.csv: event of ${id} is ${event}, not 0 or 1`);
    const time = finiteCell(dir, 'clinical.csv', row, 'time_months');
    if (!(time >= 0)) throw notACohort(dir, `clinical.csv: time_months of ${id} is negative`);
    for (const f of PETCT_IMAGE_FILES) if (!existsSync(path.join(dir, id, f))) throw notACohort(dir, `${id}/${f} is missing`);
    const t = truth.get(id);
    return { id, time, event, linearPredictor: t?.lp ?? NaN, imageLinearPredictor: t?.imageLp ?? NaN, clinical: clinicalCovariates(dir, row) };
  });
  return { dir, mode, patients, hasTruth };
}

/** The patient of `cohort` named `id`. @throws MedsynthError INVALID_ARGUMENT naming the id */
export function cohortPatient(cohort: PetCtCohort, id: string): PetCtCohortPatient {
  const p = cohort.patients.find((q) => q.id === id);
  if (!p) {
    const ids = cohort.patients.map((q) => q.id);
    const range = ids.length > 3 ? `${ids[0]} … ${ids[ids.length - 1]}` : ids.join(', ');
    throw new MedsynthError('INVALID_ARGUMENT', `unknown patient '${id}' in ${cohort.dir} (it has ${ids.length}: ${range})`);
  }
  return p;
}

function volumeDims(img: DecodedNifti): [number, number, number] {
  const d = img.dims;
  if (d.length === 2) return [1, d[0], d[1]];
  if (d.length === 3) return [d[0], d[1], d[2]];
  throw new MedsynthError('CORRUPT_FILE', `expected a 2D or 3D image, found dims ${d.join('×')}`);
}

/** Real values of a decoded image as float32, with the header's scl_slope / scl_inter applied. */
async function realValues(img: DecodedNifti): Promise<Float32Array> {
  const values = img.data instanceof Float32Array ? img.data : new Float32Array(img.data);
  if (img.sclSlope === 1 && img.sclInter === 0) return values;
  return rescale(values, { scale: img.sclSlope, offset: img.sclInter }, values);
}

/**
 * Loads one patient's CT (HU), PET (SUV) and tumour labels.
 *
 * @throws MedsynthError INVALID_ARGUMENT for an unknown id, CORRUPT_FILE for unreadable or
 *   mismatched images
 */
export async function loadPetCtVolumes(cohort: PetCtCohort, id: string): Promise<PetCtVolumes> {
  cohortPatient(cohort, id);
  const read = (f: string) => {
    const file = path.join(cohort.dir, id, f);
    try {
      return readNifti(file);
    } catch (err) {
      throw new MedsynthError((err as MedsynthError).code ?? 'IO_ERROR', `${file}: ${(err as Error).message}`);
    }
  };
  const [ctImg, petImg, segImg] = PETCT_IMAGE_FILES.map(read);
  const dims = volumeDims(ctImg);
  for (const [name, img] of [['pet', petImg], ['seg', segImg]] as const) {
    const d = volumeDims(img);
    if (d.join() !== dims.join()) {
      throw new MedsynthError('CORRUPT_FILE', `${id}: ${name} dims ${d.join('×')} differ from the CT's ${dims.join('×')}`);
    }
  }
  if (!(segImg.data instanceof Uint8Array)) throw new MedsynthError('CORRUPT_FILE', `${id}/seg.nii.gz: expected uint8 labels`);
  const spacing: [number, number, number] = ctImg.dims.length === 2 ? [1, ctImg.spacing[1], ctImg.spacing[2]] : ctImg.spacing;
  return { id, dims, spacing, ct: await realValues(ctImg), pet: await realValues(petImg), seg: segImg.data };
}
