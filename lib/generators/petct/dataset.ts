/**
 * Writing a PET/CT cohort in the layout public PET/CT challenges (HECKTOR-style) use:
 *
 *   <dir>/clinical.csv            patient_id, age, sex, stage, time_months, event
 *   <dir>/truth.csv               hidden truth: true linear predictor, latent times, image-derived
 *                                 covariates (raw and standardised) — keep it away from a model
 *   <dir>/metadata.json           options, survival model (β by name, λ, ν, drop-out rate),
 *                                 standardisation, units, orientation
 *   <dir>/<id>/ct.nii.gz          int16 HU
 *   <dir>/<id>/pet.nii.gz         float32 SUV
 *   <dir>/<id>/seg.nii.gz         uint8: 0 background, 1 primary tumour, 2 nodes / metastases
 *   <dir>/<id>/truth.json         the patient's full parameters (lesions with positions, …)
 *   <dir>/<id>/preview.png        CT | PET | mask, axial (and coronal) through the primary
 *
 * Every file is written under a temporary name and renamed when complete. Patient i's files
 * depend only on (seed, i, options), so a cohort can be generated in index-range shards.
 */
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkDiskMeasured, checkMemory } from '../../core/resources.js';
import { writeFailure } from '../../core/fs_errors.js';
import { invalidParameter } from '../../errors.js';
import { writeAtomically } from '../../io/atomic.js';
import { beginDatasetStage } from '../../io/staging.js';
import { writeNifti } from '../../io/nifti.js';
import { checkInteger } from '../../validate.js';
import { COVARIATE_NAMES, COVARIATE_STANDARDISATION, rawCovariates } from './covariates.js';
import { renderPetCtPatient, type PetCtPatient } from './patient.js';
import { CALIBRATION_COHORT, planSurvival, type SurvivalPlan } from './latent.js';
import { planPetCtRun } from './dry_run.js';
import { describePetCtOptions, resolvePetCtOptions, type PetCtOptions, type ResolvedPetCtOptions } from './options.js';
import { renderPetCtPreview } from './preview.js';
import { PetCtRenderer } from './render.js';
import { shardBlock, type ShardSpec } from '../../shard/partition.js';
import { SHARD_MANIFEST_NAME, writeShardManifest } from '../../shard/manifest.js';

export interface PetCtDatasetOptions extends PetCtOptions {
  /** Number of patients. */
  patients: number;
  /** Index of the first patient (for shards). Default 0. */
  first?: number;
  outputDir: string;
  /** Write preview.png per patient. Default true. */
  preview?: boolean;
  /** gzip level of the .nii.gz files, 1–9. Default 4. */
  gzipLevel?: number;
  /** Write only shard `index` of `count` of the patients [first, first + patients), plus shard.json (lib/shard/). */
  shard?: Pick<ShardSpec, 'index' | 'count'>;
}

export interface PetCtDatasetResult {
  outputDir: string;
  patients: number;
  events: number;
  censoredFraction: number;
  files: string[];
  wallSeconds: number;
}

export interface PetCtDatasetHooks {
  onPatient?: (done: number, total: number, patient: PetCtPatient) => void;
}

const STAGE_NAMES = ['I', 'II', 'III', 'IV'];
const num = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'inf');

function clinicalRow(p: PetCtPatient): string {
  const { params } = p;
  const c = params.latent.clinical;
  return [params.id, c.age, c.sex, STAGE_NAMES[c.stage - 1], num(params.outcome.time, 4), params.outcome.event].join(',');
}

function truthRow(p: PetCtPatient): string {
  const { params } = p;
  const l = params.latent;
  const raw = rawCovariates(l.clinical, l.imaging);
  return [
    params.id,
    num(l.eta, 6),
    num(params.outcome.eventTime, 4),
    num(params.outcome.censorTime, 4),
    num(l.imaging.mtvMl, 4),
    num(l.imaging.suvMax, 4),
    l.imaging.lesionCount,
    ...COVARIATE_NAMES.map((n) => num(raw[n], 6)),
    ...l.x.map((v) => num(v, 6)),
  ].join(',');
}

const TRUTH_HEADER = [
  'patient_id',
  'linear_predictor',
  'event_time_months',
  'censor_time_months',
  'mtv_ml',
  'suvmax',
  'n_lesions',
  ...COVARIATE_NAMES.map((n) => `raw_${n}`),
  ...COVARIATE_NAMES.map((n) => `x_${n}`),
].join(',');

/** The patient's truth.json: parameters with positions also in world (LPS) mm. */
function patientTruth(o: ResolvedPetCtOptions, p: PetCtPatient): Record<string, unknown> {
  const fov = o.fieldOfViewMm;
  return {
    ...p.params,
    // The lesions appear once, below, with their positions.
    latent: { ...p.params.latent, lesions: undefined },
    lesions: p.params.lesions.map((l) => ({
      ...l,
      center_lps_mm: [l.centerMm[2] - fov[2] / 2, l.centerMm[1] - fov[1] / 2, l.centerMm[0] - fov[0] / 2],
    })),
    outcome: { ...p.params.outcome, censorTime: Number.isFinite(p.params.outcome.censorTime) ? p.params.outcome.censorTime : null },
  };
}

function metadata(o: ResolvedPetCtOptions, plan: SurvivalPlan, first: number, count: number): Record<string, unknown> {
  return {
    generator: 'medsynth petct',
    patients: { first, count },
    options: describePetCtOptions(o),
    survival_model: {
      form: 'h(t|x) = lambda * nu * t^(nu-1) * exp(beta . x)  (Weibull baseline, Bender et al. 2005)',
      time_unit: 'months',
      covariates: COVARIATE_NAMES,
      beta: Object.fromEntries(COVARIATE_NAMES.map((n, j) => [n, plan.model.beta[j]])),
      lambda: plan.model.lambda,
      nu: plan.model.nu,
      standardisation: COVARIATE_STANDARDISATION,
      raw_covariates: {
        log_mtv: 'ln(total tumour volume in ml)',
        suvmax: 'highest lesion peak SUV (true object value)',
        lesions: 'number of lesions',
        age: 'years',
        male: '1 male, 0 female',
        stage: '1-4',
      },
      censoring: {
        dropout_rate_per_month: plan.censoring.rate,
        follow_up_months: plan.censoring.followUp,
        target_fraction: o.survival.censoringTarget,
        calibrated_on_reference_patients: CALIBRATION_COHORT,
        administrative_only_fraction: plan.calibration.administrativeRate,
      },
    },
    images: {
      ct: { file: 'ct.nii.gz', dtype: 'int16', unit: 'HU' },
      pet: { file: 'pet.nii.gz', dtype: 'float32', unit: 'SUV' },
      seg: { file: 'seg.nii.gz', dtype: 'uint8', labels: { 0: 'background', 1: 'primary tumour', 2: 'lymph node or metastasis' } },
      orientation: 'array [Z, Y, X] = NIfTI (i, j, k) = (x, y, z); voxel axes along LPS (x: right to left, y: anterior to posterior, z: inferior to superior); affine in RAS+ (nibabel axis codes L, P, S); field of view centred on the world origin',
    },
  };
}

/** Waits for every job (so each cleans up its temporary file), then rethrows the first failure. */
async function settleAll(jobs: Array<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function generatePetCtDataset(options: PetCtDatasetOptions, hooks: PetCtDatasetHooks = {}): Promise<PetCtDatasetResult> {
  const started = performance.now();
  const o = resolvePetCtOptions(options);
  const run = { count: checkInteger('patients', options.patients, 1, 1_000_000), first: 0 };
  run.first = checkInteger('first', options.first ?? 0, 0, 0xffffffff - run.count);
  const shard = options.shard && { count: checkInteger('shard.count', options.shard.count, 1, run.count), index: options.shard.index };
  if (shard) checkInteger('shard.index', shard.index, 0, shard.count - 1);
  const { first, count } = shard ? shardBlock(run, shard) : run;
  const gzipLevel = checkInteger('gzipLevel', options.gzipLevel ?? 4, 1, 9);
  const preview = options.preview ?? true;
  const dir = options.outputDir;
  if (typeof dir !== 'string' || dir.length === 0) throw invalidParameter('outputDir', 'a directory path', dir);
  const plan = planSurvival(o);
  const voxels = o.imageSize[0] * o.imageSize[1] * o.imageSize[2];
  // Uncompressed bytes bound the disk need (gzip only shrinks them); two renderers in flight.
  const perPatient = voxels * (2 + 4 + 1) + 2_000_000;
  const renderers = [new PetCtRenderer(o), new PetCtRenderer(o)];
  // Written into a staging directory, moved into place with metadata.json last (lib/io/staging.ts).
  const stage = beginDatasetStage(dir, { outputs: ['clinical.csv', 'truth.csv'], replaces: [SHARD_MANIFEST_NAME] });
  try {
    checkMemory('generating', 2 * voxels * 24);
    // When the uncompressed bound does not fit, the dry run's measured estimate decides (the two agree).
    await checkDiskMeasured(perPatient * count, count, dir, async () => (await planPetCtRun(options)).diskBytes);
  } catch (err) {
    stage.abort();
    throw err;
  }

  const files: string[] = [];
  const clinical: string[] = [];
  const truth: string[] = [];
  let events = 0;
  let writing: Promise<void> | null = null;
  try {
    for (let k = 0; k < count; k++) {
      const patient = await renderPetCtPatient(renderers[k % 2], plan, first + k);
      // The other renderer's files must be on disk before it is reused for patient k + 1.
      if (writing) await writing;
      writing = null;
      const pdir = stage.path(patient.params.id);
      const png = preview
        ? renderPetCtPreview({
            params: patient.params,
            dims: patient.dims,
            spacing: patient.spacing,
            ct: patient.ct,
            pet: patient.pet,
            labels: patient.seg,
            focus: patient.primaryVoxel,
          })
        : null;
      const truthJson = JSON.stringify(patientTruth(o, patient), null, 1);
      const common = { dims: patient.dims[0] === 1 ? patient.dims.slice(1) : patient.dims, spacing: patient.spacing, affine: patient.affine };
      const written = ['ct.nii.gz', 'pet.nii.gz', 'seg.nii.gz', 'truth.json', ...(png ? ['preview.png'] : [])].map((f) => path.join(pdir, f));
      writing = settleAll([
        writeNifti(written[0], { ...common, data: patient.ct, description: 'medsynth CT (HU)', calRange: [-1000, 1000] }, { gzipLevel }),
        writeNifti(written[1], { ...common, data: patient.pet, description: 'medsynth FDG PET (SUV)' }, { gzipLevel }),
        writeNifti(written[2], { ...common, data: patient.seg, description: 'medsynth tumour mask (1 primary, 2 nodes/mets)' }, { gzipLevel }),
        writeAtomically(written[3], (t) => writeFile(t, truthJson)),
        ...(png ? [writeAtomically(written[4], (t) => writeFile(t, png))] : []),
      ]);
      files.push(...written.map((f) => path.join(dir, path.relative(stage.dir, f))));
      clinical.push(clinicalRow(patient));
      truth.push(truthRow(patient));
      events += patient.params.outcome.event;
      hooks.onPatient?.(k + 1, count, patient);
    }
    if (writing) await writing;
  } catch (err) {
    // Let files in flight finish (or clean up their temporary names) before reporting.
    if (writing) await writing.catch(() => undefined);
    stage.abort();
    throw err;
  }

  const tables: Array<[string, string]> = [
    ['clinical.csv', ['patient_id,age,sex,stage,time_months,event', ...clinical].join('\n') + '\n'],
    ['truth.csv', [TRUTH_HEADER, ...truth].join('\n') + '\n'],
  ];
  try {
    for (const [name, text] of tables) {
      writeFileSync(stage.path(name), text);
      files.push(path.join(dir, name));
    }
    if (shard) {
      const identity = { ...describePetCtOptions(o), gzip_level: gzipLevel, preview, patients: run };
      writeShardManifest(stage.dir, { tool: 'petct', seed: (identity as Record<string, unknown>).seed as number | string, options: identity, shard, run: { patients: run } });
    }
    stage.commit(metadata(o, plan, first, count) as unknown as Record<string, unknown>);
  } catch (err) {
    stage.abort();
    throw writeFailure(err, dir);
  }
  files.push(path.join(dir, 'metadata.json'));
  return {
    outputDir: dir,
    patients: count,
    events,
    censoredFraction: 1 - events / count,
    files,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
