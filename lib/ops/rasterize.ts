/**
 * Rasterizes analytic shapes into a float32 intensity volume and/or a uint8 label volume
 * [Z, Y, X], with partial-volume edges. Geometry is in voxel units: points are [z, y, x] with voxel
 * centres at integer coordinates.
 *
 * Coverage c of a voxel is the fraction of its 4×4×4 sub-sample points (offsets ±1/8, ±3/8 voxel
 * per axis) inside the shape — 4×4 in (y, x) for a shape drawn on one `plane`. Only each shape's
 * bounding box is visited and only its boundary band is sub-sampled; the result is the same as
 * sub-sampling every voxel.
 *
 * Shapes are applied in order; per voxel with c > 0 and the shape's intensity v:
 *   - 'replace' (default): out = out·(1 − c) + v·c
 *   - 'add':               out = out + v·c
 *   - 'max':               out = out + c·max(v − out, 0)  (replace, only where v is brighter)
 * A shape with a `label` writes it where c ≥ 1/2 and its `priority` ≥ the priority of the label
 * already in the voxel (ties: the later shape wins). A label's priority is
 * `targets.labelPriority[label]` when given, else the highest priority among this call's shapes
 * carrying that label, else 0; background (label 0) defaults to −Infinity.
 *
 * Orientation: `rotation` is a row-major 3×3 orthonormal matrix R taking local [z, y, x] to volume
 * [z, y, x] offsets (p − centre = R·q); `eulerZYX: [a, b, c]` gives R = Rz(a)·Ry(b)·Rx(c), each a
 * right-handed rotation (in x, y, z terms) about the volume axis of that name. Default: identity.
 *
 * Plane mode: `plane: k` draws only on slice k, evaluating the shape on its central cross-section
 * (z fixed at the centre's z, or the axis midpoint's for capsules and cylinders; the slice index
 * itself is not a coordinate). A batch of 2D images [N, H, W] gets one lesion per image from one
 * call; thousands of small shapes per call are cheap.
 */
import { invalidParameter } from '../errors.js';
import { binding } from '../binding.js';
import { callNative } from '../native.js';
import { type Dims, checkArray, checkDims, checkInteger, checkNumber, checkOneOf } from '../validate.js';

export type Vec3 = readonly [number, number, number];
export type BlendMode = 'replace' | 'add' | 'max';

interface ShapeCommon {
  /** Value blended into the intensity target; default 1. */
  intensity?: number;
  /** Label 0..255 for the label target; omitted: the shape leaves labels alone. */
  label?: number;
  /** Label priority (see the module comment); default 0. */
  priority?: number;
  blend?: BlendMode;
  /** Draw the central cross-section on this slice only (0 ≤ plane < Z). */
  plane?: number;
}

interface Oriented {
  /** Row-major 3×3 orthonormal matrix, local → volume. */
  rotation?: readonly number[];
  /** Radians [a, b, c]: R = Rz(a)·Ry(b)·Rx(c). Give this or `rotation`, not both. */
  eulerZYX?: Vec3;
}

/** |D⁻¹q| ≤ 1 with D = diag(radii), radii [rz, ry, rx] along the local axes. */
export interface EllipsoidShape extends ShapeCommon, Oriented {
  type: 'ellipsoid';
  center: Vec3;
  radii: Vec3;
}

/** Points within `radius` of the segment [a, b]: round ends. a = b gives a sphere. */
export interface CapsuleShape extends ShapeCommon {
  type: 'capsule';
  a: Vec3;
  b: Vec3;
  radius: number;
}

/** Points within `radius` of the line ab, between the flat caps at a and b (a ≠ b). */
export interface CylinderShape extends ShapeCommon {
  type: 'cylinder';
  a: Vec3;
  b: Vec3;
  radius: number;
}

/**
 * A kidney bean: the ellipsoid with a dent on its local +x side. With n = D⁻¹q and θ the angle
 * between n and +x, inside is |n| ≤ 1 − hilumDepth·exp((cos θ − 1) / hilumWidth²). The surface at
 * the +x pole sits at rx·(1 − hilumDepth); hilumWidth is the dent's angular spread in radians
 * (about the standard deviation of a Gaussian in θ). The outline is concave at the dent when
 * hilumWidth² < hilumDepth / (1 − hilumDepth).
 */
export interface BeanShape extends ShapeCommon, Oriented {
  type: 'bean';
  center: Vec3;
  radii: Vec3;
  /** Fraction of rx removed at the +x pole, in [0, 0.95]; default 0.4. */
  hilumDepth?: number;
  /** Angular spread of the dent (radians, > 0); default 0.3. */
  hilumWidth?: number;
}

/** A zonal spherical harmonic term: amplitude · P_degree(d · axis), axis in the local frame. */
export interface LobeHarmonic {
  amplitude: number;
  /** Integer 0..32; degree l gives about l/2 bumps from pole to pole. */
  degree: number;
  axis: Vec3;
}

/**
 * A thin spike: a round cone along `direction` (local frame) from a sphere of diameter `width`
 * just under the body's surface to a sharp tip `length` voxels beyond it.
 */
export interface Spicule {
  direction: Vec3;
  length: number;
  width: number;
}

/**
 * A lobulated nodule: body radius r(d) = radius·(1 + Σ aₘ·P_lₘ(d·axisₘ)) in local unit
 * direction d (Σ|aₘ| < 1; at most 8 terms), united with up to 8 spicules.
 */
export interface LobulatedShape extends ShapeCommon, Oriented {
  type: 'lobulated';
  center: Vec3;
  radius: number;
  harmonics?: readonly LobeHarmonic[];
  spicules?: readonly Spicule[];
}

export type Shape = EllipsoidShape | CapsuleShape | CylinderShape | BeanShape | LobulatedShape;

export interface RasterizeTargets {
  dims: Dims;
  /** Filled in place; Z·Y·X values. */
  intensity?: Float32Array;
  /** Filled in place; Z·Y·X values. */
  labels?: Uint8Array;
  /** Priority of labels already in the volume, by label value (overrides the defaults). */
  labelPriority?: Readonly<Record<number, number>>;
}

export interface RasterizeResult {
  /** Per shape: summed coverage inside the volume, in voxels (pixels in plane mode). */
  coverageSum: Float64Array;
}

// ---- packed layout: one shape per PACK_STRIDE float64s (keep in step with bindings/bind_rasterize.cc)
//   0 type (ellipsoid 0, capsule 1, cylinder 2, bean 3, lobulated 4)   1 blend (replace 0, add 1, max 2)
//   2 intensity   3 label (−1: none)   4 priority   5 plane (−1: 3D)
//   6..8 center   9..11 radii   12..14 a   15..17 b   18 radius   19..27 rotation (row-major)
//   28 hilumDepth   29 hilumWidth   30 harmonic count   31 spicule count
//   32..71 harmonics: 8 × [amplitude, degree, axis z, y, x]
//   72..111 spicules: 8 × [direction z, y, x, length, width]
export const PACK_STRIDE = 112;
export const MAX_HARMONICS = 8;
export const MAX_SPICULES = 8;
const TYPES = ['ellipsoid', 'capsule', 'cylinder', 'bean', 'lobulated'] as const;
const BLENDS = ['replace', 'add', 'max'] as const;
const COORD_LIMIT = 1e7;

/** R = Rz(a)·Ry(b)·Rx(c) as a row-major 3×3 acting on [z, y, x] vectors. */
export function eulerZYXToMatrix(angles: Vec3): number[] {
  const [a, b, c] = angles;
  const rz = [1, 0, 0, 0, Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a)];
  const ry = [Math.cos(b), 0, -Math.sin(b), 0, 1, 0, Math.sin(b), 0, Math.cos(b)];
  const rx = [Math.cos(c), Math.sin(c), 0, -Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  return matMul(matMul(rz, ry), rx);
}

function matMul(p: readonly number[], q: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) out[i * 3 + j] += p[i * 3 + k] * q[k * 3 + j];
    }
  }
  return out;
}

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** The rotation matrix a shape uses (checked): `rotation`, `eulerZYX`, or the identity. */
export function shapeRotation(shape: Oriented, name = 'shape'): number[] {
  if (shape.rotation !== undefined && shape.eulerZYX !== undefined) {
    throw invalidParameter(`${name}.rotation`, 'either rotation or eulerZYX, not both', shape.rotation);
  }
  if (shape.eulerZYX !== undefined) return eulerZYXToMatrix(vec3(`${name}.eulerZYX`, shape.eulerZYX));
  if (shape.rotation === undefined) return IDENTITY;
  const r = shape.rotation;
  if (!Array.isArray(r) || r.length !== 9) throw invalidParameter(`${name}.rotation`, 'an array of 9 numbers', r);
  r.forEach((v, i) => checkNumber(`${name}.rotation[${i}]`, v));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const d = r[i] * r[j] + r[3 + i] * r[3 + j] + r[6 + i] * r[6 + j];
      if (Math.abs(d - (i === j ? 1 : 0)) > 1e-6) {
        throw invalidParameter(`${name}.rotation`, 'an orthonormal 3×3 matrix (row-major)', r);
      }
    }
  }
  return [...r];
}

function vec3(name: string, v: unknown, rule: { nonZero?: boolean } = {}): Vec3 {
  if (!Array.isArray(v) || v.length !== 3) throw invalidParameter(name, 'an array of 3 numbers [z, y, x]', v);
  v.forEach((e, i) => checkNumber(`${name}[${i}]`, e, { min: -COORD_LIMIT, max: COORD_LIMIT }));
  if (rule.nonZero && v[0] === 0 && v[1] === 0 && v[2] === 0) throw invalidParameter(name, 'a non-zero vector', v);
  return v as unknown as Vec3;
}

const size = (name: string, v: unknown) => checkNumber(name, v, { above: 0, max: COORD_LIMIT });

function radii3(name: string, v: unknown): Vec3 {
  if (!Array.isArray(v) || v.length !== 3) throw invalidParameter(name, 'an array of 3 radii [rz, ry, rx]', v);
  v.forEach((e, i) => size(`${name}[${i}]`, e));
  return v as unknown as Vec3;
}

/** Checks one shape and writes it at `out[offset ...]`. */
function packShape(shape: Shape, name: string, slices: number, out: Float64Array, offset: number): void {
  if (shape === null || typeof shape !== 'object') throw invalidParameter(name, 'a shape object', shape);
  const type = checkOneOf(`${name}.type`, shape.type, TYPES);
  const o = out.subarray(offset, offset + PACK_STRIDE);
  o[0] = TYPES.indexOf(type);
  o[1] = BLENDS.indexOf(checkOneOf(`${name}.blend`, shape.blend ?? 'replace', BLENDS));
  o[2] = checkNumber(`${name}.intensity`, shape.intensity ?? 1, { min: -3.4e38, max: 3.4e38 });
  o[3] = shape.label === undefined ? -1 : checkInteger(`${name}.label`, shape.label, 0, 255);
  o[4] = checkNumber(`${name}.priority`, shape.priority ?? 0);
  o[5] = shape.plane === undefined ? -1 : checkInteger(`${name}.plane`, shape.plane, 0, slices - 1);
  o.set(IDENTITY, 19);
  switch (shape.type) {
    case 'capsule':
    case 'cylinder': {
      const a = vec3(`${name}.a`, shape.a);
      const b = vec3(`${name}.b`, shape.b);
      if (shape.type === 'cylinder' && a[0] === b[0] && a[1] === b[1] && a[2] === b[2]) {
        throw invalidParameter(`${name}.b`, 'a point different from a', b);
      }
      o.set(a, 12);
      o.set(b, 15);
      o[18] = size(`${name}.radius`, shape.radius);
      return;
    }
    case 'ellipsoid':
    case 'bean':
      o.set(vec3(`${name}.center`, shape.center), 6);
      o.set(radii3(`${name}.radii`, shape.radii), 9);
      o.set(shapeRotation(shape, name), 19);
      if (shape.type === 'bean') {
        o[28] = checkNumber(`${name}.hilumDepth`, shape.hilumDepth ?? 0.4, { min: 0, max: 0.95 });
        o[29] = checkNumber(`${name}.hilumWidth`, shape.hilumWidth ?? 0.3, { above: 0, max: 10 });
      }
      return;
    case 'lobulated': {
      o.set(vec3(`${name}.center`, shape.center), 6);
      o[18] = size(`${name}.radius`, shape.radius);
      o.set(shapeRotation(shape, name), 19);
      const harmonics = shape.harmonics ?? [];
      const spicules = shape.spicules ?? [];
      if (!Array.isArray(harmonics) || harmonics.length > MAX_HARMONICS) {
        throw invalidParameter(`${name}.harmonics`, `an array of at most ${MAX_HARMONICS} terms`, harmonics);
      }
      if (!Array.isArray(spicules) || spicules.length > MAX_SPICULES) {
        throw invalidParameter(`${name}.spicules`, `an array of at most ${MAX_SPICULES} spicules`, spicules);
      }
      o[30] = harmonics.length;
      o[31] = spicules.length;
      let ampSum = 0;
      harmonics.forEach((h: LobeHarmonic, m: number) => {
        const hn = `${name}.harmonics[${m}]`;
        const amplitude = checkNumber(`${hn}.amplitude`, h?.amplitude, { min: -1, max: 1 });
        ampSum += Math.abs(amplitude);
        o.set([amplitude, checkInteger(`${hn}.degree`, h.degree, 0, 32), ...unit(`${hn}.axis`, h.axis)], 32 + m * 5);
      });
      if (ampSum >= 1) {
        throw invalidParameter(`${name}.harmonics`, 'amplitudes whose absolute values sum to < 1', ampSum);
      }
      spicules.forEach((s: Spicule, j: number) => {
        const sn = `${name}.spicules[${j}]`;
        const dir = unit(`${sn}.direction`, s?.direction);
        o.set([...dir, size(`${sn}.length`, s.length), size(`${sn}.width`, s.width)], 72 + j * 5);
      });
      return;
    }
  }
}

function unit(name: string, v: unknown): number[] {
  const d = vec3(name, v, { nonZero: true });
  const n = Math.hypot(d[0], d[1], d[2]);
  return [d[0] / n, d[1] / n, d[2] / n];
}

/**
 * Checks `shapes` and packs them (PACK_STRIDE numbers each) for the addon. Exported for tools that
 * cache packed scenes.
 */
export function packShapes(shapes: readonly Shape[], slices: number): Float64Array {
  if (!Array.isArray(shapes)) throw invalidParameter('shapes', 'an array of shapes', shapes);
  const packed = new Float64Array(shapes.length * PACK_STRIDE);
  shapes.forEach((s, i) => packShape(s, `shapes[${i}]`, slices, packed, i * PACK_STRIDE));
  return packed;
}

/** The 256-entry priority table the label rule compares against (see the module comment). */
export function labelPriorityTable(
  shapes: readonly Shape[],
  overrides?: Readonly<Record<number, number>>,
): Float64Array {
  const table = new Float64Array(256);
  const drawn = new Array<boolean>(256).fill(false);
  for (const s of shapes) {
    if (s.label === undefined) continue;
    const p = s.priority ?? 0;
    table[s.label] = drawn[s.label] ? Math.max(table[s.label], p) : p;
    drawn[s.label] = true;
  }
  table[0] = -Infinity;
  if (overrides !== undefined) {
    if (overrides === null || typeof overrides !== 'object') {
      throw invalidParameter('labelPriority', 'an object or array mapping labels to priorities', overrides);
    }
    for (const [key, value] of Object.entries(overrides)) {
      const label = Number(key);
      if (!Number.isInteger(label) || label < 0 || label > 255) {
        throw invalidParameter('labelPriority', 'keys that are labels 0..255', key);
      }
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw invalidParameter(`labelPriority[${label}]`, 'a number', value);
      }
      table[label] = value;
    }
  }
  return table;
}

/**
 * Draws `shapes` into the targets in place (either target may be omitted) and returns each shape's
 * summed coverage inside the volume: its partial volume in voxels, e.g. a ground-truth lesion
 * volume. Deterministic for any thread count.
 */
export async function rasterize(shapes: readonly Shape[], targets: RasterizeTargets): Promise<RasterizeResult> {
  if (targets === null || typeof targets !== 'object') throw invalidParameter('targets', 'an object', targets);
  const { zyx, count } = checkDims('targets.dims', targets.dims);
  const intensity =
    targets.intensity === undefined ? null : checkArray('targets.intensity', targets.intensity, Float32Array, count);
  const labels = targets.labels === undefined ? null : checkArray('targets.labels', targets.labels, Uint8Array, count);
  const packed = packShapes(shapes, zyx[0]);
  const table = labelPriorityTable(shapes, targets.labelPriority);
  const coverageSum = new Float64Array(shapes.length);
  if (shapes.length === 0) return { coverageSum };
  await callNative(binding().rasterize(packed, table, coverageSum, { dims: zyx }, intensity, labels));
  return { coverageSum };
}
