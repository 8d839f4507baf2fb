/**
 * A patient's shapes on a voxel grid, for CT (HU) or PET (SUV), in drawing order:
 *   body (subcutaneous fat) → soft-tissue core → organs by catalogue priority → cancellous cores
 *   of the vertebrae → per lesion: lobulated body, necrotic core, hot spots (PET only).
 * Only the lesion bodies carry labels (1 primary, 2 nodes/metastases), so the label target is the
 * tumour mask. Everything else is `replace` blending with partial-volume edges.
 *
 * Grid: `dims` [Z, Y, X] voxels of `spacing` [sz, sy, sx] mm whose corner sits at `originMm` in
 * the patient frame, so a patient-frame point p has voxel coordinate (p − origin) / s − 0.5.
 * Ellipsoids, beans and z-axis cylinders map exactly (their rotations are axis flips); lobulated
 * lesions use the geometric-mean spacing (same volume; exact on isotropic grids).
 */
import type { Shape, Vec3 } from '../../ops/rasterize.js';
import type { PetCtPatientParams, PlacedLesion } from './params.js';
import { CANCELLOUS, SOFT_TISSUE_FRACTION } from './tissues.js';

export interface Grid {
  dims: [number, number, number];
  spacing: [number, number, number];
  originMm: [number, number, number];
}

export type Modality = 'ct' | 'pet';

/** Priority of the tumour labels (above the background's −∞). */
const LESION_PRIORITY = 1;

function toVoxel(g: Grid, p: Vec3): Vec3 {
  return [0, 1, 2].map((a) => (p[a] - g.originMm[a]) / g.spacing[a] - 0.5) as unknown as Vec3;
}

function scaled(g: Grid, r: Vec3): Vec3 {
  return [r[0] / g.spacing[0], r[1] / g.spacing[1], r[2] / g.spacing[2]];
}

/** A patient-frame shape on the grid. */
export function shapeOnGrid(g: Grid, shape: Shape): Shape {
  switch (shape.type) {
    case 'ellipsoid':
    case 'bean':
      return { ...shape, center: toVoxel(g, shape.center), radii: scaled(g, shape.radii) };
    case 'cylinder':
    case 'capsule':
      return { ...shape, a: toVoxel(g, shape.a), b: toVoxel(g, shape.b), radius: shape.radius / Math.sqrt(g.spacing[1] * g.spacing[2]) };
    case 'lobulated':
      return { ...shape, center: toVoxel(g, shape.center), radius: shape.radius / Math.cbrt(g.spacing[0] * g.spacing[1] * g.spacing[2]) };
  }
}

const add = (p: readonly number[], q: readonly number[], k = 1): Vec3 => [p[0] + k * q[0], p[1] + k * q[1], p[2] + k * q[2]];

function lesionShapes(l: PlacedLesion, modality: Modality): Shape[] {
  const r0 = l.radiusMm;
  const body: Shape = {
    type: 'lobulated',
    center: l.centerMm,
    radius: r0,
    harmonics: l.harmonics,
    intensity: modality === 'ct' ? l.hu : l.bodyFraction * l.suvMax,
    label: modality === 'ct' ? l.label : undefined,
    priority: LESION_PRIORITY,
  };
  const shapes: Shape[] = [body];
  if (l.necrosis) {
    const r = l.necrosis.radius * r0;
    shapes.push({
      type: 'ellipsoid',
      center: add(l.centerMm, l.necrosis.offset, r0),
      radii: [r, r, r],
      intensity: modality === 'ct' ? l.necrosisHu : l.necrosis.suv,
    });
  }
  if (modality === 'pet') {
    for (const h of l.hotSpots) {
      const r = h.radius * r0;
      shapes.push({ type: 'ellipsoid', center: add(l.centerMm, h.direction, h.distance * r0), radii: [r, r, r], intensity: l.suvMax });
    }
  }
  return shapes;
}

/** The patient's shapes for `modality`, in the patient frame (mm). */
export function patientShapes(params: PetCtPatientParams, modality: Modality): Shape[] {
  const value = (name: string) => (modality === 'ct' ? params.tissues[name].hu : params.tissues[name].suv);
  const body = params.anatomy.body;
  if (body.type !== 'ellipsoid') throw new Error('the body outline is an ellipsoid');
  const shapes: Shape[] = [
    { ...body, intensity: value('body_fat'), label: undefined },
    {
      ...body,
      radii: [body.radii[0], body.radii[1] * SOFT_TISSUE_FRACTION[0], body.radii[2] * SOFT_TISSUE_FRACTION[1]],
      intensity: value('body_soft'),
      label: undefined,
    },
  ];
  const organs = [...params.anatomy.organs].sort((a, b) => a.priority - b.priority);
  for (const organ of organs) shapes.push({ ...organ.shape, intensity: value(organ.name), label: undefined, blend: 'replace' });
  if (modality === 'ct') {
    for (const organ of params.anatomy.organs) {
      const s = organ.shape;
      if (s.type !== 'cylinder' || !/^[LT]\d+$/.test(organ.name)) continue;
      // The cancellous core: a shorter, thinner cylinder on the same axis.
      const mid = add(s.a, s.b, 1).map((v) => v / 2);
      const h = CANCELLOUS.height;
      shapes.push({
        type: 'cylinder',
        a: add(mid, add(s.a, mid, -1), h),
        b: add(mid, add(s.b, mid, -1), h),
        radius: s.radius * CANCELLOUS.radius,
        intensity: params.cancellousHu,
      });
    }
  }
  for (const lesion of params.lesions) shapes.push(...lesionShapes(lesion, modality));
  return shapes;
}

/** The patient's shapes for `modality` on grid `g`. */
export function sceneOnGrid(params: PetCtPatientParams, modality: Modality, g: Grid): Shape[] {
  return patientShapes(params, modality).map((s) => shapeOnGrid(g, s));
}
