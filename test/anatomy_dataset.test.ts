import { existsSync, readdirSync, readFileSync, truncateSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateDataset } from '../lib/generators/anatomy3d/dataset.js';
import { openDataset } from '../lib/datasets/reader.js';
import { generateSample } from '../lib/generators/anatomy3d/index.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';

const imageSize: [number, number, number] = [16, 40, 32];

describe('anatomy datasets on disk', () => {
  const tmp = tempDir();
  const dir = path.join(tmp.dir, 'ds');
  beforeAll(async () => {
    await generateDataset({ outputDir: dir, imageSize, totalSamples: 12, validationSplit: 0.25, testSplit: 0.1, seed: 3, masks: 'both' });
  });
  afterAll(() => tmp.cleanup());

  it("writes the seed's layout and no temporary files", () => {
    expect(readdirSync(dir).sort()).toEqual(['metadata.json', 'test.h5', 'train.h5', 'val.h5']);
    const meta = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    expect(meta.structure_names).toHaveLength(13);
    expect(meta.image_size).toEqual(imageSize);
    expect(meta.generation_params).toMatchObject({ position_noise: 0.05, size_noise: 0.2, intensity_noise: 0.15 });
    expect(meta.splits).toEqual({
      train: { file: 'train.h5', count: 8, first_sample_index: 0 },
      val: { file: 'val.h5', count: 3, first_sample_index: 8 },
      test: { file: 'test.h5', count: 1, first_sample_index: 11 },
    });
    const total = meta.scenarios.reduce((s: number, sc: { counts: Record<string, number> }) => s + Object.values(sc.counts).reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(12);
  });

  it('reads back sample by sample, equal to generating that sample alone', async () => {
    const ds = await openDataset(dir, { split: 'val' });
    try {
      expect(ds.length).toBe(3);
      expect(ds.imageSize).toEqual(imageSize);
      const item = ds.get(1);
      expect(item.sampleIndex).toBe(9);
      const alone = await generateSample({ imageSize, seed: 3 }, 9, 'uint8');
      expect(Buffer.from(item.image.buffer, item.image.byteOffset, item.image.byteLength).equals(Buffer.from(alone.image.buffer))).toBe(true);
      expect(item.scenario).toBe(alone.scenario);
      expect([...item.presence]).toEqual([...alone.presence]);
      expect(Buffer.from(item.labels!).equals(Buffer.from(alone.labels))).toBe(true);
      // One-hot masks are the label map split by structure.
      const n = imageSize[0] * imageSize[1] * imageSize[2];
      for (let k = 0; k < 13; k++) {
        const m = item.masks!.subarray(k * n, (k + 1) * n);
        let wrong = 0;
        for (let v = 0; v < n; v++) if (m[v] !== (alone.labels[v] === k + 1 ? 1 : 0)) wrong++;
        expect(wrong, `structure ${k}`).toBe(0);
      }
    } finally {
      ds.close();
    }
  });

  it('iterates in batches and reports the class distribution', async () => {
    const ds = await openDataset(dir, { split: 'train', loadMasks: false, transform: (it) => it.scenario });
    try {
      const batches = [...ds.batches(3)];
      expect(batches.map((b) => b.length)).toEqual([3, 3, 2]);
      const all: string[] = [];
      for await (const s of ds) all.push(s);
      expect(all).toEqual(batches.flat());
      const dist = ds.classDistribution();
      expect(Object.keys(dist)).toHaveLength(13);
      for (const d of Object.values(dist)) expect(d.presenceRate).toBeGreaterThanOrEqual(0);
    } finally {
      ds.close();
    }
  });

  it("Debian's h5py reads the seed's dataset names, shapes and attributes", () => {
    const out = runPython(
      [
        'import h5py, json, sys',
        'f = h5py.File(sys.argv[1], "r")',
        'print(json.dumps({k: list(f[k].shape) for k in f.keys()}))',
        'print(json.dumps([s.decode() if isinstance(s, bytes) else s for s in f["scenarios"][:]]))',
        'print(json.dumps(list(f.attrs["structure_names"])))',
        'print(int(f["masks"][0].sum()), int((f["labels"][0] > 0).sum()), str(f["images"].dtype))',
      ].join('\n'),
      [path.join(dir, 'train.h5')],
      ['h5py'],
    ).trim().split('\n');
    expect(JSON.parse(out[0])).toEqual({
      images: [8, ...imageSize],
      labels: [8, ...imageSize],
      masks: [8, 13, ...imageSize],
      presence_labels: [8, 13],
      sample_index: [8],
      scenarios: [8],
    });
    expect(JSON.parse(out[1])).toHaveLength(8);
    expect(JSON.parse(out[2])[0]).toBe('left_lung');
    const [maskSum, labelled, dtype] = out[3].split(' ');
    expect(Number(maskSum)).toBe(Number(labelled));
    expect(dtype).toBe('uint8');
  });

  it('a truncated file gives INCOMPLETE_DATASET (or CORRUPT_FILE without recorded sizes), a missing split IO_ERROR', async () => {
    const broken = path.join(tmp.dir, 'broken');
    await generateDataset({ outputDir: broken, imageSize, totalSamples: 3, validationSplit: 0, testSplit: 0, seed: 1, masks: 'none' });
    expect(existsSync(path.join(broken, 'val.h5'))).toBe(false);
    await expect(openDataset(broken, { split: 'val' })).rejects.toMatchObject({ code: 'IO_ERROR' });
    copyFileSync(path.join(broken, 'train.h5'), path.join(broken, 'copy.h5'));
    truncateSync(path.join(broken, 'train.h5'), 1000);
    // metadata.json records each file's size, so truncation is caught before HDF5 opens it.
    await expect(openDataset(broken, { split: 'train' })).rejects.toMatchObject({ code: 'INCOMPLETE_DATASET' });
    const metaPath = path.join(broken, 'metadata.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    delete meta.file_bytes;
    writeFileSync(metaPath, JSON.stringify(meta));
    await expect(openDataset(broken, { split: 'train' })).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
  });

  it('refuses bad options before writing anything', async () => {
    const out = path.join(tmp.dir, 'never');
    await expect(generateDataset({ outputDir: out, totalSamples: 10, validationSplit: 0.6, testSplit: 0.4 })).rejects.toThrow(/below 1/);
    await expect(generateDataset({ outputDir: out, totalSamples: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generateDataset({ outputDir: out, imageSize: [8, 8, 8], masks: 'all' as never })).rejects.toThrow(/masks/);
    expect(existsSync(out)).toBe(false);
  });
});
