/**
 * The anatomy catalogue: the seed's 13 structures as data. A user may pass their own table.
 *
 * Frame: a volume is [Z, Y, X]; z runs inferior → superior, y anterior → posterior, x from the
 * patient's right to their left (the radiological display of an axial slice, row 0 anterior).
 * Every position and size is a fraction of the volume's extent along that axis, so the same
 * table scales to any image size or spacing.
 *
 * Sizes are the seed's "relative size" triples (x × y × z in the seed's tables, stored here as
 * [z, y, x]), kept in proportion to each other. Multiplied by SIZE_TO_EXTENT they give each
 * structure's full extent: the seed's numbers as they stand make organs that fill a third of the
 * trunk's cross-section; 1.6× in-plane lets lungs, heart and liver fill the body outline as in a
 * real trunk, while along z the seed's figures already stack thorax, abdomen and L1–L5.
 * Positions follow the seed's locations (left/right thorax, right/left upper abdomen,
 * retroperitoneum, posterior spine) inside a body outline. Intensities are the seed's (an HU-like
 * 0–255 scale: soft-tissue body 100, lungs 150, heart 200, bone 220).
 */

export type StructureShape = 'ellipsoid' | 'bean' | 'cylinder';
export type StructureRegion = 'thoracic' | 'abdominal' | 'skeletal';

export interface StructureSpec {
  name: string;
  region: StructureRegion;
  shape: StructureShape;
  /** Centre as fractions of [Z, Y, X]. */
  center: readonly [number, number, number];
  /** Full extent as fractions of [Z, Y, X]. */
  size: readonly [number, number, number];
  /** Mean intensity (seed scale). */
  intensity: number;
  /** Which label wins where two structures overlap (higher wins). */
  priority: number;
  /** For beans: the hilum faces the patient's midline (+1: towards +x, -1: towards -x). */
  hilumSide?: 1 | -1;
}

/** The body outline: an elliptic cylinder along z holding every structure. */
export interface BodySpec {
  /** Centre of the axial ellipse as fractions of [Y, X]. */
  center: readonly [number, number];
  /** Semi-axes of the axial ellipse as fractions of [Y, X]. */
  semiAxes: readonly [number, number];
  intensity: number;
}

/** Full extent = size × SIZE_TO_EXTENT, per axis [z, y, x]. */
export const SIZE_TO_EXTENT: readonly [number, number, number] = [1, 1.6, 1.6];

export const DEFAULT_BODY: BodySpec = { center: [0.5, 0.5], semiAxes: [0.36, 0.45], intensity: 100 };

/** The seed's 13 structures, in the seed's order (label = index + 1). */
export const DEFAULT_STRUCTURES: readonly StructureSpec[] = [
  { name: 'left_lung', region: 'thoracic', shape: 'ellipsoid', center: [0.74, 0.47, 0.7], size: [0.35, 0.25, 0.15], intensity: 150, priority: 1 },
  { name: 'right_lung', region: 'thoracic', shape: 'ellipsoid', center: [0.74, 0.47, 0.3], size: [0.35, 0.25, 0.18], intensity: 150, priority: 1 },
  { name: 'heart', region: 'thoracic', shape: 'ellipsoid', center: [0.66, 0.38, 0.53], size: [0.2, 0.15, 0.12], intensity: 200, priority: 4 },
  { name: 'liver', region: 'abdominal', shape: 'ellipsoid', center: [0.47, 0.45, 0.34], size: [0.3, 0.2, 0.25], intensity: 180, priority: 2 },
  { name: 'spleen', region: 'abdominal', shape: 'ellipsoid', center: [0.5, 0.6, 0.74], size: [0.15, 0.1, 0.08], intensity: 170, priority: 3 },
  { name: 'pancreas', region: 'abdominal', shape: 'ellipsoid', center: [0.4, 0.52, 0.53], size: [0.08, 0.04, 0.15], intensity: 160, priority: 3 },
  { name: 'left_kidney', region: 'abdominal', shape: 'bean', center: [0.33, 0.66, 0.65], size: [0.15, 0.12, 0.08], intensity: 160, priority: 3, hilumSide: -1 },
  { name: 'right_kidney', region: 'abdominal', shape: 'bean', center: [0.3, 0.66, 0.35], size: [0.15, 0.12, 0.08], intensity: 160, priority: 3, hilumSide: 1 },
  { name: 'L1', region: 'skeletal', shape: 'cylinder', center: [0.42, 0.76, 0.5], size: [0.07, 0.06, 0.06], intensity: 220, priority: 5 },
  { name: 'L2', region: 'skeletal', shape: 'cylinder', center: [0.34, 0.76, 0.5], size: [0.07, 0.06, 0.06], intensity: 220, priority: 5 },
  { name: 'L3', region: 'skeletal', shape: 'cylinder', center: [0.26, 0.76, 0.5], size: [0.07, 0.06, 0.06], intensity: 220, priority: 5 },
  { name: 'L4', region: 'skeletal', shape: 'cylinder', center: [0.18, 0.76, 0.5], size: [0.07, 0.06, 0.06], intensity: 220, priority: 5 },
  { name: 'L5', region: 'skeletal', shape: 'cylinder', center: [0.1, 0.76, 0.5], size: [0.07, 0.06, 0.06], intensity: 220, priority: 5 },
];

export const DEFAULT_STRUCTURE_NAMES: readonly string[] = DEFAULT_STRUCTURES.map((s) => s.name);
