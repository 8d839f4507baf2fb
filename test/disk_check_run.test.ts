/**
 * A run refuses up front exactly the runs `--dry-run` says will not fit: when a cheap bound exceeds
 * the free space, the run-time disk check measures what the dry run reports (checkDiskMeasured in
 * lib/core/resources.ts). Anatomy: the same chunk counts (lib/generators/anatomy3d/disk_probe.ts). On a real 8 MiB tmpfs: a run the dry run puts at ~1.3×
 * the free space is refused with INSUFFICIENT_DISK before any sample is written, no file left (the former,
 * volume-fraction estimate let it start), and one it puts at ~0.6× is written and fits. PET/CT and
 * ClinicalSynth with gzip: runs whose uncompressed bytes exceed the free space but whose dry-run
 * (compressed) figure fits were refused; now they are written (32 MiB tmpfs), and fit.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';

import { freeDiskBytes } from '../lib/core/resources.js';
import { datasetEstimate, generateDataset, resolveDatasetOptions, type DatasetOptions } from '../lib/generators/anatomy3d/dataset.js';
import { planDatasetRun } from '../lib/generators/anatomy3d/dry_run.js';
import { writeClinicalDataset, type ClinicalWriteOptions } from '../lib/generators/clinical2d/dataset.js';
import { planClinicalRun } from '../lib/generators/clinical2d/dry_run.js';
import { ClinicalSynth } from '../lib/generators/clinical2d/synth.js';
import { generatePetCtDataset, type PetCtDatasetOptions } from '../lib/generators/petct/dataset.js';
import { planPetCtRun } from '../lib/generators/petct/dry_run.js';
import { MedsynthError } from '../lib/errors.js';
import { mountTmpfs, tempDir } from './helpers/tmp.js';

/** Every file under `dir`, recursively, with its size. */
function files(dir: string): Array<[string, number]> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [[p, statSync(p).size] as [string, number]];
  });
}

describe('the run-time disk check agrees with --dry-run', () => {
  const tmp = tempDir();
  const unmounts: Array<() => void> = [];
  afterAll(() => {
    for (const unmount of unmounts) unmount();
    tmp.cleanup();
  });

  /** A fresh tmpfs of `size`, or the test skipped with the reason. */
  function tmpfs(ctx: TestContext, name: string, size: string): string {
    const mounted = mountTmpfs(tmp.dir, name, size);
    if ('error' in mounted) {
      console.log(`run-time disk check test skipped: cannot mount a tmpfs here (${mounted.error})`);
      ctx.skip();
    }
    unmounts.push(mounted.unmount);
    return mounted.dir;
  }

  it('generate refuses before writing what the dry run says exceeds the free space, writes what fits', async (ctx) => {
    const mnt = tmpfs(ctx, 'anatomy', '8m');
    const free = freeDiskBytes(mnt)!;
    // One-hot masks at a small size: chunk rounding makes them several times the structures' voxels.
    const config = (totalSamples: number): DatasetOptions => ({ outputDir: path.join(mnt, 'ds'), imageSize: [32, 48, 40], dtype: 'uint8', masks: 'onehot', seed: 11, threads: 1, totalSamples });
    const perSample = (await planDatasetRun(config(64))).diskBytes / 64;
    const tooMany = Math.ceil((1.3 * free) / perSample);
    const plan = await planDatasetRun(config(tooMany));
    expect(plan.diskBytes).toBeGreaterThan(free);
    // The former estimate (masks from the structures' volume fraction) would have let it start.
    expect(datasetEstimate(resolveDatasetOptions(config(tooMany)), tooMany).diskBytes).toBeLessThan(free);

    const refused = await generateDataset(config(tooMany)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MedsynthError);
    expect((refused as MedsynthError).code).toBe('INSUFFICIENT_DISK');
    expect((refused as MedsynthError).message).toMatch(/needs about .* free/);
    expect(files(mnt)).toEqual([]);

    const fits = Math.floor((0.6 * free) / perSample);
    await generateDataset(config(fits));
    const written = files(mnt).reduce((a, [, size]) => a + size, 0);
    expect(written).toBeGreaterThan(0.5 * free);
    expect(written).toBeLessThan(free);
  }, 120_000);

  it('petct and clinical (gzip): runs that the dry run says fit are written even when their uncompressed bytes would not; the rest are refused', async (ctx) => {
    const mnt = tmpfs(ctx, 'gzip', '32m');
    const free = freeDiskBytes(mnt)!;

    // PET/CT (always gzip): the uncompressed bound refused these before.
    const petct = (patients: number): PetCtDatasetOptions => ({ outputDir: path.join(mnt, 'petct'), patients, imageSize: [48, 64, 64], preview: false, seed: 5 });
    const perPatient = (await planPetCtRun(petct(1))).diskBytes;
    const fits = Math.floor((0.88 * free) / perPatient);
    const fitting = await planPetCtRun(petct(fits));
    expect(fitting.rawBytes).toBeGreaterThan(free);
    expect(fitting.diskBytes).toBeLessThan(free);
    await generatePetCtDataset(petct(fits));
    expect(files(mnt).reduce((a, [, size]) => a + size, 0)).toBeLessThan(free);
    rmSync(path.join(mnt, 'petct'), { recursive: true });
    const refused = await generatePetCtDataset(petct(Math.ceil((1.3 * free) / perPatient))).catch((e: unknown) => e);
    expect((refused as MedsynthError).code).toBe('INSUFFICIENT_DISK');
    expect((refused as MedsynthError).message).toMatch(/needs about .* free/);
    expect(files(mnt)).toEqual([]);

    // ClinicalSynth with gzip: its images compress to ~0.88, a narrow window between the two figures.
    const synth = new ClinicalSynth({ H: 64, W: 64, seed: 3 });
    const clinical = (n: number): ClinicalWriteOptions => ({ outputDir: path.join(mnt, 'clinical'), n, gzipLevel: 6, csv: false });
    const plan = async (n: number) => planClinicalRun([{ name: 'clinical', synth, rows: { first: 0, count: n } }], { gzipLevel: 6, csv: false });
    const perRow = (await plan(1000)).diskBytes / 1000;
    const rows = Math.floor((0.93 * free) / perRow);
    const clinicalPlan = await plan(rows);
    expect(clinicalPlan.rawBytes).toBeGreaterThan(free);
    mkdirSync(path.join(mnt, 'clinical'));
    await writeClinicalDataset(synth, clinical(rows));
    expect(files(mnt).reduce((a, [, size]) => a + size, 0)).toBeLessThan(free);
  }, 120_000);
});
