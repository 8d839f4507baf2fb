/**
 * Resampling volumes through spatial transforms on native kernels (native/warp/): an affine map
 * (rotation, scaling, translation) and/or an elastic displacement given by a cubic B-spline
 * control grid, trilinear for images and nearest neighbour for label maps — the same transform
 * applied to an image and its mask keeps them aligned.
 *
 * Coordinates are voxel indices [z, y, x], voxel centres at integers. Output voxel o samples the
 * input at p(o) = A·o + t + d(o), with `affine` the row-major 3×4 [A | t] (output → input) and d
 * the B-spline displacement in input voxels. Points outside the input read `fill` (trilinear:
 * neighbours outside read `fill`, scipy.ndimage's mode 'grid-constant').
 *
 * The control grid is laid out as SimpleITK's BSplineTransform (TorchIO's
 * RandomElasticDeformation): [3, cz, cy, cx] values (components dz, dy, dx), ≥ 4 points per
 * axis, mesh of c − 3 cells spanning output voxels 0 … n − 1; see native/warp/warp.h.
 *
 * physicalAffine builds [A | t] from a transform in millimetres about the volume's centre, with
 * TorchIO RandomAffine's conventions (scales > 1 enlarge the content, degrees per axis,
 * translation in mm).
 */
import { invalidParameter } from '../errors.js';
import { binding, type WarpSpec } from '../binding.js';
import { callNative, callNativeSync } from '../native.js';
import { checkArray, checkDims, checkNoOverlap, checkNumber, outputArray, type Dims } from '../validate.js';
import { eulerZYXToMatrix, type Vec3 } from './rasterize.js';

export type Affine3x4 = readonly number[];

export interface Displacement {
  /** [3, cz, cy, cx] float32 displacements in input voxels (components z, y, x). */
  control: Float32Array;
  /** Control points per axis [cz, cy, cx], each ≥ 4. */
  controlDims: Vec3;
}

export interface VolumeWarpOptions {
  /** Value read outside the input. Default 0. */
  fill?: number;
  /** Elastic displacement added to the affine map. */
  displacement?: Displacement;
  /** Output shape; default the input's. */
  outDims?: Dims;
}


export const IDENTITY_AFFINE: Affine3x4 = Object.freeze([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);

export function checkAffine(name: string, affine: unknown): number[] {
  if (!Array.isArray(affine) || affine.length !== 12) throw invalidParameter(name, 'an array of 12 numbers (row-major 3×4)', affine);
  return affine.map((v, i) => checkNumber(`${name}[${i}]`, v, { min: -1e12, max: 1e12 }));
}

function checkDisplacement(d: Displacement | undefined): { control: Float32Array | null; controlDims?: number[] } {
  if (d === undefined) return { control: null };
  if (d === null || typeof d !== 'object') throw invalidParameter('displacement', 'an object {control, controlDims}', d);
  const { zyx, count } = checkDims('displacement.controlDims', d.controlDims);
  if (d.controlDims.length !== 3 || zyx.some((c) => c < 4)) {
    throw invalidParameter('displacement.controlDims', 'three control-point counts >= 4', d.controlDims);
  }
  const control = checkArray('displacement.control', d.control, Float32Array, 3 * count);
  for (let i = 0; i < control.length; i++) {
    if (!Number.isFinite(control[i])) throw invalidParameter(`displacement.control[${i}]`, 'a finite number', control[i]);
  }
  return { control, controlDims: zyx };
}

function spec(inDims: Dims, affine: Affine3x4, options: VolumeWarpOptions, fillRule: { min: number; max: number }) {
  const input = checkDims('dims', inDims);
  const output = checkDims('outDims', options?.outDims ?? inDims);
  const { control, controlDims } = checkDisplacement(options?.displacement);
  const s: WarpSpec = {
    inDims: input.zyx,
    outDims: output.zyx,
    affine: checkAffine('affine', affine),
    fill: checkNumber('fill', options?.fill ?? 0, fillRule),
    ...(controlDims ? { controlDims } : {}),
  };
  return { s, control, inCount: input.count, outCount: output.count };
}

/** Resamples an image (trilinear); returns `out` (allocated when omitted). */
export async function warpVolume(input: Float32Array, dims: Dims, affine: Affine3x4, options: VolumeWarpOptions = {}, out?: Float32Array): Promise<Float32Array> {
  const { s, control, inCount, outCount } = spec(dims, affine, options, { min: -3.4e38, max: 3.4e38 });
  const x = checkArray('input', input, Float32Array, inCount);
  const y = outputArray('out', out, Float32Array, outCount);
  checkNoOverlap('out', y, [x]);
  await callNative(binding().warpLinear(x, y, s, control));
  return y;
}

/** Resamples a label map (nearest neighbour); returns `out` (allocated when omitted). */
export async function warpLabels(input: Uint8Array, dims: Dims, affine: Affine3x4, options: VolumeWarpOptions = {}, out?: Uint8Array): Promise<Uint8Array> {
  const { s, control, inCount, outCount } = spec(dims, affine, options, { min: 0, max: 255 });
  if (!Number.isInteger(s.fill)) throw invalidParameter('fill', 'a label 0..255', s.fill);
  const x = checkArray('input', input, Uint8Array, inCount);
  const y = outputArray('out', out, Uint8Array, outCount);
  checkNoOverlap('out', y, [x]);
  await callNative(binding().warpNearest(x, y, s, control));
  return y;
}

/**
 * Resamples a label map gated by its partial-volume coverage (same grid): a voxel is foreground
 * where the trilinearly resampled coverage is ≥ `threshold` (default 1/2, the rasterizer's mask
 * rule) and takes the nearest input label there (`fallback`, default 1, where that is 0). Masks
 * keep a smooth surface under rotation, where nearest-neighbour labels alone get staircases.
 */
export async function warpGatedLabels(
  labels: Uint8Array,
  coverage: Float32Array,
  dims: Dims,
  affine: Affine3x4,
  options: VolumeWarpOptions & { threshold?: number; fallback?: number } = {},
  out?: Uint8Array,
): Promise<Uint8Array> {
  const { s, control, inCount, outCount } = spec(dims, affine, options, { min: 0, max: 255 });
  const l = checkArray('labels', labels, Uint8Array, inCount);
  const c = checkArray('coverage', coverage, Float32Array, inCount);
  const y = outputArray('out', out, Uint8Array, outCount);
  checkNoOverlap('out', y, [l]);
  const threshold = checkNumber('threshold', options.threshold ?? 0.5, { min: -3.4e38, max: 3.4e38 });
  const fallback = checkNumber('fallback', options.fallback ?? 1, { integer: true, min: 0, max: 255 });
  await callNative(binding().warpGatedLabels(l, c, y, { ...s, threshold, fallback }, control));
  return y;
}

/** The trilinear warp's row sampler in use on this CPU: 'avx512', 'avx2' or 'scalar' (all give the same bytes). */
export function warpIsa(): string {
  return binding().warpIsa();
}

/** Forces the trilinear warp's row sampler (tests, benchmarks); false when this CPU lacks it. */
export function setWarpIsa(isa: 'avx512' | 'avx2' | 'scalar'): boolean {
  return callNativeSync(() => binding().warpSetIsa(isa));
}

/** The dense displacement [3, Z, Y, X] (input voxels) of a control grid on `dims`, as the warps evaluate it. */
export async function bsplineDisplacement(displacement: Displacement, dims: Dims, out?: Float32Array): Promise<Float32Array> {
  const { zyx, count } = checkDims('dims', dims);
  const { control, controlDims } = checkDisplacement(displacement);
  const field = outputArray('out', out, Float32Array, 3 * count);
  await callNative(binding().bsplineDisplacement(control!, field, { controlDims: controlDims!, dims: zyx }));
  return field;
}

/**
 * [A | t] mapping output voxels to input voxels for a transform about the volume's centre, in
 * millimetres (TorchIO RandomAffine conventions): a content point q (mm, relative to the
 * centre c) moves to c + translation + R·diag(scales)·q, R = Rz·Ry·Rx of `degrees` [z, y, x]
 * (eulerZYXToMatrix's convention). Output voxel o therefore samples
 *   input = S⁻¹ (c + diag(1/scales)·Rᵀ (S·o − c − translation)),
 * S = diag(spacing). Zero degrees, unit scales and no translation give exactly the identity.
 */
export function physicalAffine(
  dims: readonly [number, number, number],
  spacing: readonly [number, number, number],
  transform: { degrees?: Vec3; scales?: Vec3; translationMm?: Vec3 },
): number[] {
  const deg = transform.degrees ?? [0, 0, 0];
  const scales = transform.scales ?? [1, 1, 1];
  const shift = transform.translationMm ?? [0, 0, 0];
  deg.forEach((d, i) => checkNumber(`degrees[${i}]`, d, { min: -360, max: 360 }));
  scales.forEach((s, i) => checkNumber(`scales[${i}]`, s, { above: 0, max: 1e3 }));
  shift.forEach((s, i) => checkNumber(`translationMm[${i}]`, s, { min: -1e6, max: 1e6 }));
  spacing.forEach((s, i) => checkNumber(`spacing[${i}]`, s, { above: 0 }));
  const R = eulerZYXToMatrix(deg.map((d) => (d * Math.PI) / 180) as unknown as Vec3);
  const centre = dims.map((n) => (n - 1) / 2);
  // M = S⁻¹ · diag(1/scales) · Rᵀ · S, entry (i, j) = Rᵀ_ij · s_j / (s_i · scale_i).
  const m: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) m.push((R[j * 3 + i] * spacing[j]) / (spacing[i] * scales[i]));
  }
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    // t = centre − M·centre − S⁻¹ diag(1/scales) Rᵀ translation
    let t = centre[i];
    for (let j = 0; j < 3; j++) t -= m[i * 3 + j] * centre[j] + (R[j * 3 + i] * shift[j]) / (spacing[i] * scales[i]);
    out.push(m[i * 3], m[i * 3 + 1], m[i * 3 + 2], t);
  }
  return out;
}

export interface InsertPatchOptions {
  /** Host volume [Z, Y, X]: CT in HU and its label map, both changed in place. */
  dims: Dims;
  /** Patch [pz, py, px]: values and blending weights in [0, 1] (soft at the edge). */
  patchDims: Dims;
  /** Host voxel → patch voxel, row-major 3×4. */
  affine: Affine3x4;
  /** Host voxels visited: [lo, hi) per axis (clipped to the volume). */
  lo: Vec3;
  hi: Vec3;
  /** Host labels the patch may change (e.g. the lungs). */
  hostLabels: readonly number[];
  /** Label written where the weight is ≥ 1/2. */
  noduleLabel: number;
}

/**
 * Blends `patch` into `ct` with weight `alpha` where the host label is one of `hostLabels`, and
 * labels the nodule (native/warp/insert_patch.h). Returns the summed weight (inserted volume in
 * voxels) and the number of voxels labelled.
 */
export async function insertPatch(
  ct: Float32Array,
  labels: Uint8Array,
  patch: Float32Array,
  alpha: Float32Array,
  o: InsertPatchOptions,
): Promise<{ insertedVoxels: number; labelledVoxels: number }> {
  const host = checkDims('dims', o.dims);
  const p = checkDims('patchDims', o.patchDims);
  checkArray('ct', ct, Float32Array, host.count);
  checkArray('labels', labels, Uint8Array, host.count);
  checkArray('patch', patch, Float32Array, p.count);
  checkArray('alpha', alpha, Float32Array, p.count);
  const hostOk = new Uint8Array(256);
  if (!Array.isArray(o.hostLabels) || o.hostLabels.length === 0) throw invalidParameter('hostLabels', 'a non-empty array of labels', o.hostLabels);
  o.hostLabels.forEach((l, i) => (hostOk[checkNumber(`hostLabels[${i}]`, l, { integer: true, min: 0, max: 255 })] = 1));
  const box = (name: string, v: unknown) => {
    if (!Array.isArray(v) || v.length !== 3) throw invalidParameter(name, '3 integers [z, y, x]', v);
    return v.map((e, i) => checkNumber(`${name}[${i}]`, e, { integer: true, min: -1e12, max: 1e12 }));
  };
  const result = new Float64Array(2);
  await callNative(
    binding().insertPatch(ct, labels, patch, alpha, hostOk, result, {
      dims: host.zyx,
      patchDims: p.zyx,
      affine: checkAffine('affine', o.affine),
      lo: box('lo', o.lo),
      hi: box('hi', o.hi),
      noduleLabel: checkNumber('noduleLabel', o.noduleLabel, { integer: true, min: 0, max: 255 }),
    }),
  );
  return { insertedVoxels: result[0], labelledVoxels: result[1] };
}
