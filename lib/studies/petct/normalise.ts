/**
 * Intensity normalisation of the two input channels, the model's input contract:
 *
 *   CT  (channel 0): HU clipped to the window [level − width/2, level + width/2] and mapped
 *                    linearly onto [0, 1]. Default level 0, width 2000 (−1000 … +1000 HU):
 *                    air and lung → 0, fat ≈ 0.45, soft tissue and tumour ≈ 0.52, bone up to 1.
 *                    A fixed window, not per-image statistics, so a value means the same tissue
 *                    in every patient, and air outside the body is 0 — the fill value of the
 *                    spatial augmentations.
 *   PET (channel 1): SUV divided by `suvScale` (default 10) and clipped at `suvMax` (default 25,
 *                    i.e. 2.5 after scaling): background tissue ≈ 0.05–0.25, liver ≈ 0.2, most
 *                    tumours 0.4–1.5. SUV is already a body-weight-normalised unit, so a fixed
 *                    divisor keeps uptake comparable between patients; the clip stops bladder
 *                    and brain hot spots from dominating the loss.
 *
 * Both run in place on the native window/level kernel (lib/ops/intensity.ts).
 */
import { windowLevel } from '../../ops/intensity.js';
import { checkNumber } from '../../validate.js';

export interface IntensityNormalisation {
  ct: { level: number; width: number };
  pet: { suvScale: number; suvMax: number };
}

export const DEFAULT_NORMALISATION: IntensityNormalisation = {
  ct: { level: 0, width: 2000 },
  pet: { suvScale: 10, suvMax: 25 },
};

export function resolveNormalisation(n: Partial<{ ct: Partial<IntensityNormalisation['ct']>; pet: Partial<IntensityNormalisation['pet']> }> = {}): IntensityNormalisation {
  return {
    ct: {
      level: checkNumber('normalisation.ct.level', n.ct?.level ?? DEFAULT_NORMALISATION.ct.level, { min: -2000, max: 4000 }),
      width: checkNumber('normalisation.ct.width', n.ct?.width ?? DEFAULT_NORMALISATION.ct.width, { above: 0, max: 10000 }),
    },
    pet: {
      suvScale: checkNumber('normalisation.pet.suvScale', n.pet?.suvScale ?? DEFAULT_NORMALISATION.pet.suvScale, { above: 0, max: 1000 }),
      suvMax: checkNumber('normalisation.pet.suvMax', n.pet?.suvMax ?? DEFAULT_NORMALISATION.pet.suvMax, { above: 0, max: 1000 }),
    },
  };
}

/** HU → [0, 1] through the CT window, in place (or into `out`). */
export function normaliseCt(hu: Float32Array, n: IntensityNormalisation, out: Float32Array = hu): Promise<Float32Array> {
  return windowLevel(hu, { center: n.ct.level, width: n.ct.width, outMin: 0, outMax: 1 }, out);
}

/** SUV → min(max(SUV, 0), suvMax) / suvScale, in place (or into `out`). */
export function normalisePet(suv: Float32Array, n: IntensityNormalisation, out: Float32Array = suv): Promise<Float32Array> {
  // The window [0, suvMax] mapped onto [0, suvMax / suvScale] is exactly the clip-and-divide.
  return windowLevel(suv, { center: n.pet.suvMax / 2, width: n.pet.suvMax, outMin: 0, outMax: n.pet.suvMax / n.pet.suvScale }, out);
}
