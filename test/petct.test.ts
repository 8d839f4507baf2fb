import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { setThreads } from '../lib/core/threads.js';
import {
  PetCtRenderer,
  generatePetCtDataset,
  generatePetCtPatient,
  planSurvival,
  renderPetCtPatient,
  resolvePetCtOptions,
  type PetCtPatient,
} from '../lib/generators/petct/index.js';
import { readNifti } from '../lib/io/nifti.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir('medsynth-petct-');
afterAll(tmp.cleanup);
afterEach(() => setThreads());

/** Mean of `values` over voxels within `radius` voxels of `center` ([z, y, x]). */
function meanAround(values: ArrayLike<number>, dims: readonly number[], center: readonly number[], radius: number): number {
  const [Z, Y, X] = dims;
  let sum = 0;
  let n = 0;
  const c = center.map(Math.round);
  for (let z = Math.max(0, c[0] - radius); z <= Math.min(Z - 1, c[0] + radius); z++) {
    for (let y = Math.max(0, c[1] - radius); y <= Math.min(Y - 1, c[1] + radius); y++) {
      for (let x = Math.max(0, c[2] - radius); x <= Math.min(X - 1, c[2] + radius); x++) {
        sum += values[(z * Y + y) * X + x];
        n++;
      }
    }
  }
  return sum / n;
}

const count = (a: Uint8Array, label: number) => a.reduce((n, v) => n + (v === label ? 1 : 0), 0);

function organCenterVoxel(p: PetCtPatient, name: string): number[] {
  const s = p.params.anatomy.organs.find((o) => o.name === name)!.shape;
  if (s.type !== 'ellipsoid') throw new Error('ellipsoid expected');
  return s.center.map((v, a) => v / p.spacing[a] - 0.5);
}

describe('PET/CT generator: volumes', () => {
  it('renders CT in HU, PET in SUV and a tumour mask that matches the true volume', async () => {
    const o = resolvePetCtOptions({ seed: 5 });
    expect(o.imageSize).toEqual([96, 128, 128]);
    expect(o.spacing).toEqual([3.28125, 3.28125, 3.28125]);
    const renderer = new PetCtRenderer(o);
    const plan = planSurvival(o);
    let maskMl = 0;
    let trueMl = 0;
    for (const index of [0, 1, 2]) {
      const p = await renderPetCtPatient(renderer, plan, index);
      expect(p.ct).toBeInstanceOf(Int16Array);
      expect(p.pet).toBeInstanceOf(Float32Array);
      expect(p.ct.length).toBe(96 * 128 * 128);
      // Air in the corner, lung, liver (CT and PET), all within noise of the patient's values.
      expect(meanAround(p.ct, p.dims, [48, 2, 2], 2)).toBeCloseTo(-1000, -1);
      const lung = organCenterVoxel(p, 'left_lung');
      const farFromLesions = p.params.lesions.every((l) => Math.hypot(...l.centerMm.map((v, a) => v - (lung[a] + 0.5) * p.spacing[a])) > 30);
      if (farFromLesions) expect(Math.abs(meanAround(p.ct, p.dims, lung, 2) - p.params.tissues.left_lung.hu)).toBeLessThan(15);
      const liver = organCenterVoxel(p, 'liver');
      const liverSuv = p.params.tissues.liver.suv;
      expect(Math.abs(meanAround(p.pet, p.dims, liver, 2) / liverSuv - 1)).toBeLessThan(0.1);
      expect(Math.abs(meanAround(p.ct, p.dims, liver, 2) - p.params.tissues.liver.hu)).toBeLessThan(15);
      expect(meanAround(p.pet, p.dims, lung, 1)).toBeLessThan(1.2);
      // Mask: labels 0/1/2 only, one primary; its voxel volume approximates the true volume.
      expect(p.seg.every((v) => v <= 2)).toBe(true);
      expect(count(p.seg, 1)).toBeGreaterThan(0);
      expect(count(p.seg, 2) > 0).toBe(p.params.lesions.length > 1);
      const voxelMl = (p.spacing[0] * p.spacing[1] * p.spacing[2]) / 1000;
      maskMl += (count(p.seg, 1) + count(p.seg, 2)) * voxelMl;
      trueMl += p.params.latent.imaging.mtvMl;
      // The primary is hot: PET at its centre well above the liver.
      expect(meanAround(p.pet, p.dims, p.primaryVoxel, 0)).toBeGreaterThan(1.2 * liverSuv);
    }
    expect(Math.abs(maskMl / trueMl - 1)).toBeLessThan(0.1);
  });

  it('keeps the true SUVmax as the peak of the noise-free, unblurred activity', async () => {
    const o = { seed: 8, imageSize: [48, 64, 64], pet: { fwhmMm: 0, countDensity: 1e9 }, ct: { noiseSigmaHu: 0, blurFwhmMm: 0 } };
    for (const index of [0, 1, 2, 3]) {
      const p = await generatePetCtPatient(o, index);
      for (const [k, lesion] of p.params.lesions.entries()) {
        let peak = 0;
        for (let i = 0; i < p.seg.length; i++) if (p.seg[i] === lesion.label) peak = Math.max(peak, p.pet[i]);
        if (k === 0) {
          expect(peak).toBeLessThanOrEqual(lesion.suvMax * 1.001);
          expect(peak).toBeGreaterThan(0.5 * lesion.bodyFraction * lesion.suvMax);
        }
      }
    }
  });

  it('is deterministic: same seed, same bytes, on any thread count and in any order', async () => {
    const o = resolvePetCtOptions({ seed: 11, imageSize: [32, 48, 48] });
    const plan = planSurvival(o);
    setThreads(1);
    const a = await generatePetCtPatient({ seed: 11, imageSize: [32, 48, 48] }, 3);
    const aBytes = [Buffer.from(a.ct.buffer).toString('base64'), Buffer.from(a.pet.buffer).toString('base64'), Buffer.from(a.seg.buffer).toString('base64')];
    setThreads(2);
    const renderer = new PetCtRenderer(o);
    await renderPetCtPatient(renderer, plan, 7); // a different patient first: buffers are reused
    const b = await renderPetCtPatient(renderer, plan, 3);
    expect([Buffer.from(b.ct.buffer).toString('base64'), Buffer.from(b.pet.buffer).toString('base64'), Buffer.from(b.seg.buffer).toString('base64')]).toEqual(aBytes);
    expect(b.params).toEqual(a.params);
    const c = await generatePetCtPatient({ seed: 12, imageSize: [32, 48, 48] }, 3);
    expect(Buffer.from(c.pet.buffer).equals(Buffer.from(a.pet.buffer))).toBe(false);
  });

  it('rejects bad options with INVALID_ARGUMENT', async () => {
    const bad: unknown[] = [
      { imageSize: [64, 64] },
      { mode: '2d', imageSize: [4, 64, 64] },
      { imageSize: [32, 0, 32] },
      { imageSize: [32, 32.5, 32] },
      { spacing: [1, -1, 1] },
      { mode: '4d' },
      { seed: -1 },
      { pet: { fwhmMm: NaN } },
      { ct: { noiseSigmaHu: -3 } },
      { survival: { lambda: 0 } },
    ];
    for (const options of bad) {
      await expect(generatePetCtPatient(options as never, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await expect(generatePetCtPatient({}, -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('PET/CT generator: 2D slices', () => {
  it('writes 256×256 slices through the primary, whose tumour covers about 0.03–0.5% of the pixels', async () => {
    const o = resolvePetCtOptions({ mode: '2d', seed: 3 });
    expect(o.imageSize).toEqual([1, 256, 256]);
    const renderer = new PetCtRenderer(o);
    const plan = planSurvival(o);
    const fractions: number[] = [];
    for (let index = 0; index < 24; index++) {
      const p = await renderPetCtPatient(renderer, plan, index);
      expect(p.pet.length).toBe(256 * 256);
      expect(p.primaryVoxel[0]).toBeCloseTo(0, 9);
      fractions.push(count(p.seg, 1) / p.seg.length);
      expect(meanAround(p.pet, p.dims, p.primaryVoxel, 0)).toBeGreaterThan(1.5);
    }
    fractions.sort((a, b) => a - b);
    expect(fractions[0]).toBeGreaterThan(0.0002);
    expect(fractions[fractions.length - 1]).toBeLessThan(0.007);
    const median = fractions[fractions.length >> 1];
    expect(median).toBeGreaterThan(0.0003);
    expect(median).toBeLessThan(0.005);
  });
});

describe('PET/CT dataset files', () => {
  it('writes NIfTI files nibabel reads with the right shapes, spacing and affine, plus clinical tables and previews', async () => {
    const dir = path.join(tmp.dir, 'vol');
    const result = await generatePetCtDataset({ patients: 3, seed: 21, imageSize: [24, 32, 40], outputDir: dir });
    expect(result.patients).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(['clinical.csv', 'metadata.json', 'patient_0000', 'patient_0001', 'patient_0002', 'truth.csv']);
    expect(readdirSync(path.join(dir, 'patient_0001')).sort()).toEqual(['ct.nii.gz', 'pet.nii.gz', 'preview.png', 'seg.nii.gz', 'truth.json']);
    const clinical = readFileSync(path.join(dir, 'clinical.csv'), 'utf8').trim().split('\n');
    expect(clinical[0]).toBe('patient_id,age,sex,stage,time_months,event');
    expect(clinical).toHaveLength(4);
    const truth = readFileSync(path.join(dir, 'truth.csv'), 'utf8').trim().split('\n');
    expect(truth[0].startsWith('patient_id,linear_predictor,')).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    expect(meta.survival_model.beta.log_mtv).toBe(0.45);
    expect(meta.survival_model.censoring.target_fraction).toBe(0.3);

    // The files hold what the generator makes, and nibabel agrees on geometry.
    const o = resolvePetCtOptions({ seed: 21, imageSize: [24, 32, 40] });
    const p = await renderPetCtPatient(new PetCtRenderer(o), planSurvival(o), 1);
    const [time, event] = clinical[2].split(',').slice(4);
    expect(Number(event)).toBe(p.params.outcome.event);
    expect(Number(time)).toBeCloseTo(p.params.outcome.time, 3);
    const seg = readNifti(path.join(dir, 'patient_0001', 'seg.nii.gz'));
    expect(Buffer.from(seg.data.buffer, seg.data.byteOffset, seg.data.byteLength).equals(Buffer.from(p.seg.buffer))).toBe(true);
    expect([...readNifti(path.join(dir, 'patient_0001', 'pet.nii.gz')).data]).toEqual([...p.pet]);

    const code = `
import json, sys
import numpy as np
import nibabel as nib
out = []
for f in sys.argv[1:]:
    img = nib.load(f)
    a = np.asanyarray(img.dataobj)
    out.append({'shape': list(img.shape), 'zooms': [float(z) for z in img.header.get_zooms()], 'affine': img.affine.tolist(),
                'axcodes': list(nib.aff2axcodes(img.affine)), 'dtype': str(a.dtype), 'max': float(a.max()), 'min': float(a.min())})
print(json.dumps(out))
`;
    const files = ['ct', 'pet', 'seg'].map((m) => path.join(dir, 'patient_0001', `${m}.nii.gz`));
    const views = JSON.parse(runPython(code, files, ['nibabel', 'numpy']));
    const s = o.spacing;
    views.forEach((v: { shape: number[]; zooms: number[]; affine: number[][]; axcodes: string[]; dtype: string }, k: number) => {
      expect(v.shape).toEqual([40, 32, 24]);
      v.zooms.forEach((z, a) => expect(z).toBeCloseTo([s[2], s[1], s[0]][a], 4));
      expect(v.axcodes).toEqual(['L', 'P', 'S']);
      expect(v.dtype).toBe(['int16', 'float32', 'uint8'][k]);
      v.affine.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(p.affine[r][c], 3)));
    });
    // The FOV is centred on the world origin: the centre of the volume maps to (0, 0, 0).
    const centre = [(40 - 1) / 2, (32 - 1) / 2, (24 - 1) / 2, 1];
    const world = p.affine.map((row) => row.reduce((acc, x, c) => acc + x * centre[c], 0));
    world.slice(0, 3).forEach((w) => expect(w).toBeCloseTo(0, 6));
    expect(readFileSync(path.join(dir, 'patient_0000', 'preview.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('writes 2D slices as two-dimensional NIfTI', async () => {
    const dir = path.join(tmp.dir, 'slices');
    await generatePetCtDataset({ patients: 2, mode: '2d', imageSize: [64, 80], seed: 4, outputDir: dir, preview: false });
    expect(existsSync(path.join(dir, 'patient_0000', 'preview.png'))).toBe(false);
    const ct = readNifti(path.join(dir, 'patient_0000', 'ct.nii.gz'));
    expect(ct.dims).toEqual([64, 80]);
    expect(ct.spacing[1]).toBeCloseTo(420 / 64, 5);
    expect(ct.spacing[2]).toBeCloseTo(420 / 80, 5);
    expect(ct.spacing[0]).toBeCloseTo(Math.sqrt((420 / 64) * (420 / 80)), 5);
  });

  it('refuses bad dataset options before writing anything', async () => {
    const dir = path.join(tmp.dir, 'refused');
    await expect(generatePetCtDataset({ patients: 0, outputDir: dir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generatePetCtDataset({ patients: 2, outputDir: dir, gzipLevel: 11 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generatePetCtDataset({ patients: 2, outputDir: dir, survival: { censoringTarget: 0.01 } })).rejects.toThrow(/follow-up/);
    expect(existsSync(dir)).toBe(false);
  });
});
