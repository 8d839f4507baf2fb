/** Options of the procedural nodule generator, their defaults and their validation. */
import { invalidParameter } from '../../errors.js';
import { checkNumber, checkSeed } from '../../validate.js';
import { DEFAULT_DIAMETER_RANGE, KIND_SPECS, NODULE_KINDS, type NoduleKind } from './kinds.js';
import { calibrateIntercept } from './risk_model.js';

export interface NoduleOptions {
  /** Patch [Z, Y, X] voxels. Default [64, 64, 64]. */
  patchSize?: readonly [number, number, number];
  /** Voxel spacing [sz, sy, sx] mm. Default DEFAULT_FOV_MM / size per axis (0.8 mm at 64³). */
  spacing?: readonly [number, number, number];
  /** Kinds drawn (default all five), with their default shares renormalised. */
  kinds?: readonly NoduleKind[];
  /** Diameter range [min, max] in mm. Default [4, 30]. */
  diameterMm?: readonly [number, number];
  /** Benign:malignant ratio r: prevalence 1 / (1 + r). Default 12 (the seed's 1:12). */
  malignantRatio?: number;
  /** Dataset seed. Default 42. */
  seed?: number | bigint;
  /** Parenchyma noise SD in HU. Default 20. */
  noiseHu?: number;
}

export interface ResolvedNoduleOptions {
  patchSize: [number, number, number];
  spacing: [number, number, number];
  kinds: NoduleKind[];
  kindWeights: Partial<Record<NoduleKind, number>>;
  diameterMm: [number, number];
  malignantRatio: number;
  seed: number | bigint;
  noiseHu: number;
  /** β₀ of the risk model for this ratio and attribute distribution. */
  intercept: number;
}

export const DEFAULT_PATCH_SIZE: [number, number, number] = [64, 64, 64];
/** Field of view of a patch when no spacing is given (mm): 0.8 mm voxels at 64³, 1.6 mm at 32³. */
export const DEFAULT_FOV_MM = 51.2;
/** Space kept free between the nodule's outer extent and the patch border (mm per side). */
export const BORDER_MM = 2;

/** Bound on an ellipsoid body's largest radius over d / 2 (axis ratios U(0.85, 1.15), volume-normalised). */
export const ELLIPSOID_REACH = 1.3;

/** Half the patch's smallest field of view less the border (mm): how far a nodule may reach. */
export function patchReachMm(patchSize: readonly number[], spacing: readonly number[]): number {
  return Math.min(...patchSize.map((n, i) => ((n - 1) / 2) * spacing[i])) - BORDER_MM;
}

const triple = (name: string, v: unknown, rule: Parameters<typeof checkNumber>[2]): [number, number, number] => {
  if (typeof v === 'number') return [checkNumber(name, v, rule), v, v];
  if (!Array.isArray(v) || v.length !== 3) throw invalidParameter(name, 'a number or [z, y, x]', v);
  return v.map((e, i) => checkNumber(`${name}[${i}]`, e, rule)) as [number, number, number];
};

export function resolveNoduleOptions(options: NoduleOptions = {}): ResolvedNoduleOptions {
  const patchSize = triple('patchSize', options.patchSize ?? DEFAULT_PATCH_SIZE, { integer: true, min: 8, max: 512 });
  // Without an explicit spacing the field of view stays DEFAULT_FOV_MM whatever the size.
  const spacing = options.spacing === undefined
    ? (patchSize.map((n) => DEFAULT_FOV_MM / n) as [number, number, number])
    : triple('spacing', options.spacing, { above: 0, max: 10 });
  const kinds = [...(options.kinds ?? NODULE_KINDS)];
  if (!Array.isArray(options.kinds ?? NODULE_KINDS) || kinds.length === 0) throw invalidParameter('kinds', 'a non-empty list of kinds', options.kinds);
  for (const k of kinds) {
    if (!(NODULE_KINDS as readonly string[]).includes(k)) throw invalidParameter('kinds', `kinds among ${NODULE_KINDS.join(', ')}`, k);
  }
  const range = options.diameterMm ?? DEFAULT_DIAMETER_RANGE;
  if (!Array.isArray(range) || range.length !== 2) throw invalidParameter('diameterMm', '[min, max] in mm', range);
  const lo = checkNumber('diameterMm[0]', range[0], { min: 1, max: 100 });
  const hi = checkNumber('diameterMm[1]', range[1], { min: 1, max: 100 });
  if (hi < lo) throw invalidParameter('diameterMm', 'min <= max', `[${lo}, ${hi}]`);
  // The largest nodule body must fit inside the patch with its border (lobes and spicules are
  // fitted per nodule when sampled).
  const reach = patchReachMm(patchSize, spacing);
  if ((hi / 2) * ELLIPSOID_REACH > reach) {
    const fov = Math.min(...patchSize.map((n, i) => n * spacing[i]));
    throw invalidParameter('diameterMm', `a maximum of at most ${((2 * reach) / ELLIPSOID_REACH).toFixed(1)} mm to fit the ${fov.toFixed(1)} mm patch`, hi);
  }
  const ratio = checkNumber('malignantRatio', options.malignantRatio ?? 12, { above: 0, max: 1e6 });
  const kindWeights: Partial<Record<NoduleKind, number>> = {};
  for (const k of kinds) kindWeights[k] = KIND_SPECS[k].share;
  return {
    patchSize,
    spacing,
    kinds,
    kindWeights,
    diameterMm: [lo, hi],
    malignantRatio: ratio,
    seed: checkSeed('seed', options.seed ?? 42),
    noiseHu: checkNumber('noiseHu', options.noiseHu ?? 20, { min: 0, max: 1000 }),
    intercept: calibrateIntercept(ratio, kindWeights, [lo, hi]),
  };
}

export function describeNoduleOptions(o: ResolvedNoduleOptions): Record<string, unknown> {
  return {
    patch_size: o.patchSize,
    spacing_mm: o.spacing,
    kinds: o.kinds,
    diameter_mm: o.diameterMm,
    malignant_ratio: o.malignantRatio,
    seed: typeof o.seed === 'bigint' ? o.seed.toString() : o.seed,
    noise_hu: o.noiseHu,
    risk_intercept: o.intercept,
  };
}
