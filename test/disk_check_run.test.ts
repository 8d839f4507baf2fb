/**
 * A run refuses up front exactly the runs `--dry-run` says will not fit: the run-time disk check
 * measures the same chunk counts (lib/generators/anatomy3d/disk_probe.ts) when the bound of every
 * chunk allocated exceeds the free space. On a real 8 MiB tmpfs: a run the dry run puts at ~1.3×
 * the free space is refused with INSUFFICIENT_DISK before any sample is written, no file left (the former,
 * volume-fraction estimate let it start), and one it puts at ~0.6× is written and fits.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { freeDiskBytes } from '../lib/core/resources.js';
import { datasetEstimate, generateDataset, resolveDatasetOptions, type DatasetOptions } from '../lib/generators/anatomy3d/dataset.js';
import { planDatasetRun } from '../lib/generators/anatomy3d/dry_run.js';
import { MedsynthError } from '../lib/errors.js';
import { tempDir } from './helpers/tmp.js';

/** Every file under `dir`, recursively, with its size. */
function files(dir: string): Array<[string, number]> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [[p, statSync(p).size] as [string, number]];
  });
}

describe('generate: the run-time disk check agrees with --dry-run', () => {
  const tmp = tempDir();
  const mnt = path.join(tmp.dir, 'tmpfs');
  afterAll(() => {
    spawnSync('umount', [mnt]);
    tmp.cleanup();
  });

  it('refuses before writing what the dry run says exceeds the free space, writes what fits', async (ctx) => {
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      console.log(`run-time disk check test skipped: cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})`);
      ctx.skip();
    }
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
});
