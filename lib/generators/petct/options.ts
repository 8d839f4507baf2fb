/**
 * Options of the PET/CT generator, their defaults and their validation.
 *
 * Geometry. A patient lives in a field of view (FOV) box of [Z, Y, X] mm; the anatomy
 * catalogue's fractional positions and sizes refer to it. Default FOV 315 × 420 × 420 mm.
 *   3D (default): imageSize [96, 128, 128] at 3.28125 mm isotropic (FOV / size); an explicit
 *     spacing wins and then defines the FOV (size × spacing).
 *   2D: imageSize [256, 256], the axial slice through the centre of the primary tumour, in-plane
 *     spacing FOV / size (1.64 mm), slice thickness = the in-plane spacing unless spacing gives
 *     [thickness, sy, sx].
 * Tumours are lobulated spheres, isotropic in voxel units: on an anisotropic grid they are drawn
 * with the radius of the same volume (geometric-mean spacing), so volumes stay exact.
 *
 * Imaging physics. CT: Gaussian PSF (FWHM 1.2 mm) and Gaussian noise (12 HU). PET: counts are
 * Poisson with mean activity · countDensity · voxel volume (ml), then the scanner PSF (FWHM 6 mm)
 * blurs them, so noise is correlated at the resolution scale as in reconstructed PET; the default
 * density gives liver noise of about 10% at the 3D default.
 */
import { invalidParameter } from '../../errors.js';
import { checkInteger, checkNumber, checkOneOf, checkSeed } from '../../validate.js';
import { checkWeibullCoxModel } from '../../survival/simulate.js';
import { COVARIATE_NAMES, DEFAULT_BETA, type CovariateName } from './covariates.js';

export type PetCtMode = '3d' | '2d';

export interface PetCtSurvivalOptions {
  /** Log hazard ratios by covariate name (missing names keep DEFAULT_BETA). */
  beta?: Partial<Record<CovariateName, number>>;
  /** Weibull baseline scale λ in months^−ν. Default 0.0153 (median 24 months at η = 0, ν = 1.2). */
  lambda?: number;
  /** Weibull baseline shape ν. Default 1.2. */
  nu?: number;
  /** Target censored fraction (random drop-out + end of follow-up). Default 0.3. */
  censoringTarget?: number;
  /** End of follow-up in months (administrative censoring). Default 60. */
  followUpMonths?: number;
}

export interface PetCtOptions {
  mode?: PetCtMode;
  /** [Z, Y, X] in 3D, [Y, X] in 2D. */
  imageSize?: readonly number[];
  /** [sz, sy, sx] mm (2D: sz is the slice thickness). Default from the FOV. */
  spacing?: readonly [number, number, number];
  /** The patient box [Z, Y, X] in mm. Default [315, 420, 420]. */
  fieldOfViewMm?: readonly [number, number, number];
  /** Dataset seed. Default 42. */
  seed?: number | bigint;
  /** SD of organ centre jitter (fraction of the FOV). Default 0.03. */
  positionNoise?: number;
  /** SD of the organ scale factor around 1. Default 0.1. */
  sizeNoise?: number;
  ct?: { noiseSigmaHu?: number; blurFwhmMm?: number };
  pet?: { fwhmMm?: number; countDensity?: number };
  survival?: PetCtSurvivalOptions;
}

export interface ResolvedPetCtOptions {
  mode: PetCtMode;
  /** Output grid [Z, Y, X]; Z = 1 in 2D. */
  imageSize: [number, number, number];
  /** [sz, sy, sx] mm; sz is the slice thickness in 2D. */
  spacing: [number, number, number];
  fieldOfViewMm: [number, number, number];
  seed: number | bigint;
  positionNoise: number;
  sizeNoise: number;
  ct: { noiseSigmaHu: number; blurFwhmMm: number };
  pet: { fwhmMm: number; countDensity: number };
  survival: {
    beta: Record<CovariateName, number>;
    lambda: number;
    nu: number;
    censoringTarget: number;
    followUpMonths: number;
  };
}

export const DEFAULT_FOV_MM: [number, number, number] = [315, 420, 420];
export const DEFAULT_SIZE_3D: [number, number, number] = [96, 128, 128];
export const DEFAULT_SIZE_2D: [number, number] = [256, 256];
/** Largest output grid (voxels) one patient may have: 512³. */
export const MAX_PETCT_VOXELS = 512 ** 3;

/** FWHM → Gaussian sigma. */
export const fwhmToSigma = (fwhm: number) => fwhm / (2 * Math.sqrt(2 * Math.LN2));

function triple(name: string, value: unknown, rule: Parameters<typeof checkNumber>[2]): [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3) throw invalidParameter(name, 'an array [z, y, x]', value);
  return value.map((v, i) => checkNumber(`${name}[${i}]`, v, rule)) as [number, number, number];
}

export function resolvePetCtOptions(options: PetCtOptions = {}): ResolvedPetCtOptions {
  if (options === null || typeof options !== 'object') throw invalidParameter('options', 'an object', options);
  const mode = checkOneOf('mode', options.mode ?? '3d', ['3d', '2d'] as const);
  const axes = mode === '3d' ? 3 : 2;
  const size = options.imageSize ?? (mode === '3d' ? DEFAULT_SIZE_3D : DEFAULT_SIZE_2D);
  if (!Array.isArray(size) || size.length !== axes) {
    throw invalidParameter('imageSize', mode === '3d' ? '[Z, Y, X] for a 3D patient' : '[Y, X] for a 2D slice', size);
  }
  size.forEach((d, i) => checkInteger(`imageSize[${i}]`, d, 8, 2048));
  const imageSize = (mode === '3d' ? [...size] : [1, ...size]) as [number, number, number];
  if (imageSize[0] * imageSize[1] * imageSize[2] > MAX_PETCT_VOXELS) {
    throw invalidParameter('imageSize', `at most ${MAX_PETCT_VOXELS} voxels`, imageSize.join('×'));
  }
  let fov = triple('fieldOfViewMm', options.fieldOfViewMm ?? DEFAULT_FOV_MM, { min: 50, max: 2000 });
  let spacing: [number, number, number];
  if (options.spacing !== undefined) {
    spacing = triple('spacing', options.spacing, { above: 0, max: 50 });
    fov = mode === '3d'
      ? [spacing[0] * imageSize[0], spacing[1] * imageSize[1], spacing[2] * imageSize[2]]
      : [fov[0], spacing[1] * imageSize[1], spacing[2] * imageSize[2]];
  } else {
    const sy = fov[1] / imageSize[1];
    const sx = fov[2] / imageSize[2];
    spacing = [mode === '3d' ? fov[0] / imageSize[0] : Math.sqrt(sy * sx), sy, sx];
  }
  const ct = options.ct ?? {};
  const pet = options.pet ?? {};
  const s = options.survival ?? {};
  const beta = { ...DEFAULT_BETA };
  if (s.beta !== undefined) {
    if (s.beta === null || typeof s.beta !== 'object') throw invalidParameter('survival.beta', 'an object of log hazard ratios', s.beta);
    for (const [name, value] of Object.entries(s.beta)) {
      checkOneOf('survival.beta name', name, COVARIATE_NAMES);
      beta[name as CovariateName] = checkNumber(`survival.beta.${name}`, value, { min: -5, max: 5 });
    }
  }
  const survival = {
    beta,
    lambda: checkNumber('survival.lambda', s.lambda ?? 0.0153, { above: 0, max: 1e3 }),
    nu: checkNumber('survival.nu', s.nu ?? 1.2, { min: 0.2, max: 10 }),
    censoringTarget: checkNumber('survival.censoringTarget', s.censoringTarget ?? 0.3, { min: 0, max: 0.95 }),
    followUpMonths: checkNumber('survival.followUpMonths', s.followUpMonths ?? 60, { above: 0, max: 1200 }),
  };
  checkWeibullCoxModel({ beta: COVARIATE_NAMES.map((n) => beta[n]), lambda: survival.lambda, nu: survival.nu });
  return {
    mode,
    imageSize,
    spacing,
    fieldOfViewMm: fov,
    seed: checkSeed('seed', options.seed ?? 42),
    positionNoise: checkNumber('positionNoise', options.positionNoise ?? 0.03, { min: 0, max: 0.2 }),
    sizeNoise: checkNumber('sizeNoise', options.sizeNoise ?? 0.1, { min: 0, max: 0.5 }),
    ct: {
      noiseSigmaHu: checkNumber('ct.noiseSigmaHu', ct.noiseSigmaHu ?? 12, { min: 0, max: 500 }),
      blurFwhmMm: checkNumber('ct.blurFwhmMm', ct.blurFwhmMm ?? 1.2, { min: 0, max: 20 }),
    },
    pet: {
      fwhmMm: checkNumber('pet.fwhmMm', pet.fwhmMm ?? 6, { min: 0, max: 30 }),
      countDensity: checkNumber('pet.countDensity', pet.countDensity ?? 60, { above: 0, max: 1e9 }),
    },
    survival,
  };
}

/** The β vector in COVARIATE_NAMES order. */
export function betaVector(o: ResolvedPetCtOptions): number[] {
  return COVARIATE_NAMES.map((n) => o.survival.beta[n]);
}

/** JSON-safe record of the options. */
export function describePetCtOptions(o: ResolvedPetCtOptions): Record<string, unknown> {
  return {
    mode: o.mode,
    image_size: o.mode === '3d' ? o.imageSize : o.imageSize.slice(1),
    spacing_mm: o.spacing,
    field_of_view_mm: o.fieldOfViewMm,
    seed: typeof o.seed === 'bigint' ? o.seed.toString() : o.seed,
    position_noise: o.positionNoise,
    size_noise: o.sizeNoise,
    ct: { noise_sigma_hu: o.ct.noiseSigmaHu, blur_fwhm_mm: o.ct.blurFwhmMm },
    pet: { fwhm_mm: o.pet.fwhmMm, count_density_per_ml_per_suv: o.pet.countDensity },
    survival: {
      beta: o.survival.beta,
      lambda: o.survival.lambda,
      nu: o.survival.nu,
      censoring_target: o.survival.censoringTarget,
      follow_up_months: o.survival.followUpMonths,
    },
  };
}
