/**
 * What each structure looks like on CT (Hounsfield units) and PET (FDG SUV). Geometry comes from
 * the anatomy catalogue (lib/anatomy/catalogue.ts: DEFAULT_STRUCTURES, DEFAULT_BODY),
 * reused as is, plus two PET/CT landmarks it lacks: the aorta (the blood-pool reference region of
 * PET reads) and the bladder (where FDG is excreted, the hottest normal structure).
 *
 * CT values are unenhanced-CT means; PET values typical FDG uptake at 60 min (liver ≈ 2, lungs
 * ≈ 0.5, blood pool ≈ 1.6, kidneys and bladder high from excretion, myocardium very variable).
 * Each patient gets its own value per structure: HU ~ Normal(hu, huSd), SUV = suv · exp(N(0, suvCv)).
 */
import { DEFAULT_STRUCTURES, type StructureSpec } from '../../anatomy/catalogue.js';

export interface TissueSpec {
  /** Mean CT number in HU. */
  hu: number;
  /** Between-patient SD of the CT number. */
  huSd: number;
  /** Median FDG SUV. */
  suv: number;
  /** Between-patient log-SD of the SUV. */
  suvCv: number;
}

/** Landmarks added to the catalogue for PET/CT (same frame and conventions as the catalogue). */
export const PETCT_EXTRA_STRUCTURES: readonly StructureSpec[] = [
  // Descending aorta: left of the midline, anterior to the spine, from the arch to the bifurcation.
  { name: 'aorta', region: 'thoracic', shape: 'cylinder', center: [0.52, 0.63, 0.555], size: [0.62, 0.055, 0.055], intensity: 0, priority: 2 },
  { name: 'bladder', region: 'abdominal', shape: 'ellipsoid', center: [0.05, 0.45, 0.5], size: [0.1, 0.13, 0.15], intensity: 0, priority: 3 },
  // Thoracic vertebrae above L1 (z 0.42): a little smaller and closer together than the lumbar.
  ...[12, 11, 10, 9, 8, 7, 6].map((k, i): StructureSpec => ({
    name: `T${k}`,
    region: 'skeletal',
    shape: 'cylinder',
    center: [0.495 + 0.066 * i, 0.75, 0.5],
    size: [0.058, 0.055, 0.055],
    intensity: 0,
    priority: 5,
  })),
];

/** The catalogue's structures followed by the PET/CT landmarks; label = index + 1. */
export const PETCT_STRUCTURES: readonly StructureSpec[] = [...DEFAULT_STRUCTURES, ...PETCT_EXTRA_STRUCTURES];

const VERTEBRA: TissueSpec = { hu: 650, huSd: 60, suv: 1.8, suvCv: 0.15 };

/** Tissue values by structure name. */
export const TISSUES: Readonly<Record<string, TissueSpec>> = {
  left_lung: { hu: -850, huSd: 20, suv: 0.5, suvCv: 0.15 },
  right_lung: { hu: -850, huSd: 20, suv: 0.5, suvCv: 0.15 },
  heart: { hu: 40, huSd: 5, suv: 3.0, suvCv: 0.5 },
  liver: { hu: 55, huSd: 6, suv: 2.0, suvCv: 0.15 },
  spleen: { hu: 45, huSd: 5, suv: 1.8, suvCv: 0.15 },
  pancreas: { hu: 40, huSd: 5, suv: 1.5, suvCv: 0.15 },
  left_kidney: { hu: 30, huSd: 4, suv: 4.0, suvCv: 0.25 },
  right_kidney: { hu: 30, huSd: 4, suv: 4.0, suvCv: 0.25 },
  L1: VERTEBRA,
  L2: VERTEBRA,
  L3: VERTEBRA,
  L4: VERTEBRA,
  L5: VERTEBRA,
  ...Object.fromEntries([6, 7, 8, 9, 10, 11, 12].map((k) => [`T${k}`, VERTEBRA])),
  aorta: { hu: 40, huSd: 4, suv: 1.6, suvCv: 0.12 },
  bladder: { hu: 8, huSd: 4, suv: 15, suvCv: 0.45 },
};

/** Subcutaneous fat: the body outline's shell. */
export const BODY_FAT: TissueSpec = { hu: -100, huSd: 8, suv: 0.35, suvCv: 0.15 };
/** Everything inside the fat shell not otherwise modelled: muscle, viscera, mediastinum. */
export const BODY_SOFT: TissueSpec = { hu: 30, huSd: 6, suv: 0.9, suvCv: 0.12 };
/** The inner fraction of the body ellipse (per axis [y, x]) that is soft tissue, not fat. */
export const SOFT_TISSUE_FRACTION: readonly [number, number] = [0.86, 0.88];
/** Cancellous core of a vertebral body: its radius and height as fractions of the vertebra's. */
export const CANCELLOUS = { radius: 0.7, height: 0.8, hu: 230, huSd: 30 } as const;
/** Air outside the body. */
export const AIR_HU = -1000;

/** Tumour tissue on CT by host: solid tumour, necrosis. Liver metastases are hypodense to liver. */
export const TUMOUR_HU = { solid: 38, solidSd: 6, necrosis: 15, necrosisSd: 5, liverContrast: -22, lytic: 110, lyticSd: 30 } as const;
