/**
 * Training-only augmentation of a slice, TorchIO style: `sampleAugmentation(config, rng)` draws
 * plain, JSON-serialisable parameters; `applyAugmentation(image, mask, size, params)` applies
 * them deterministically (native warp + intensity kernels). Validation never augments.
 *
 * - rotation by a uniform angle in [−maxRotationDeg, maxRotationDeg] about the slice centre,
 *   and left–right / anterior–posterior flips with their probabilities — one bilinear warp of
 *   CT and PET (constant padding 0: air and no uptake after normalisation) and the same warp of
 *   the mask, thresholded at ½;
 * - intensity: CT x·(1 + a) + b with a ~ U(±ctScale), b ~ U(±ctShift); PET x·(1 + c) with
 *   c ~ U(±petScale) (a global SUV calibration error), after the warp.
 */
import type { Rng } from '../../core/philox.js';
import { rescale } from '../../ops/intensity.js';
import { rotationFlipMap, warpAffine2d } from '../../ops/resample2d.js';
import { checkArray, checkNumber } from '../../validate.js';

export interface AugmentationConfig {
  /** Largest rotation in degrees (default 15). */
  maxRotationDeg: number;
  /** Probability of a left–right flip (default 0.5). */
  flipHorizontal: number;
  /** Probability of an anterior–posterior flip (default 0: supine anatomy is not symmetric). */
  flipVertical: number;
  /** CT multiplicative jitter half-range (default 0.05) and additive shift half-range (default 0.05, normalised units). */
  ctScale: number;
  ctShift: number;
  /** PET multiplicative jitter half-range (default 0.1). */
  petScale: number;
}

export const DEFAULT_AUGMENTATION: AugmentationConfig = {
  maxRotationDeg: 15,
  flipHorizontal: 0.5,
  flipVertical: 0,
  ctScale: 0.05,
  ctShift: 0.05,
  petScale: 0.1,
};

export interface AugmentationParams {
  rotationDeg: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  ct: { scale: number; shift: number };
  pet: { scale: number };
}

export function resolveAugmentation(c: Partial<AugmentationConfig> = {}): AugmentationConfig {
  const d = DEFAULT_AUGMENTATION;
  return {
    maxRotationDeg: checkNumber('augmentation.maxRotationDeg', c.maxRotationDeg ?? d.maxRotationDeg, { min: 0, max: 180 }),
    flipHorizontal: checkNumber('augmentation.flipHorizontal', c.flipHorizontal ?? d.flipHorizontal, { min: 0, max: 1 }),
    flipVertical: checkNumber('augmentation.flipVertical', c.flipVertical ?? d.flipVertical, { min: 0, max: 1 }),
    ctScale: checkNumber('augmentation.ctScale', c.ctScale ?? d.ctScale, { min: 0, max: 0.9 }),
    ctShift: checkNumber('augmentation.ctShift', c.ctShift ?? d.ctShift, { min: 0, max: 1 }),
    petScale: checkNumber('augmentation.petScale', c.petScale ?? d.petScale, { min: 0, max: 0.9 }),
  };
}

/** Draws one sample's parameters (fixed draw order: angle, flips, CT scale, CT shift, PET scale). */
export function sampleAugmentation(c: AugmentationConfig, rng: Rng): AugmentationParams {
  return {
    rotationDeg: rng.range(-c.maxRotationDeg, c.maxRotationDeg),
    flipHorizontal: rng.bernoulli(c.flipHorizontal),
    flipVertical: rng.bernoulli(c.flipVertical),
    ct: { scale: 1 + rng.range(-c.ctScale, c.ctScale), shift: rng.range(-c.ctShift, c.ctShift) },
    pet: { scale: 1 + rng.range(-c.petScale, c.petScale) },
  };
}

/**
 * Applies `params` to an image [2, H, W] (CT, PET) and its mask [1, H, W]; writes `out` (new
 * arrays by default; they must not share memory with the inputs).
 */
export async function applyAugmentation(
  image: Float32Array,
  mask: Float32Array,
  size: readonly [number, number],
  params: AugmentationParams,
  out: { image?: Float32Array; mask?: Float32Array } = {},
): Promise<{ image: Float32Array; mask: Float32Array }> {
  const [H, W] = size;
  checkArray('image', image, Float32Array, 2 * H * W);
  checkArray('mask', mask, Float32Array, H * W);
  const map = rotationFlipMap([H, W], params.rotationDeg, { horizontal: params.flipHorizontal, vertical: params.flipVertical });
  const img = await warpAffine2d(image, { planes: 2, height: H, width: W }, [H, W], map, { padding: 'constant', fill: 0 }, out.image);
  const msk = await warpAffine2d(mask, { planes: 1, height: H, width: W }, [H, W], map, { padding: 'constant', fill: 0, threshold: 0.5 }, out.mask);
  const ct = img.subarray(0, H * W);
  const pet = img.subarray(H * W, 2 * H * W);
  await rescale(ct, { scale: params.ct.scale, offset: params.ct.shift }, ct);
  await rescale(pet, { scale: params.pet.scale, offset: 0 }, pet);
  return { image: img, mask: msk };
}
