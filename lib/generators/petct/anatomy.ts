/**
 * One patient's organs, placed by the anatomy generator's own sampler (sampleAnatomyParams) on
 * the PET/CT structure table, with every structure present, and expressed in the patient frame:
 * [z, y, x] millimetres from the corner of the field of view (0 … FOV per axis), axes as in the
 * catalogue (z inferior → superior, y anterior → posterior, x patient's right → left).
 *
 * sampleAnatomyParams works in voxel units of `imageSize` with voxel centres at f·n − 0.5; asking
 * it for a grid of FOV-in-mm "voxels" of 1 mm gives positions p − 0.5 and sizes in mm, so the
 * frame conversion is a shift by half a millimetre.
 */
import { DEFAULT_BODY } from '../../anatomy/catalogue.js';
import type { ResolvedAnatomyOptions } from '../../anatomy/options.js';
import { sampleAnatomyParams } from '../../anatomy/sample_params.js';
import type { Shape, Vec3 } from '../../ops/rasterize.js';
import type { ResolvedPetCtOptions } from './options.js';
import { PETCT_STRUCTURES } from './tissues.js';

export interface PatientOrgan {
  name: string;
  /** Catalogue priority: lower is drawn first. */
  priority: number;
  /** Geometry in the patient frame (mm). */
  shape: Shape;
}

export interface PatientAnatomy {
  body: Shape;
  organs: PatientOrgan[];
}

const shift = (v: Vec3): Vec3 => [v[0] + 0.5, v[1] + 0.5, v[2] + 0.5];

/** A shape from sampleAnatomyParams' (mm − 0.5) coordinates into the patient frame. */
function toPatientFrame(shape: Shape): Shape {
  switch (shape.type) {
    case 'capsule':
    case 'cylinder':
      return { ...shape, a: shift(shape.a), b: shift(shape.b) };
    default:
      return { ...shape, center: shift(shape.center) };
  }
}

export function sampleAnatomy(o: ResolvedPetCtOptions, index: number): PatientAnatomy {
  const names = PETCT_STRUCTURES.map((s) => s.name);
  const anatomyOptions: ResolvedAnatomyOptions = {
    imageSize: [...o.fieldOfViewMm],
    spacing: [1, 1, 1],
    seed: o.seed,
    positionNoise: o.positionNoise,
    sizeNoise: o.sizeNoise,
    intensityNoise: 0,
    artifacts: { blurSigmaMm: [0, 0, 0], biasOrder: 0, biasMagnitude: 0, noiseKind: 'gaussian', noiseSigma: 0 },
    structures: PETCT_STRUCTURES,
    scenarios: [{ name: 'petct', category: 'normal', description: 'Every structure present', present: names }],
    body: DEFAULT_BODY,
  };
  const p = sampleAnatomyParams(anatomyOptions, index);
  return {
    body: toPatientFrame(p.body),
    organs: p.structures.map((s, i) => ({ name: s.name, priority: PETCT_STRUCTURES[i].priority, shape: toPatientFrame(s.shape) })),
  };
}

/** An organ's shape by name (the PET/CT table always holds it). */
export function organShape(anatomy: PatientAnatomy, name: string): Shape {
  const organ = anatomy.organs.find((s) => s.name === name);
  if (!organ) throw new Error(`no organ named ${name}`);
  return organ.shape;
}
