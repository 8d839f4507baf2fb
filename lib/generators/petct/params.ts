/**
 * Everything that decides one PET/CT patient, before any voxel: organs, their CT numbers and
 * SUVs, lesions with positions and uptake, clinical covariates, the true linear predictor and
 * the survival outcome. Plain and JSON-serialisable (the writer stores it as the patient's
 * truth); every value is a function of (seed, patient index, options).
 */
import { Rng } from '../../core/philox.js';
import type { SurvivalOutcome } from '../../survival/simulate.js';
import { sampleAnatomy, type PatientAnatomy } from './anatomy.js';
import type { LesionSpec } from './lesions.js';
import { PETCT_STREAM, patientSurvival, sampleLatentPatient, type LatentPatient, type SurvivalPlan } from './latent.js';
import type { ResolvedPetCtOptions } from './options.js';
import { placeLesions } from './placement.js';
import { BODY_FAT, BODY_SOFT, CANCELLOUS, TISSUES, TUMOUR_HU, type TissueSpec } from './tissues.js';

export interface TissueValues {
  hu: number;
  suv: number;
}

export interface PlacedLesion extends LesionSpec {
  /** Centre in the patient frame (mm from the FOV corner, [z, y, x]). */
  centerMm: [number, number, number];
  host: string;
  /** CT number of the solid part and of the necrotic core. */
  hu: number;
  necrosisHu: number;
}

export interface PetCtPatientParams {
  index: number;
  /** 'patient_0000' style identifier. */
  id: string;
  latent: LatentPatient;
  outcome: SurvivalOutcome;
  anatomy: PatientAnatomy;
  /** Per structure name, plus 'body_fat' and 'body_soft'. */
  tissues: Record<string, TissueValues>;
  /** CT number of the vertebrae's cancellous cores. */
  cancellousHu: number;
  lesions: PlacedLesion[];
  /** 2D: the patient-frame z (mm) of the slice, the primary tumour's centre; 3D: null. */
  sliceZMm: number | null;
}

export function patientId(index: number): string {
  return `patient_${String(index).padStart(4, '0')}`;
}

function drawTissue(rng: Rng, t: TissueSpec): TissueValues {
  return { hu: rng.normal(t.hu, t.huSd), suv: t.suv * Math.exp(t.suvCv * rng.normal()) };
}

export function samplePetCtParams(o: ResolvedPetCtOptions, plan: SurvivalPlan, index: number): PetCtPatientParams {
  const latent = sampleLatentPatient(o, index);
  const outcome = patientSurvival(o, plan, latent);
  const anatomy = sampleAnatomy(o, index);
  const placements = placeLesions(new Rng(o.seed, index, PETCT_STREAM.placement), latent.lesions, anatomy, o.fieldOfViewMm);

  // Fixed draw order: structures (table order), body, cancellous bone, then per lesion.
  const rng = new Rng(o.seed, index, PETCT_STREAM.tissue);
  const tissues: Record<string, TissueValues> = {};
  for (const organ of anatomy.organs) tissues[organ.name] = drawTissue(rng, TISSUES[organ.name]);
  tissues.body_fat = drawTissue(rng, BODY_FAT);
  tissues.body_soft = drawTissue(rng, BODY_SOFT);
  const cancellousHu = rng.normal(CANCELLOUS.hu, CANCELLOUS.huSd);
  const lesions = latent.lesions.map((lesion, j): PlacedLesion => {
    const solid = rng.normal(TUMOUR_HU.solid, TUMOUR_HU.solidSd);
    const necrosis = rng.normal(TUMOUR_HU.necrosis, TUMOUR_HU.necrosisSd);
    const liverMet = rng.normal(tissues.liver.hu + TUMOUR_HU.liverContrast, TUMOUR_HU.solidSd);
    const lytic = rng.normal(TUMOUR_HU.lytic, TUMOUR_HU.lyticSd);
    const hu = lesion.site === 'liver' ? liverMet : lesion.site === 'bone' ? lytic : solid;
    return { ...lesion, centerMm: [...placements[j].centerMm], host: placements[j].host, hu, necrosisHu: Math.min(necrosis, hu) };
  });
  return {
    index,
    id: patientId(index),
    latent,
    outcome,
    anatomy,
    tissues,
    cancellousHu,
    lesions,
    sliceZMm: o.mode === '2d' ? lesions[0].centerMm[0] : null,
  };
}
