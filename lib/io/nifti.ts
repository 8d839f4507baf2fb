/**
 * NIfTI-1 single-file images (.nii, and .nii.gz through node:zlib), readable by nibabel and ITK.
 *
 * Storage order: medsynth arrays are C order [Z, Y, X] with X fastest, which is exactly NIfTI's
 * storage (i fastest): i = x index, j = y index, k = z index. The bytes go out unchanged.
 *
 * Orientation: medsynth's volume frame (lib/anatomy/catalogue.ts) has x running from
 * the patient's right to their left, y from anterior to posterior and z from inferior to superior
 * — DICOM's LPS axes. NIfTI world coordinates are RAS+ (x to the right, y anterior, z superior),
 * so the voxel → world affine negates the first two axes:
 *
 *   [x_RAS]   [−sx   0   0  −ox] [i]
 *   [y_RAS] = [  0 −sy   0  −oy] [j]        (ox, oy, oz): LPS position of voxel (0, 0, 0) in mm
 *   [z_RAS]   [  0   0  sz   oz] [k]
 *
 * nibabel reports this as axis codes ('L', 'P', 'S'), the usual orientation of a volume converted
 * from DICOM. Both the sform and the qform carry the affine (codes 1, scanner), the qform as the
 * quaternion of the rotation part (here 180° about z: b = c = 0, d = 1, qfac = 1).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';

import { MedsynthError, invalidParameter } from '../errors.js';
import { checkInteger, checkNumber } from '../validate.js';
import { writeAtomically } from './atomic.js';

const gzipAsync = promisify(gzip);

export type NiftiArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** NIfTI-1 datatype codes and bit depths of the arrays medsynth writes. */
const DATATYPES = [
  { ctor: Uint8Array, code: 2, bits: 8 },
  { ctor: Int16Array, code: 4, bits: 16 },
  { ctor: Int32Array, code: 8, bits: 32 },
  { ctor: Float32Array, code: 16, bits: 32 },
  { ctor: Float64Array, code: 64, bits: 64 },
  { ctor: Int8Array, code: 256, bits: 8 },
  { ctor: Uint16Array, code: 512, bits: 16 },
  { ctor: Uint32Array, code: 768, bits: 32 },
] as const;

export type Matrix4 = readonly [readonly number[], readonly number[], readonly number[], readonly number[]];

export interface NiftiImage {
  data: NiftiArray;
  /** [Z, Y, X] for a volume or [Y, X] for a 2D image; C order, X fastest. */
  dims: readonly number[];
  /** Voxel size in mm: [sz, sy, sx], or [sy, sx] for a 2D image (then the slice thickness is 1). */
  spacing: readonly number[];
  /** Voxel (i, j, k) → RAS+ world mm, 4 rows of 4. Default: lpsAffine(spacing, centredOrigin(dims, spacing)). */
  affine?: Matrix4;
  /** Stored values map to real ones as stored·sclSlope + sclInter; default 1 and 0 (identity). */
  sclSlope?: number;
  sclInter?: number;
  /** Display range hint (cal_min, cal_max); default none. */
  calRange?: readonly [number, number];
  /** Up to 79 ASCII characters. */
  description?: string;
  /** Up to 15 ASCII characters, e.g. the unit ('HU', 'SUV'). */
  intentName?: string;
}

/** [sz, sy, sx] from a 2- or 3-element spacing. */
function spacing3(spacing: readonly number[]): [number, number, number] {
  return spacing.length === 3 ? [spacing[0], spacing[1], spacing[2]] : [1, spacing[0], spacing[1]];
}

/** The LPS position of voxel (0, 0, 0) that puts the volume's centre at the world origin. */
export function centredOrigin(dims: readonly number[], spacing: readonly number[]): [number, number, number] {
  const [nz, ny, nx] = dims.length === 3 ? dims : [1, dims[0], dims[1]];
  const [sz, sy, sx] = spacing3(spacing);
  return [(-(nx - 1) / 2) * sx, (-(ny - 1) / 2) * sy, (-(nz - 1) / 2) * sz];
}

/**
 * The RAS+ affine of a medsynth volume (axes along LPS, see the module comment) with spacing
 * [sz, sy, sx] and `originLps` = [ox, oy, oz], the LPS position of voxel (0, 0, 0) in mm.
 */
export function lpsAffine(spacing: readonly number[], originLps: readonly [number, number, number]): Matrix4 {
  const [sz, sy, sx] = spacing3(spacing);
  const [ox, oy, oz] = originLps;
  return [
    [-sx, 0, 0, -ox],
    [0, -sy, 0, -oy],
    [0, 0, sz, oz],
    [0, 0, 0, 1],
  ];
}

const HEADER_BYTES = 348;
const DATA_OFFSET = 352; // header + the 4-byte extension flag (no extensions)

function asciiField(name: string, value: string, max: number): string {
  if (typeof value !== 'string' || value.length > max || !/^[\x20-\x7e]*$/.test(value)) {
    throw invalidParameter(name, `printable ASCII text of at most ${max} characters`, value);
  }
  return value;
}

/**
 * The quaternion (b, c, d) and qfac of the rotation part of `affine` (columns divided by their
 * lengths), after nifti1_io's mat44_to_quatern; null when the columns are not orthogonal (then
 * only the sform describes the image).
 */
function quaternion(affine: Matrix4, pix: readonly number[]): { b: number; c: number; d: number; qfac: number } | null {
  const r = [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i][j] / pix[j]));
  for (let p = 0; p < 3; p++) {
    for (let q = 0; q < 3; q++) {
      const dot = r[0][p] * r[0][q] + r[1][p] * r[1][q] + r[2][p] * r[2][q];
      if (Math.abs(dot - (p === q ? 1 : 0)) > 1e-5) return null;
    }
  }
  const det =
    r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) -
    r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
    r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
  const qfac = det < 0 ? -1 : 1;
  if (qfac < 0) for (let i = 0; i < 3; i++) r[i][2] = -r[i][2];
  const [[r11, r12, r13], [r21, r22, r23], [r31, r32, r33]] = r;
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkImage(img: NiftiImage): { dims: number[]; spacing: number[]; datatype: (typeof DATATYPES)[number] } {
  if (img === null || typeof img !== 'object') throw invalidParameter('image', 'an object', img);
  const datatype = DATATYPES.find((t) => img.data instanceof t.ctor);
  if (!datatype) throw invalidParameter('image.data', 'a Uint8, Int8, Int16, Uint16, Int32, Uint32, Float32 or Float64 array', img.data);
  if (!Array.isArray(img.dims) || (img.dims.length !== 2 && img.dims.length !== 3)) {
    throw invalidParameter('image.dims', '[Z, Y, X] or [Y, X]', img.dims);
  }
  const dims = img.dims.map((d, i) => checkInteger(`image.dims[${i}]`, d, 1, 32767));
  const count = dims.reduce((a, b) => a * b, 1);
  if (img.data.length !== count) throw invalidParameter('image.data', `${count} values for dims ${dims.join('×')}`, img.data);
  if (!Array.isArray(img.spacing) || (img.spacing.length !== dims.length && img.spacing.length !== 3)) {
    throw invalidParameter('image.spacing', `${dims.length} voxel sizes in mm`, img.spacing);
  }
  const spacing = img.spacing.map((s, i) => checkNumber(`image.spacing[${i}]`, s, { above: 0 }));
  return { dims, spacing, datatype };
}

function checkAffine(affine: unknown): Matrix4 {
  if (!Array.isArray(affine) || affine.length !== 4 || !affine.every((row) => Array.isArray(row) && row.length === 4)) {
    throw invalidParameter('image.affine', 'a 4×4 array of rows', affine);
  }
  affine.forEach((row: number[], i) => row.forEach((v, j) => checkNumber(`image.affine[${i}][${j}]`, v)));
  return affine as unknown as Matrix4;
}

/** The 352 bytes in front of the data: header and an empty extension flag. */
export function encodeNiftiHeader(img: NiftiImage): Buffer {
  const { dims, spacing, datatype } = checkImage(img);
  const [sz, sy, sx] = spacing3(spacing);
  const affine = img.affine === undefined ? lpsAffine(spacing, centredOrigin(dims, spacing)) : checkAffine(img.affine);
  const h = Buffer.alloc(DATA_OFFSET);
  h.writeInt32LE(HEADER_BYTES, 0);
  h.write('r', 38, 'latin1'); // regular
  const xyz = dims.length === 3 ? [dims[2], dims[1], dims[0]] : [dims[1], dims[0], 1];
  const dim = [dims.length, ...xyz, 1, 1, 1, 1];
  dim.forEach((v, i) => h.writeInt16LE(v, 40 + 2 * i));
  h.writeInt16LE(datatype.code, 70);
  h.writeInt16LE(datatype.bits, 72);
  const q = quaternion(affine, [sx, sy, sz]);
  const pixdim = [q?.qfac ?? 1, sx, sy, sz, 0, 0, 0, 0];
  pixdim.forEach((v, i) => h.writeFloatLE(v, 76 + 4 * i));
  h.writeFloatLE(DATA_OFFSET, 108); // vox_offset
  h.writeFloatLE(checkNumber('image.sclSlope', img.sclSlope ?? 1), 112);
  h.writeFloatLE(checkNumber('image.sclInter', img.sclInter ?? 0), 116);
  h.writeUInt8(2, 123); // xyzt_units: NIFTI_UNITS_MM, no time unit
  if (img.calRange !== undefined) {
    const [lo, hi] = img.calRange;
    checkNumber('image.calRange[0]', lo);
    checkNumber('image.calRange[1]', hi, { min: lo });
    h.writeFloatLE(hi, 124);
    h.writeFloatLE(lo, 128);
  }
  h.write(asciiField('image.description', img.description ?? 'medsynth', 79), 148, 'latin1');
  h.writeInt16LE(q ? 1 : 0, 252); // qform_code: NIFTI_XFORM_SCANNER_ANAT
  h.writeInt16LE(1, 254); // sform_code: NIFTI_XFORM_SCANNER_ANAT
  if (q) {
    h.writeFloatLE(q.b, 256);
    h.writeFloatLE(q.c, 260);
    h.writeFloatLE(q.d, 264);
    h.writeFloatLE(affine[0][3], 268);
    h.writeFloatLE(affine[1][3], 272);
    h.writeFloatLE(affine[2][3], 276);
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) h.writeFloatLE(affine[r][c], 280 + 16 * r + 4 * c);
  h.write(asciiField('image.intentName', img.intentName ?? '', 15), 328, 'latin1');
  h.write('n+1\0', 344, 'latin1');
  return h; // bytes 348..351 stay 0: no extensions
}

/** The data bytes, little-endian. */
function dataBytes(data: NiftiArray): Buffer {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) return view;
  const copy = Buffer.from(view);
  if (data.BYTES_PER_ELEMENT === 2) copy.swap16();
  else if (data.BYTES_PER_ELEMENT === 4) copy.swap32();
  else copy.swap64();
  return copy;
}

/** The complete uncompressed .nii file. */
export function encodeNifti(img: NiftiImage): Buffer {
  const header = encodeNiftiHeader(img);
  return Buffer.concat([header, dataBytes(img.data)]);
}

export interface NiftiWriteOptions {
  /** gzip level 1–9 for .nii.gz; default 4. Ignored for .nii. */
  gzipLevel?: number;
}

/**
 * Writes `img` to `path` atomically (temporary name, then rename): gzip-compressed when the name
 * ends in .nii.gz (compression runs on libuv's thread pool), plain for .nii.
 */
export async function writeNifti(path: string, img: NiftiImage, options: NiftiWriteOptions = {}): Promise<void> {
  const gz = path.endsWith('.nii.gz');
  if (!gz && !path.endsWith('.nii')) throw invalidParameter('path', 'a file name ending in .nii or .nii.gz', path);
  const level = checkInteger('gzipLevel', options.gzipLevel ?? 4, 1, 9);
  const bytes = encodeNifti(img);
  const out = gz ? await gzipAsync(bytes, { level }) : bytes;
  await writeAtomically(path, (temp) => writeFile(temp, out));
}

export interface DecodedNifti {
  /** [Z, Y, X] or [Y, X] (medsynth order), from dim[]. */
  dims: number[];
  /** [sz, sy, sx] from pixdim. */
  spacing: [number, number, number];
  /** The sform affine when sform_code > 0, else the qform's. */
  affine: number[][];
  qformCode: number;
  sformCode: number;
  datatype: number;
  sclSlope: number;
  sclInter: number;
  description: string;
  intentName: string;
  data: NiftiArray;
}

function cString(b: Buffer, start: number, length: number): string {
  const raw = b.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('latin1');
}

/** Parses a .nii or .nii.gz file's bytes (single-file NIfTI-1, either byte order). */
export function decodeNifti(input: Uint8Array): DecodedNifti {
  let b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const corrupt = (why: string) => new MedsynthError('CORRUPT_FILE', `not a readable NIfTI-1 file: ${why}`);
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (err) {
      throw corrupt(`gzip: ${(err as Error).message}`);
    }
  }
  if (b.length < HEADER_BYTES) throw corrupt('shorter than a header');
  const le = b.readInt32LE(0) === HEADER_BYTES;
  if (!le && b.readInt32BE(0) !== HEADER_BYTES) throw corrupt('sizeof_hdr is not 348');
  if (cString(b, 344, 4) !== 'n+1') throw corrupt('magic is not n+1 (a .hdr/.img pair is not supported)');
  const i16 = (o: number) => (le ? b.readInt16LE(o) : b.readInt16BE(o));
  const f32 = (o: number) => (le ? b.readFloatLE(o) : b.readFloatBE(o));
  const ndim = i16(40);
  if (ndim < 1 || ndim > 7) throw corrupt(`dim[0] = ${ndim}`);
  const dim = Array.from({ length: ndim }, (_, i) => i16(42 + 2 * i));
  if (dim.some((d) => d < 1)) throw corrupt(`dims ${dim.join('×')}`);
  const datatype = i16(70);
  const type = DATATYPES.find((t) => t.code === datatype);
  if (!type) throw corrupt(`unsupported datatype ${datatype}`);
  const pix = Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i));
  const offset = Math.round(f32(108));
  const count = dim.reduce((a, c) => a * c, 1);
  const bytesPer = type.bits / 8;
  if (offset < DATA_OFFSET || b.length < offset + count * bytesPer) throw corrupt('data shorter than its dims');
  const raw = Buffer.from(b.subarray(offset, offset + count * bytesPer)); // aligned copy
  if (!le && bytesPer === 2) raw.swap16();
  else if (!le && bytesPer === 4) raw.swap32();
  else if (!le && bytesPer === 8) raw.swap64();
  const data = new type.ctor(raw.buffer, raw.byteOffset, count) as NiftiArray;
  const qformCode = i16(252);
  const sformCode = i16(254);
  let affine: number[][];
  if (sformCode > 0) {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c)));
  } else {
    const [qb, qc, qd] = [f32(256), f32(260), f32(264)];
    const qa = Math.sqrt(Math.max(0, 1 - (qb * qb + qc * qc + qd * qd)));
    const R = [
      [qa * qa + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc)],
      [2 * (qb * qc + qa * qd), qa * qa + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - qa * qb)],
      [2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), qa * qa + qd * qd - qc * qc - qb * qb],
    ];
    const qfac = pix[0] < 0 ? -1 : 1;
    const scale = [pix[1], pix[2], qfac * pix[3]];
    const off = [f32(268), f32(272), f32(276)];
    affine = [0, 1, 2].map((r) => [...[0, 1, 2].map((c) => R[r][c] * scale[c]), off[r]]);
  }
  affine.push([0, 0, 0, 1]);
  const slope = f32(112);
  const dims = ndim >= 3 ? [dim[2], dim[1], dim[0], ...dim.slice(3)] : ndim === 2 ? [dim[1], dim[0]] : [dim[0]];
  return {
    dims: ndim > 3 && dim.slice(3).every((d) => d === 1) ? dims.slice(0, 3) : dims,
    spacing: [pix[3], pix[2], pix[1]],
    affine,
    qformCode,
    sformCode,
    datatype,
    sclSlope: slope === 0 || !Number.isFinite(slope) ? 1 : slope,
    sclInter: f32(116),
    description: cString(b, 148, 80),
    intentName: cString(b, 328, 16),
    data,
  };
}

/** Reads a .nii or .nii.gz file. */
export function readNifti(path: string): DecodedNifti {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new MedsynthError('IO_ERROR', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return decodeNifti(bytes);
}
