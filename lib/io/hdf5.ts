/**
 * HDF5 through h5wasm (HDF5 compiled to WebAssembly, real files on the host). This module is the
 * one place that knows h5wasm's quirks: it returns null instead of throwing when a parent group
 * is missing, throws plain strings for bad dtypes, and needs data for the full shape at creation
 * (so per-sample datasets are created empty and resized).
 */
import h5wasm from 'h5wasm/node';

import { MedsynthError } from '../errors.js';
import { wrapHdf5Module } from './hdf5_calls.js';

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;
export type H5Group = InstanceType<typeof h5wasm.Group>;

/** Little-endian HDF5 dtype strings for the arrays medsynth writes. */
export const H5_DTYPE = {
  float32: '<f',
  float64: '<d',
  uint8: '<B',
  int16: '<h',
  int32: '<i',
  uint32: '<I',
} as const;
export type H5DtypeName = keyof typeof H5_DTYPE;

let ready: Promise<unknown> | undefined;

/** Loads the HDF5 WebAssembly module once. */
export async function h5Ready(): Promise<typeof h5wasm> {
  ready ??= h5wasm.ready.then((module) => wrapHdf5Module(module as unknown as Record<string, unknown>));
  await ready;
  return h5wasm;
}

function wrap(what: string, err: unknown, code: 'IO_ERROR' | 'CORRUPT_FILE' = 'IO_ERROR'): MedsynthError {
  const message = typeof err === 'string' ? err : (err as Error)?.message ?? String(err);
  return new MedsynthError(code, `${what}: ${message}`, { cause: err });
}

/** Creates (truncating) an HDF5 file for writing. */
export async function createH5(path: string): Promise<H5File> {
  const lib = await h5Ready();
  try {
    return new lib.File(path, 'w');
  } catch (err) {
    throw wrap(`cannot create HDF5 file ${path}`, err);
  }
}

/** Opens an existing HDF5 file read-only; a truncated or non-HDF5 file gives CORRUPT_FILE. */
export async function openH5(path: string): Promise<H5File> {
  const lib = await h5Ready();
  let file: H5File;
  try {
    file = new lib.File(path, 'r');
  } catch (err) {
    throw wrap(`cannot open ${path} as HDF5 (corrupt or truncated?)`, err, 'CORRUPT_FILE');
  }
  // h5wasm may hand back a file object whose id is invalid instead of throwing.
  if (!file || (file as unknown as { file_id: bigint }).file_id < 0n) {
    throw new MedsynthError('CORRUPT_FILE', `cannot open ${path} as HDF5 (corrupt or truncated?)`);
  }
  return file;
}

export interface SampleDatasetSpec {
  name: string;
  dtype: H5DtypeName;
  /** Shape of one sample, without the leading N. */
  sampleShape: readonly number[];
  count: number;
  /** Chunk shape including the leading sample axis. */
  chunks: readonly number[];
  /** gzip level 1–9, or 0 for none. */
  gzipLevel: number;
}

/**
 * Creates `[count, ...sampleShape]` with nothing written yet: chunks never written are not
 * allocated and read back as 0, which is what makes sparse one-hot masks cheap.
 */
export function createSampleDataset(file: H5File | H5Group, spec: SampleDatasetSpec): H5Dataset {
  const empty = [0, ...spec.sampleShape];
  const full = [spec.count, ...spec.sampleShape];
  let ds: H5Dataset | null;
  try {
    ds = file.create_dataset({
      name: spec.name,
      data: new Uint8Array(0),
      shape: empty,
      maxshape: full,
      dtype: H5_DTYPE[spec.dtype],
      chunks: [...spec.chunks],
      ...(spec.gzipLevel > 0 ? { compression: 'gzip' as const, compression_opts: spec.gzipLevel } : {}),
    }) as H5Dataset | null;
  } catch (err) {
    throw wrap(`cannot create dataset ${spec.name}`, err);
  }
  if (!ds) throw new MedsynthError('IO_ERROR', `cannot create dataset ${spec.name} (missing parent group?)`);
  if (spec.count > 0) ds.resize(full);
  return ds;
}

/** HDF5 chunk size the 2-D image stacks aim at: about 1 MiB of samples per chunk. */
const IMAGE_CHUNK_BYTES = 2 ** 20;

/** A float32 stack of `count` 2-D images [count, height, width], chunked by whole images. */
export function createImageStack(file: H5File | H5Group, name: string, count: number, height: number, width: number, gzipLevel: number): H5Dataset {
  const perChunk = Math.max(1, Math.min(count, Math.floor(IMAGE_CHUNK_BYTES / (height * width * 4))));
  return createSampleDataset(file, { name, dtype: 'float32', sampleShape: [height, width], count, chunks: [perChunk, height, width], gzipLevel });
}

/** Writes a small dataset in one go (labels, names, tables). */
export function writeSmallDataset(
  file: H5File | H5Group,
  name: string,
  data: ArrayBufferView | string[],
  shape: readonly number[],
  dtype?: H5DtypeName,
): H5Dataset {
  let ds: H5Dataset | null;
  try {
    ds = file.create_dataset({
      name,
      data: data as never,
      shape: [...shape],
      ...(dtype ? { dtype: H5_DTYPE[dtype] } : {}),
    }) as H5Dataset | null;
  } catch (err) {
    throw wrap(`cannot write dataset ${name}`, err);
  }
  if (!ds) throw new MedsynthError('IO_ERROR', `cannot write dataset ${name} (missing parent group?)`);
  return ds;
}

/** Sets attributes; numbers become float64 scalars, number arrays float64 arrays, the rest strings. */
export function setAttributes(target: H5File | H5Group | H5Dataset, attrs: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(attrs)) {
    try {
      if (typeof value === 'number') target.create_attribute(key, value, null, '<d');
      else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
        target.create_attribute(key, Float64Array.from(value as number[]), [value.length], '<d');
      } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        target.create_attribute(key, value as string[], [value.length]);
      } else if (typeof value === 'string') target.create_attribute(key, value);
      else target.create_attribute(key, JSON.stringify(value));
    } catch (err) {
      throw wrap(`cannot write attribute ${key}`, err);
    }
  }
}
