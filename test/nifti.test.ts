import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { centredOrigin, decodeNifti, encodeNifti, lpsAffine, readNifti, writeNifti } from '../lib/io/nifti.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';

const { dir, cleanup } = tempDir('medsynth-nifti-');
afterAll(cleanup);

function randomFloats(n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(-1000, 1000));
}

/** nibabel's view of files: shape, zooms, affine, axis codes, dtype and a few voxels (one Python start). */
function nibabelViews(files: string[], voxels: number[][]): Array<Record<string, unknown>> {
  const code = `
import json, sys
import numpy as np
import nibabel as nib
vox = json.loads(sys.argv[1])
def view(f):
  img = nib.load(f)
  a = np.asanyarray(img.dataobj)
  return {
  'shape': list(img.shape),
  'zooms': [float(z) for z in img.header.get_zooms()],
  'affine': img.affine.tolist(),
  'qform_code': int(img.header['qform_code']),
  'sform_code': int(img.header['sform_code']),
  'qform': img.get_qform().tolist(),
  'axcodes': list(nib.aff2axcodes(img.affine)),
  'dtype': str(img.get_data_dtype()),
  'values': [float(a[tuple(v)]) for v in vox],
  'sum': float(a.astype(np.float64).sum()),
  }
print(json.dumps([view(f) for f in sys.argv[2:]]))
`;
  return JSON.parse(runPython(code, [JSON.stringify(voxels), ...files], ['nibabel', 'numpy']));
}

describe('NIfTI-1 writer', () => {
  const dims = [5, 6, 7] as const; // Z, Y, X
  const spacing = [2.5, 0.8, 0.75] as const;
  const n = dims[0] * dims[1] * dims[2];
  const at = (z: number, y: number, x: number) => (z * dims[1] + y) * dims[2] + x;

  it('round-trips header and data through the TS reader', () => {
    const data = randomFloats(n, 1);
    const bytes = encodeNifti({ data, dims, spacing, description: 'pet SUV' });
    expect(bytes.length).toBe(352 + 4 * n);
    const back = decodeNifti(bytes);
    expect(back.dims).toEqual([...dims]);
    expect(back.spacing).toEqual([2.5, Math.fround(0.8), 0.75]);
    expect(back.datatype).toBe(16);
    expect(back.description).toBe('pet SUV');
    expect([...back.data]).toEqual([...data]);
    expect(back.sformCode).toBe(1);
    expect(back.qformCode).toBe(1);
    const expected = lpsAffine(spacing, centredOrigin(dims, spacing));
    back.affine.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[r][c], 5)));
  });

  it('nibabel reads shape, spacing, affine (LPS axes) and voxels of .nii.gz files', async () => {
    const ct = Int16Array.from(randomFloats(n, 2), (v) => Math.round(v));
    const seg = Uint8Array.from({ length: n }, (_, i) => i % 3);
    const pet = randomFloats(n, 3);
    const origin: [number, number, number] = [-100.5, 20, 300];
    const affine = lpsAffine(spacing, origin);
    await writeNifti(path.join(dir, 'ct.nii.gz'), { data: ct, dims, spacing, affine });
    await writeNifti(path.join(dir, 'seg.nii.gz'), { data: seg, dims, spacing, affine });
    await writeNifti(path.join(dir, 'pet.nii'), { data: pet, dims, spacing, affine });
    const voxels = [
      [0, 0, 0],
      [6, 5, 4],
      [3, 1, 2],
    ]; // (i, j, k) = (x, y, z)
    const files = [
      ['ct.nii.gz', ct, 'int16'],
      ['seg.nii.gz', seg, 'uint8'],
      ['pet.nii', pet, 'float32'],
    ] as const;
    const views = nibabelViews(files.map(([f]) => path.join(dir, f)), voxels);
    for (const [k, [, data, dtype]] of files.entries()) {
      const v = views[k];
      expect(v.shape).toEqual([7, 6, 5]);
      (v.zooms as number[]).forEach((z, i) => expect(z).toBeCloseTo([0.75, 0.8, 2.5][i], 6));
      expect(v.axcodes).toEqual(['L', 'P', 'S']);
      expect(v.dtype).toBe(dtype);
      expect(v.qform_code).toBe(1);
      expect(v.sform_code).toBe(1);
      for (const m of [v.affine, v.qform] as number[][][]) {
        m.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(affine[r][c], 4)));
      }
      // World position of voxel (i, j, k): RAS = (−(ox + i·sx), −(oy + j·sy), oz + k·sz).
      expect((v.affine as number[][])[0][3]).toBeCloseTo(100.5, 4);
      expect(v.values).toEqual(voxels.map(([i, j, k]) => data[at(k, j, i)]));
      expect(v.sum as number).toBeCloseTo([...data].reduce((a, b) => a + b, 0), 0);
    }
  });

  it('writes 2D images as NIfTI with two dimensions', async () => {
    const data = Uint8Array.from({ length: 6 * 7 }, (_, i) => i);
    const file = path.join(dir, 'slice.nii.gz');
    await writeNifti(file, { data, dims: [6, 7], spacing: [3, 0.8, 0.75] });
    const [v] = nibabelViews([file], [[6, 5]]);
    expect(v.shape).toEqual([7, 6]);
    expect(v.values).toEqual([data[5 * 7 + 6]]);
    const back = readNifti(file);
    expect(back.dims).toEqual([6, 7]);
    expect(back.spacing[0]).toBe(3);
  });

  it('writes the same bytes for the same input', async () => {
    const data = randomFloats(n, 4);
    await writeNifti(path.join(dir, 'a.nii.gz'), { data, dims, spacing });
    await writeNifti(path.join(dir, 'b.nii.gz'), { data, dims, spacing });
    expect(readFileSync(path.join(dir, 'a.nii.gz')).equals(readFileSync(path.join(dir, 'b.nii.gz')))).toBe(true);
  });

  it('rejects bad input with INVALID_ARGUMENT and leaves no file', async () => {
    const data = new Float32Array(n);
    const bad = path.join(dir, 'bad.nii.gz');
    const cases: Array<Parameters<typeof writeNifti>[1]> = [
      { data: new Float32Array(n - 1), dims, spacing },
      { data, dims: [5, 6, 7, 1], spacing },
      { data, dims: [5, 0, 7], spacing },
      { data, dims, spacing: [1, -1, 1] },
      { data, dims, spacing: [1, NaN, 1] },
      { data: [1, 2, 3] as unknown as Float32Array, dims: [1, 1, 3], spacing },
      { data, dims, spacing, affine: [[1, 0, 0, 0]] as never },
      { data, dims, spacing, description: 'x'.repeat(100) },
    ];
    for (const img of cases) await expect(writeNifti(bad, img)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(writeNifti(path.join(dir, 'x.img'), { data, dims, spacing })).rejects.toThrow(/\.nii/);
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports unreadable files as CORRUPT_FILE', () => {
    expect(() => decodeNifti(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
    const truncated = encodeNifti({ data: new Float32Array(n), dims, spacing }).subarray(0, 400);
    expect(() => decodeNifti(truncated)).toThrow(/shorter/);
    const file = path.join(dir, 'garbage.nii.gz');
    writeFileSync(file, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => readNifti(file)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  });
});
