/**
 * `generate --dry-run`'s disk estimate against the bytes a real run of the same configuration
 * writes, uncompressed. The estimate counts the HDF5 chunks the probe samples' label maps would
 * allocate (lib/generators/anatomy3d/disk_estimate.ts); measured on 15 configurations it was
 * within 2.3% (32³ to 256×256×512, every dtype and mask form), so 5% here leaves room for
 * sample-to-sample variation without hiding a return of the old 1.4–3× undercount of the masks.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { generateDataset, type DatasetOptions } from '../lib/generators/anatomy3d/dataset.js';
import { planDatasetRun } from '../lib/generators/anatomy3d/dry_run.js';
import { tempDir } from './helpers/tmp.js';

const TOLERANCE = 0.05;

/** Bytes of every file in `dir` (the split files and metadata.json). */
const directoryBytes = (dir: string) => readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);

describe('generate --dry-run: the uncompressed disk estimate matches a real run', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  const configurations: Array<Omit<DatasetOptions, 'outputDir'>> = [
    // The probe is the sample itself: one-hot masks only, as written by default.
    { totalSamples: 8, imageSize: [32, 48, 40], dtype: 'uint8', masks: 'onehot', seed: 11 },
    // Odd sizes (edge chunks allocated whole), int16 images, label map and masks.
    { totalSamples: 6, imageSize: [48, 40, 56], dtype: 'int16', masks: 'both', seed: 12 },
    // Above the probe's 64³: boxes counted at a reduced size and scaled; float32 and the label map.
    { totalSamples: 3, imageSize: [96, 96, 80], dtype: 'float32', masks: 'labels', seed: 13 },
  ];

  it.each(configurations)('$imageSize, $dtype images, masks $masks', async (config) => {
    const outputDir = path.join(tmp.dir, `run-${(config.imageSize ?? []).join('x')}`);
    const options: DatasetOptions = { ...config, outputDir, threads: 1 };
    const plan = await planDatasetRun(options);
    expect(plan.compressionRatio).toBeUndefined();
    expect(plan.diskBytes).toBe(plan.rawBytes);
    await generateDataset(options);
    const written = directoryBytes(outputDir);
    expect(Math.abs(plan.rawBytes / written - 1), `estimate ${plan.rawBytes} vs ${written} bytes written`).toBeLessThan(TOLERANCE);
  });
});
