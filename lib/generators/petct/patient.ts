/** One rendered PET/CT patient: parameters, images, mask and their world geometry. */
import { lpsAffine, type Matrix4 } from '../../io/nifti.js';
import { checkInteger } from '../../validate.js';
import { planSurvival, type SurvivalPlan } from './latent.js';
import { resolvePetCtOptions, type PetCtOptions, type ResolvedPetCtOptions } from './options.js';
import { samplePetCtParams, type PetCtPatientParams } from './params.js';
import { PetCtRenderer } from './render.js';
import type { Grid } from './scene.js';

export interface PetCtPatient {
  params: PetCtPatientParams;
  /** [Z, Y, X]; Z = 1 for a 2D slice. */
  dims: [number, number, number];
  /** [sz, sy, sx] mm. */
  spacing: [number, number, number];
  /** Voxel → RAS+ world affine of ct/pet/seg (see lib/io/nifti.ts). */
  affine: Matrix4;
  ct: Int16Array;
  pet: Float32Array;
  /** 0 background, 1 primary tumour, 2 nodes and metastases. */
  seg: Uint8Array;
  /** Voxel coordinate [z, y, x] of the primary tumour's centre. */
  primaryVoxel: [number, number, number];
}

/**
 * The world affine of a grid: axes along LPS, the FOV centred on the world origin, so a
 * patient-frame point p (mm from the FOV corner) sits at LPS p − FOV/2.
 */
export function gridAffine(o: ResolvedPetCtOptions, grid: Grid): Matrix4 {
  const fov = o.fieldOfViewMm;
  const first = [0, 1, 2].map((a) => grid.originMm[a] + 0.5 * grid.spacing[a] - 0.5 * fov[a]); // [z, y, x]
  return lpsAffine(grid.spacing, [first[2], first[1], first[0]]);
}

/** Voxel coordinate [z, y, x] of a patient-frame point on `grid`. */
export function voxelOf(grid: Grid, p: readonly number[]): [number, number, number] {
  return [0, 1, 2].map((a) => (p[a] - grid.originMm[a]) / grid.spacing[a] - 0.5) as [number, number, number];
}

/** Renders patient `index` with `renderer` and returns views of its buffers (valid until its next render). */
export async function renderPetCtPatient(
  renderer: PetCtRenderer,
  plan: SurvivalPlan,
  index: number,
): Promise<PetCtPatient> {
  const o = renderer.options;
  checkInteger('index', index, 0, 0xffffffff);
  const params = samplePetCtParams(o, plan, index);
  await renderer.render(params);
  const grid = renderer.outputGrid(params);
  return {
    params,
    dims: [...o.imageSize],
    spacing: [...o.spacing],
    affine: gridAffine(o, grid),
    ct: renderer.ct,
    pet: renderer.pet,
    seg: renderer.labels,
    primaryVoxel: voxelOf(grid, params.lesions[0].centerMm),
  };
}

/** Generates PET/CT patient `index` of the dataset the options describe (fresh buffers). */
export async function generatePetCtPatient(options: PetCtOptions, index: number): Promise<PetCtPatient> {
  const o = resolvePetCtOptions(options);
  return renderPetCtPatient(new PetCtRenderer(o), planSurvival(o), index);
}
