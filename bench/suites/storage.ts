/**
 * Storage choices for anatomy datasets at 256×512×512: generating one sample, then writing it
 * (image + sparse one-hot masks, optionally the label map) with no compression and with h5wasm's
 * deflate at levels 1 and 4, for uint8 and float32 images, next to a raw fs.writeSync of the
 * image's bytes (the file system's own floor). The summary records the bytes each setting stores.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { generateDataset, type DatasetResult } from '../../lib/generators/anatomy3d/dataset.js';
import { chunkShapes, maskWriteBlock } from '../../lib/generators/anatomy3d/plan.js';
import type { ImageDtype } from '../../lib/generators/anatomy3d/image.js';
import { AnatomyRenderer } from '../../lib/generators/anatomy3d/render.js';
import { resolveAnatomyOptions } from '../../lib/anatomy/options.js';
import { sampleAnatomyParams } from '../../lib/anatomy/sample_params.js';
import { createH5, createSampleDataset, type H5File } from '../../lib/io/hdf5.js';
import { writeOneHotMasks } from '../../lib/generators/anatomy3d/mask_writer.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

const DIMS: [number, number, number] = [256, 512, 512];
const ROWS = 64; // more rows than iterations: no row is rewritten, so file size / rows is honest
const sizes: string[] = [];

function storageCase(dtype: ImageDtype, gzipLevel: number, maskForms: 'onehot' | 'both'): BenchCase {
  const o = resolveAnatomyOptions({ imageSize: DIMS, seed: 42 });
  let dir = '';
  let file: H5File | undefined;
  let renderer: AnatomyRenderer | undefined;
  let write: (() => Promise<void>) | undefined;
  let row = 0;
  const label = `${dtype}, masks ${maskForms}, ${gzipLevel ? `gzip ${gzipLevel}` : 'no compression'}`;
  return {
    name: `write (${label})`,
    size: DIMS.join('×'),
    floorBytes: DIMS[0] * DIMS[1] * DIMS[2] * (dtype === 'float32' ? 4 : 1),
    setup: async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'medsynth-storage-'));
      file = await createH5(path.join(dir, 's.h5'));
      const chunks = chunkShapes(DIMS, dtype);
      const common = { count: ROWS, gzipLevel };
      const images = createSampleDataset(file, { name: 'images', dtype, sampleShape: DIMS, chunks: chunks.image, ...common });
      const labels = maskForms === 'both'
        ? createSampleDataset(file, { name: 'labels', dtype: 'uint8', sampleShape: DIMS, chunks: chunks.labels, ...common })
        : undefined;
      const masks = createSampleDataset(file, { name: 'masks', dtype: 'uint8', sampleShape: [13, ...DIMS], chunks: chunks.masks, ...common });
      renderer = new AnatomyRenderer(o, dtype);
      await renderer.render(sampleAnatomyParams(o, 0));
      write = async () => {
        const r = renderer!;
        const j = row++ % ROWS;
        images.write_slice([[j, j + 1]], r.image);
        labels?.write_slice([[j, j + 1]], r.labels);
        await writeOneHotMasks(masks, j, r.labels, DIMS, 13, maskWriteBlock(DIMS, dtype));
      };
    },
    run: () => write!(),
    teardown: () => {
      file?.close();
      const bytes = statSync(path.join(dir, 's.h5')).size / Math.min(row, ROWS);
      sizes.push(`- ${label}: ${(bytes / 2 ** 20).toFixed(1)} MiB stored per 256×512×512 sample`);
      rmSync(dir, { recursive: true, force: true });
      renderer = undefined;
    },
  };
}

/** Generating the sample that the write cases store: the time writing must not exceed. */
function generateCase(): BenchCase {
  const o = resolveAnatomyOptions({ imageSize: DIMS, seed: 42 });
  let renderer: AnatomyRenderer | undefined;
  let i = 0;
  return {
    name: 'generate one sample (uint8)',
    size: DIMS.join('×'),
    floorBytes: DIMS[0] * DIMS[1] * DIMS[2],
    setup: async () => {
      renderer = new AnatomyRenderer(o, 'uint8');
      await renderer.render(sampleAnatomyParams(o, 0));
    },
    run: () => renderer!.render(sampleAnatomyParams(o, i++ % 16)),
    teardown: () => {
      renderer = undefined;
    },
  };
}

/** The file system's own floor: writing the image's bytes to a new file with fs.writeSync. */
function rawWriteCase(): BenchCase {
  const bytes = DIMS[0] * DIMS[1] * DIMS[2];
  let dir = '';
  let data: Uint8Array | undefined;
  let k = 0;
  return {
    name: 'raw file write of the uint8 image (fs.writeSync)',
    size: DIMS.join('×'),
    floorBytes: bytes,
    setup: () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'medsynth-raw-'));
      data = new Uint8Array(bytes).fill(7);
    },
    run: () => writeFileSync(path.join(dir, `raw${k++}.bin`), data!),
    teardown: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const PIPELINE_SAMPLES = 8;
const PIPELINE_NAME = `generateDataset, ${PIPELINE_SAMPLES} samples (generate and write pipelined, defaults)`;

let lastPipeline: DatasetResult | undefined;

/** The real job: generateDataset with the default storage, generation overlapped with writing. */
function pipelineCase(): BenchCase {
  let dir = '';
  let k = 0;
  return {
    name: PIPELINE_NAME,
    size: DIMS.join('×'),
    floorBytes: 0,
    setup: () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'medsynth-pipeline-'));
    },
    run: async () => {
      lastPipeline = await generateDataset({
        outputDir: path.join(dir, `d${k++}`), imageSize: DIMS, totalSamples: PIPELINE_SAMPLES, validationSplit: 0, testSplit: 0,
        seed: 42,
      });
    },
    teardown: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function perSampleLines(rows: readonly BenchRow[]): string[] {
  const ms = (name: string) => rows.find((r) => r.name === name)?.nativeMs;
  const generate = ms('generate one sample (uint8)');
  const write = ms('write (uint8, masks onehot, no compression)');
  const pipeline = ms(PIPELINE_NAME);
  if (generate === undefined || write === undefined || pipeline === undefined) return [];
  return [
    'Default settings at 256×512×512, per sample:',
    '',
    `- generate ${generate.toFixed(0)} ms, write ${write.toFixed(0)} ms (write / generate = ${(write / generate).toFixed(2)})`,
    `- pipelined end to end: ${(pipeline / PIPELINE_SAMPLES).toFixed(0)} ms per sample` +
      (lastPipeline
        ? `; in its last run the writer spent ${((lastPipeline.writeSeconds * 1000) / PIPELINE_SAMPLES).toFixed(0)} ms per sample ` +
          `writing and ${((lastPipeline.generateSeconds * 1000) / PIPELINE_SAMPLES).toFixed(0)} ms waiting for the generator`
        : ''),
    '',
  ];
}

export const suite: BenchSuite = {
  name: 'storage',
  cases: () => [
    generateCase(),
    rawWriteCase(),
    storageCase('uint8', 0, 'onehot'),
    storageCase('uint8', 0, 'both'),
    storageCase('uint8', 1, 'onehot'),
    storageCase('uint8', 4, 'onehot'),
    storageCase('float32', 0, 'onehot'),
    pipelineCase(),
  ],
  summarize: (rows) => [...perSampleLines(rows), 'Bytes stored per sample for each setting:', '', ...sizes],
};
