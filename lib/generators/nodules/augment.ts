/**
 * Nodule augmentation as the seed lists it — random rotation (±15°), scaling (0.9–1.1), elastic
 * deformation and Gaussian noise — with TorchIO's parameter conventions and its split between
 * sampling and applying: sampleAugmentParams draws plain, JSON-serialisable parameters from
 * Philox keyed by (seed, index); applyAugment is deterministic given them.
 *
 *   rotation   degrees d: each axis angle ~ U(−d, d) (RandomAffine `degrees`), about the centre
 *   scaling    scales [lo, hi]: each axis ~ U(lo, hi), one draw for all axes when isotropic
 *              (RandomAffine `scales`, `isotropic`; > 1 enlarges the content)
 *   elastic    RandomElasticDeformation: a [c, c, c] control grid (num_control_points, default
 *              7), each displacement component ~ U(−m, m) mm (max_displacement), the
 *              `lockedBorders` outermost layers of control points held at 0 (default 2), cubic
 *              B-spline in between. TorchIO's default m is 7.5 mm for whole images; ours is 2 mm,
 *              as nodules are 4–30 mm across.
 *   noise      RandomNoise: σ ~ U(0, std) HU (default 25 HU), zero mean, added after resampling.
 * Images and coverage resample trilinearly and masks by the coverage gate (warpGatedLabels: the
 * resampled coverage ≥ 1/2, the rasterizer's own mask rule, labelled by nearest neighbour), all
 * through the same transform, so they stay aligned and masks keep a smooth surface. Voxels from outside the patch read parenchyma
 * (−850 HU), mask 0, coverage 0.
 */
import { Rng } from '../../core/philox.js';
import { invalidParameter } from '../../errors.js';
import { addNoise } from '../../ops/noise.js';
import type { Vec3 } from '../../ops/rasterize.js';
import { physicalAffine, warpGatedLabels, warpVolume } from '../../ops/warp.js';
import { checkInteger, checkNumber, checkSeed } from '../../validate.js';
import { PARENCHYMA_HU } from './kinds.js';
import type { NodulePatch } from './render.js';
import { NODULE_STREAM } from './sample_params.js';

export interface AugmentOptions {
  /** Rotation range ±degrees per axis. Default 15. */
  degrees?: number;
  /** Scale range [lo, hi]. Default [0.9, 1.1]. */
  scales?: readonly [number, number];
  /** One scale for all axes. Default false (TorchIO's default). */
  isotropic?: boolean;
  /** Elastic deformation, or false. Default {controlPoints: 7, maxDisplacementMm: 2, lockedBorders: 2}. */
  elastic?: false | { controlPoints?: number; maxDisplacementMm?: number; lockedBorders?: number };
  /** Noise σ range upper bound (HU). Default 25; 0 disables. */
  noiseStdHu?: number;
}

export interface AugmentParams {
  degrees: Vec3;
  scales: Vec3;
  /** Control grid [c, c, c] and its displacements [3, c, c, c] in mm (components z, y, x), or null. */
  elastic: { controlDims: Vec3; displacementMm: number[] } | null;
  noiseSd: number;
  /** The Philox key of the noise: (seed, sample, stream). */
  noise: { seed: string; sample: number; stream: number };
}

interface ResolvedAugment {
  degrees: number;
  scales: [number, number];
  isotropic: boolean;
  elastic: { controlPoints: number; maxDisplacementMm: number; lockedBorders: number } | null;
  noiseStdHu: number;
}

export function resolveAugmentOptions(o: AugmentOptions = {}): ResolvedAugment {
  const scales = o.scales ?? [0.9, 1.1];
  if (!Array.isArray(scales) || scales.length !== 2) throw invalidParameter('scales', '[lo, hi]', scales);
  const lo = checkNumber('scales[0]', scales[0], { above: 0, max: 10 });
  const hi = checkNumber('scales[1]', scales[1], { above: 0, max: 10 });
  if (hi < lo) throw invalidParameter('scales', 'lo <= hi', `[${lo}, ${hi}]`);
  const e = o.elastic === false ? null : (o.elastic ?? {});
  const elastic = e === null ? null : {
    controlPoints: checkInteger('elastic.controlPoints', e.controlPoints ?? 7, 4, 64),
    maxDisplacementMm: checkNumber('elastic.maxDisplacementMm', e.maxDisplacementMm ?? 2, { min: 0, max: 100 }),
    lockedBorders: checkInteger('elastic.lockedBorders', e.lockedBorders ?? 2, 0, 2),
  };
  return {
    degrees: checkNumber('degrees', o.degrees ?? 15, { min: 0, max: 180 }),
    scales: [lo, hi],
    isotropic: o.isotropic ?? false,
    elastic,
    noiseStdHu: checkNumber('noiseStdHu', o.noiseStdHu ?? 25, { min: 0, max: 1000 }),
  };
}

/** Augmentation parameters of sample `index` (its own Philox stream). */
export function sampleAugmentParams(options: AugmentOptions, seed: number | bigint, index: number): AugmentParams {
  const o = resolveAugmentOptions(options);
  const rng = new Rng(checkSeed('seed', seed), checkInteger('index', index, 0, 0xffffffff), NODULE_STREAM.augment);
  const degrees = [0, 1, 2].map(() => rng.range(-o.degrees, o.degrees)) as unknown as Vec3;
  const s0 = rng.range(o.scales[0], o.scales[1]);
  const scales = (o.isotropic ? [s0, s0, s0] : [s0, rng.range(o.scales[0], o.scales[1]), rng.range(o.scales[0], o.scales[1])]) as unknown as Vec3;
  let elastic: AugmentParams['elastic'] = null;
  if (o.elastic) {
    const c = o.elastic.controlPoints;
    const locked = o.elastic.lockedBorders;
    const m = o.elastic.maxDisplacementMm;
    const displacementMm: number[] = [];
    for (let comp = 0; comp < 3; comp++) {
      for (let k = 0; k < c; k++) {
        for (let j = 0; j < c; j++) {
          for (let i = 0; i < c; i++) {
            const v = rng.range(-m, m);
            const border = Math.min(k, j, i, c - 1 - k, c - 1 - j, c - 1 - i) < locked;
            displacementMm.push(border ? 0 : v);
          }
        }
      }
    }
    elastic = { controlDims: [c, c, c], displacementMm };
  }
  const noiseSd = rng.range(0, o.noiseStdHu);
  return { degrees, scales, elastic, noiseSd, noise: { seed: String(seed), sample: index, stream: NODULE_STREAM.augmentNoise } };
}

/** Applies `params` to `patch` and returns a new patch (the input is not changed). */
export async function applyAugment(patch: NodulePatch, params: AugmentParams): Promise<NodulePatch> {
  const { dims, spacing } = patch;
  const affine = physicalAffine(dims, spacing, { degrees: params.degrees, scales: params.scales });
  let displacement;
  if (params.elastic) {
    const cd = params.elastic.controlDims;
    const per = cd[0] * cd[1] * cd[2];
    if (params.elastic.displacementMm.length !== 3 * per) {
      throw invalidParameter('params.elastic.displacementMm', `${3 * per} numbers`, params.elastic.displacementMm);
    }
    // mm → input voxels, per component axis.
    const control = Float32Array.from(params.elastic.displacementMm, (v, i) => v / spacing[Math.floor(i / per)]);
    displacement = { control, controlDims: cd };
  }
  const image = await warpVolume(patch.image, dims, affine, { fill: PARENCHYMA_HU, displacement });
  const mask = await warpGatedLabels(patch.mask, patch.coverage, dims, affine, { displacement });
  const coverage = await warpVolume(patch.coverage, dims, affine, { fill: 0, displacement });
  if (params.noiseSd > 0) {
    const seed = /^\d+$/.test(params.noise.seed) ? BigInt(params.noise.seed) : NaN;
    await addNoise(image, { kind: 'gaussian', sigma: params.noiseSd, seed: seed as bigint, sample: params.noise.sample, stream: params.noise.stream }, image);
  }
  return { dims: [...dims], spacing: [...spacing], image, mask, coverage };
}
