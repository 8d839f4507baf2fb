/**
 * Turning a nodule's parameters into a patch with native kernels only: parenchyma at −850 HU,
 * the nodule rasterized with partial-volume edges (its mask: 1 nodule, 2 the solid core of a
 * part-solid nodule; its coverage: the fraction of each voxel inside the nodule), the margin
 * blurred with the nodule's σ, then parenchyma-level Gaussian noise.
 *
 * Geometry: the nodule's centre sits at the patch centre. Lengths in mm become voxels through the
 * spacing: ellipsoid radii per axis (exact); lobulated bodies and spicules, which the rasterizer
 * draws isotropic in voxels, through the geometric-mean spacing (their volume stays exact; on
 * anisotropic grids their shape is stretched along the coarser axes).
 */
import { gaussianBlur } from '../../ops/gaussian_blur.js';
import { addNoise } from '../../ops/noise.js';
import { rasterize, type Shape, type Vec3 } from '../../ops/rasterize.js';
import { PARENCHYMA_HU } from './kinds.js';
import type { ResolvedNoduleOptions } from './options.js';
import { NODULE_STREAM, type NoduleParams } from './sample_params.js';

export const NODULE_LABEL = 1;
export const CORE_LABEL = 2;

/** A nodule patch: what every nodule source (procedural, augmented, learned) hands out. */
export interface NodulePatch {
  /** [Z, Y, X]. */
  dims: [number, number, number];
  spacing: [number, number, number];
  /** CT values (HU). */
  image: Float32Array;
  /** 0 background, 1 nodule, 2 solid core (part-solid). */
  mask: Uint8Array;
  /** Fraction of each voxel inside the nodule, 0…1 (partial volume). */
  coverage: Float32Array;
}

/** The nodule's shapes in the patch's voxel frame (outer body first, then the core if any). */
export function noduleShapes(p: NoduleParams, dims: readonly [number, number, number], spacing: readonly [number, number, number]): Shape[] {
  const center = dims.map((n) => (n - 1) / 2) as unknown as Vec3;
  const g = Math.cbrt(spacing[0] * spacing[1] * spacing[2]);
  const r = p.diameterMm / 2;
  const shapes: Shape[] = [];
  if (p.radiusMm !== null) {
    shapes.push({
      type: 'lobulated',
      center,
      radius: p.radiusMm / g,
      eulerZYX: p.eulerZYX,
      harmonics: p.harmonics,
      spicules: p.spicules.map((s) => ({ direction: s.direction, length: s.lengthMm / g, width: s.widthMm / g })),
      intensity: p.densityHu,
      label: NODULE_LABEL,
      priority: 1,
    });
  } else {
    const ratios = p.axisRatios ?? [1, 1, 1];
    shapes.push({
      type: 'ellipsoid',
      center,
      radii: [0, 1, 2].map((a) => (r * ratios[a]) / spacing[a]) as unknown as Vec3,
      eulerZYX: p.eulerZYX,
      intensity: p.densityHu,
      label: NODULE_LABEL,
      priority: 1,
    });
  }
  if (p.coreFraction !== null && p.coreHu !== null && p.coreOffsetMm !== null) {
    const rc = r * p.coreFraction;
    const off = p.coreOffsetMm;
    shapes.push({
      type: 'ellipsoid',
      center: [0, 1, 2].map((a) => center[a] + off[a] / spacing[a]) as unknown as Vec3,
      radii: [rc / spacing[0], rc / spacing[1], rc / spacing[2]],
      intensity: p.coreHu,
      label: CORE_LABEL,
      priority: 2,
    });
  }
  return shapes;
}

/**
 * Renders nodule `p` into `out` (allocated when omitted) and returns it with the nodule's true
 * volume (partial-volume coverage, mm³, spicules included).
 */
export async function renderNodule(p: NoduleParams, o: ResolvedNoduleOptions, out?: NodulePatch): Promise<{ patch: NodulePatch; volumeMm3: number }> {
  const dims = o.patchSize;
  const n = dims[0] * dims[1] * dims[2];
  const patch: NodulePatch = out ?? {
    dims: [...dims],
    spacing: [...o.spacing],
    image: new Float32Array(n),
    mask: new Uint8Array(n),
    coverage: new Float32Array(n),
  };
  const shapes = noduleShapes(p, dims, o.spacing);
  patch.image.fill(PARENCHYMA_HU);
  patch.mask.fill(0);
  patch.coverage.fill(0);
  await rasterize(shapes, { dims, intensity: patch.image, labels: patch.mask });
  const { coverageSum } = await rasterize([{ ...shapes[0], intensity: 1, label: undefined }], { dims, intensity: patch.coverage });
  if (p.marginSigmaMm > 0) await gaussianBlur(patch.image, dims, { sigma: p.marginSigmaMm, spacing: o.spacing }, patch.image);
  if (o.noiseHu > 0) {
    await addNoise(patch.image, { kind: 'gaussian', sigma: o.noiseHu, seed: o.seed, sample: p.index, stream: NODULE_STREAM.voxelNoise }, patch.image);
  }
  return { patch, volumeMm3: coverageSum[0] * o.spacing[0] * o.spacing[1] * o.spacing[2] };
}
