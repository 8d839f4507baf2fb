import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { Rng } from '../../lib/core/philox.js';
import { MedsynthError } from '../../lib/errors.js';
import { applyAugmentation, resolveAugmentation, sampleAugmentation } from '../../lib/studies/petct/augment.js';
import { batchCount, epochOrder, petctBatches } from '../../lib/studies/petct/batches.js';
import { cohortPatient, loadPetCtVolumes, openPetCtCohort, type PetCtCohortPatient } from '../../lib/studies/petct/cohort.js';
import { chooseSlices, describeSliceOptions, loadSliceSet, resolveSliceOptions, sliceAt } from '../../lib/studies/petct/slices.js';
import { setThreads } from '../../lib/core/threads.js';
import { splitPatients } from '../../lib/studies/petct/split.js';
import { resizeMap } from '../../lib/ops/resample2d.js';
import { useSmallCohort } from '../helpers/petct_study.js';
import { referenceWarpAffine2d } from '../reference/resample2d.js';

const data = useSmallCohort('medsynth-petct-pipeline-', 6, 21);

const fakePatients = (n: number, eventEvery = 3): PetCtCohortPatient[] =>
  Array.from({ length: n }, (_, i) => ({ id: `p${String(i).padStart(3, '0')}`, time: i + 1, event: i % eventEvery === 0 ? 1 : 0, linearPredictor: 0, imageLinearPredictor: 0, clinical: null }));

describe('PET/CT study: cohort reader', () => {
  it('reads outcomes and the true linear predictor', () => {
    const c = openPetCtCohort(data.dir);
    expect(c.mode).toBe('3d');
    expect(c.patients).toHaveLength(6);
    for (const p of c.patients) {
      expect(p.event === 0 || p.event === 1).toBe(true);
      expect(Number.isFinite(p.linearPredictor)).toBe(true);
    }
  });

  it('a directory that is not a petct output, or an unknown patient: one-line MedsynthError', async () => {
    const bad = path.join(data.tmp, 'bad');
    mkdirSync(bad, { recursive: true });
    const oneLine = (f: () => unknown, re: RegExp) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(MedsynthError);
        expect((err as MedsynthError).code).toBe('INVALID_ARGUMENT');
        expect((err as Error).message).toMatch(re);
        expect((err as Error).message).not.toContain('\n');
        return;
      }
      throw new Error('expected an error');
    };
    oneLine(() => openPetCtCohort(bad), /not a medsynth petct output directory: no metadata.json/);
    oneLine(() => openPetCtCohort(path.join(data.tmp, 'absent')), /does not exist/);
    writeFileSync(path.join(bad, 'metadata.json'), JSON.stringify({ generator: 'medsynth anatomy' }));
    oneLine(() => openPetCtCohort(bad), /names generator "medsynth anatomy"/);
    writeFileSync(path.join(bad, 'metadata.json'), '{');
    oneLine(() => openPetCtCohort(bad), /metadata.json is not JSON/);
    writeFileSync(path.join(bad, 'metadata.json'), JSON.stringify({ generator: 'medsynth petct' }));
    writeFileSync(path.join(bad, 'clinical.csv'), 'patient_id,time_months,event\nx1,3,1\n');
    oneLine(() => openPetCtCohort(bad), /x1\/ct.nii.gz is missing/);
    const c = openPetCtCohort(data.dir);
    oneLine(() => cohortPatient(c, 'patient_0099'), /unknown patient 'patient_0099'/);
    await expect(loadPetCtVolumes(c, 'nobody')).rejects.toThrow(/unknown patient 'nobody'/);
    await expect(loadSliceSet(c, ['patient_0000', 'nobody'])).rejects.toThrow(/unknown patient 'nobody'/);
    await expect(loadSliceSet(c, ['patient_0000'], { size: [64, 64], maxBytes: 1000 })).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
  });
});

describe('PET/CT study: patient split', () => {
  it('is patient-level, complete, 70/30, stratified by event and seeded', () => {
    const patients = fakePatients(50);
    const s = splitPatients(patients, { seed: 7 });
    const train = new Set(s.train);
    const val = new Set(s.validation);
    expect(train.size + val.size).toBe(50);
    for (const id of val) expect(train.has(id)).toBe(false);
    expect(val.size).toBe(Math.round(0.3 * 17) + Math.round(0.3 * 33));
    const events = (ids: Set<string>) => patients.filter((p) => ids.has(p.id) && p.event === 1).length;
    expect(events(val)).toBe(Math.round(0.3 * 17));
    expect(splitPatients([...patients].reverse(), { seed: 7 })).toEqual(s);
    expect(splitPatients(patients, { seed: 8 }).validation).not.toEqual(s.validation);
    expect(() => splitPatients(patients.slice(0, 1))).toThrow(MedsynthError);
    expect(() => splitPatients(patients, { validationFraction: 1 })).toThrow(/validationFraction/);
  });

  it('no slice of a validation patient reaches the training batches', async () => {
    const c = openPetCtCohort(data.dir);
    const s = splitPatients(c.patients, { seed: 3 });
    const train = await loadSliceSet(c, s.train, { size: [64, 64], maxTumourSlices: 4 });
    const seen = new Set<string>();
    for await (const b of petctBatches(train, { batchSize: 3, shuffle: true, augmentation: {}, seed: 1, epoch: 2 })) b.patientIds.forEach((id) => seen.add(id));
    expect([...seen].sort()).toEqual([...s.train].sort());
    for (const id of s.validation) expect(seen.has(id)).toBe(false);
  });
});

describe('PET/CT study: slices, normalisation and resampling', () => {
  it('chooses tumour slices and the configured share of tumour-free ones', () => {
    const flags = Uint8Array.from({ length: 40 }, (_, z) => (z >= 10 && z < 20 ? 1 : 0));
    const r = chooseSlices(flags, { tumourFreeShare: 0.2, maxTumourSlices: 1e6 }, new Rng(1, 0, 0));
    expect(r.z.filter((_, k) => r.tumour[k])).toEqual(Array.from({ length: 10 }, (_, k) => 10 + k));
    expect(r.tumour.filter((t) => !t)).toHaveLength(Math.round(0.25 * 10));
    for (const [k, z] of r.z.entries()) expect(r.tumour[k]).toBe(flags[z] === 1);
    const capped = chooseSlices(flags, { tumourFreeShare: 0, maxTumourSlices: 4 }, new Rng(1, 0, 0));
    expect(capped.z).toEqual([11, 13, 16, 18]);
  });

  it('normalised, resampled slices match a float64 reference from the raw volumes', async () => {
    const c = openPetCtCohort(data.dir);
    const id = c.patients[2].id;
    const o = resolveSliceOptions({ size: [96, 80], tumourFreeShare: 0.3 });
    const set = await loadSliceSet(c, [id], o);
    const v = await loadPetCtVolumes(c, id);
    const [, Y, X] = v.dims;
    const plane = Y * X;
    const m = resizeMap([Y, X], [96, 80]);
    const p = set.patients[0];
    expect(p.hasTumour.some((t) => t === 0)).toBe(true);
    expect(p.hasTumour.some((t) => t === 1)).toBe(true);
    for (let s = 0; s < p.z.length; s++) {
      const z = p.z[s];
      const ct = Float64Array.from(v.ct.subarray(z * plane, (z + 1) * plane), (hu) => Math.min(Math.max((hu + 1000) / 2000, 0), 1));
      const pet = Float64Array.from(v.pet.subarray(z * plane, (z + 1) * plane), (suv) => Math.min(Math.max(suv, 0), 25) / 10);
      const seg = Float64Array.from(v.seg.subarray(z * plane, (z + 1) * plane), (l) => (l > 0 ? 1 : 0));
      const opts = { interpolation: 'linear' as const, padding: 'edge' as const, fill: 0 };
      const refCt = referenceWarpAffine2d(ct, 1, Y, X, 96, 80, m, opts);
      const refPet = referenceWarpAffine2d(pet, 1, Y, X, 96, 80, m, opts);
      const refMask = referenceWarpAffine2d(seg, 1, Y, X, 96, 80, m, { ...opts, threshold: 0.5 });
      const got = sliceAt(set, s);
      let worst = 0;
      for (let i = 0; i < 96 * 80; i++) {
        worst = Math.max(worst, Math.abs(got.image[i] - refCt[i]), Math.abs(got.image[96 * 80 + i] - refPet[i]));
      }
      expect(worst).toBeLessThan(1e-5);
      // The threshold may flip a pixel whose interpolant is within rounding of ½.
      let differ = 0;
      for (let i = 0; i < 96 * 80; i++) differ += got.mask[i] === refMask[i] ? 0 : 1;
      expect(differ).toBeLessThanOrEqual(2);
      expect(got.mask.some((x) => x === 1)).toBe(got.hasTumour);
    }
  });
});

describe('PET/CT study: pipeline reproducibility', () => {
  it('options survive a JSON round trip; slices are the same bytes on 1 and 2 threads', async () => {
    const o = resolveSliceOptions({ size: [40, 56], tumourFreeShare: 0.3, maxTumourSlices: 7, seed: 2n ** 63n, normalisation: { ct: { level: 40 } } });
    expect(resolveSliceOptions(JSON.parse(JSON.stringify(describeSliceOptions(o))))).toEqual(o);
    const c = openPetCtCohort(data.dir);
    const ids = [c.patients[0].id, c.patients[3].id];
    setThreads(1);
    const a = await loadSliceSet(c, ids, o);
    setThreads(2);
    const b = await loadSliceSet(c, ids, o);
    setThreads();
    a.patients.forEach((p, k) => {
      expect(Buffer.from(p.images.buffer, p.images.byteOffset, p.images.byteLength).equals(Buffer.from(b.patients[k].images.buffer, b.patients[k].images.byteOffset, b.patients[k].images.byteLength))).toBe(true);
      expect(p.masks).toEqual(b.patients[k].masks);
      expect(p.z).toEqual(b.patients[k].z);
    });
  });
});

describe('PET/CT study: augmentation and batches', () => {
  it('parameters are sampled apart from the deterministic apply; flips are exact', async () => {
    const c = resolveAugmentation({});
    const a = sampleAugmentation(c, new Rng(4, 10, 1));
    expect(sampleAugmentation(c, new Rng(4, 10, 1))).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(Math.abs(a.rotationDeg)).toBeLessThanOrEqual(15);
    const H = 32;
    const rng = new Rng(1, 0, 0);
    const image = Float32Array.from({ length: 2 * H * H }, () => rng.uniform());
    const mask = Float32Array.from({ length: H * H }, (_, i) => (i % H < 10 ? 1 : 0));
    const r1 = await applyAugmentation(image, mask, [H, H], a);
    const r2 = await applyAugmentation(image, mask, [H, H], a);
    expect(r1).toEqual(r2);
    const flip = { rotationDeg: 0, flipHorizontal: true, flipVertical: false, ct: { scale: 1, shift: 0.1 }, pet: { scale: 2 } };
    const f = await applyAugmentation(image, mask, [H, H], flip);
    expect(f.image[3 * H + 0]).toBeCloseTo(image[3 * H + H - 1] + 0.1, 6);
    expect(f.image[H * H + 3 * H + 0]).toBeCloseTo(2 * image[H * H + 3 * H + H - 1], 6);
    expect(f.mask[5 * H + H - 1]).toBe(1);
    expect(f.mask[5 * H]).toBe(0);
  });

  it('batches: shapes, outcomes of the slice\'s patient, seeded order and augmentation, validation untouched', async () => {
    const c = openPetCtCohort(data.dir);
    const ids = c.patients.map((p) => p.id);
    const set = await loadSliceSet(c, ids, { size: [48, 48], maxTumourSlices: 3, tumourFreeShare: 0.25 });
    const plane = 48 * 48;
    const run = async (opts: Parameters<typeof petctBatches>[1]) => {
      const out = [];
      for await (const b of petctBatches(set, opts)) out.push(b);
      return out;
    };
    const train = await run({ batchSize: 4, shuffle: true, augmentation: {}, seed: 5, epoch: 1 });
    expect(train).toHaveLength(batchCount(set, 4));
    expect(await run({ batchSize: 4, shuffle: true, augmentation: {}, seed: 5, epoch: 1 })).toEqual(train);
    const order = epochOrder(set, { shuffle: true, seed: 5, epoch: 1 });
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: set.count }, (_, i) => i));
    expect(epochOrder(set, { shuffle: true, seed: 5, epoch: 2 })).not.toEqual(order);
    // Round-robin: the first batch has distinct patients (6 patients, batch 4).
    expect(new Set(train[0].patientIds).size).toBe(4);
    for (const b of train) {
      expect(b.images.length).toBe(b.size * 2 * plane);
      expect(b.masks.length).toBe(b.size * plane);
      expect(b.augmentation).toHaveLength(b.size);
      b.patientIds.forEach((id, k) => {
        const p = cohortPatient(c, id);
        expect(b.time[k]).toBeCloseTo(p.time, 3);
        expect(b.event[k]).toBe(p.event);
      });
    }
    const val = await run({ batchSize: 5 });
    expect(val.every((b) => b.augmentation === null)).toBe(true);
    const first = sliceAt(set, 0);
    expect(val[0].images.subarray(0, 2 * plane)).toEqual(first.image);
    expect(val[0].masks.subarray(0, plane)).toEqual(first.mask);
    expect(val.reduce((n, b) => n + b.size, 0)).toBe(set.count);
  });
});
