/**
 * The 3D anatomy generator at the seed's four image sizes: generating one sample (native
 * rasterize → blur → bias → noise → cast) and writing it (HDF5 image + label map + sparse one-hot
 * masks), timed separately, plus the end-to-end default run (generate + write, pipelined).
 * The seed's own per-sample figures (its CPU prototype) are listed beside ours in the notes.
 * Generating is lib/bench/suites/generate.ts's case (what `medsynth bench --suite generate` times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { generateDataset } from '../../lib/generators/anatomy3d/dataset.js';
import { chunkShapes } from '../../lib/generators/anatomy3d/plan.js';
import { AnatomyRenderer } from '../../lib/generators/anatomy3d/render.js';
import { generateCase, SEED_SIZES, sizeKey } from '../../lib/bench/suites/generate.js';
import { resolveAnatomyOptions } from '../../lib/anatomy/options.js';
import { sampleAnatomyParams } from '../../lib/anatomy/sample_params.js';
import { createH5, createSampleDataset, type H5Dataset, type H5File } from '../../lib/io/hdf5.js';
import { labelBounds, labelMaskBox } from '../../lib/ops/labels.js';
import type { BenchCase, BenchSuite } from '../suite.js';

const key = sizeKey;
const DEFAULT_SIZE: [number, number, number] = [128, 128, 64];
const END_TO_END_SAMPLES = 16;

function writeCase(dims: [number, number, number]): BenchCase {
  const o = resolveAnatomyOptions({ imageSize: dims, seed: 42 });
  let dir = '';
  let file: H5File | undefined;
  let sets: { images: H5Dataset; labels: H5Dataset; masks: H5Dataset } | undefined;
  let renderer: AnatomyRenderer | undefined;
  let j = 0;
  const rows = 64;
  return {
    name: 'anatomy: write one sample (image+labels+masks)',
    size: key(dims),
    floorBytes: dims[0] * dims[1] * dims[2],
    setup: async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'medsynth-bench-'));
      file = await createH5(path.join(dir, 'bench.h5'));
      const chunks = chunkShapes(dims, 'uint8');
      const common = { count: rows, gzipLevel: 0 };
      sets = {
        images: createSampleDataset(file, { name: 'images', dtype: 'uint8', sampleShape: dims, chunks: chunks.image, ...common }),
        labels: createSampleDataset(file, { name: 'labels', dtype: 'uint8', sampleShape: dims, chunks: chunks.labels, ...common }),
        masks: createSampleDataset(file, { name: 'masks', dtype: 'uint8', sampleShape: [13, ...dims], chunks: chunks.masks, ...common }),
      };
      renderer = new AnatomyRenderer(o, 'uint8');
      await renderer.render(sampleAnatomyParams(o, 0));
    },
    run: async () => {
      const r = renderer!;
      const row = j++ % rows;
      sets!.images.write_slice([[row, row + 1]], r.image);
      sets!.labels.write_slice([[row, row + 1]], r.labels);
      const bounds = await labelBounds(r.labels, dims, 14);
      for (let k = 1; k < 14; k++) {
        const b = bounds[k];
        if (!b) continue;
        const mask = await labelMaskBox(r.labels, dims, b, k);
        sets!.masks.write_slice([[row, row + 1], [k - 1, k], [b[0], b[3]], [b[1], b[4]], [b[2], b[5]]], mask);
      }
    },
    teardown: () => {
      file?.close();
      rmSync(dir, { recursive: true, force: true });
      renderer = undefined;
    },
  };
}

function endToEndCase(dims: [number, number, number], samples: number): BenchCase {
  let dir = '';
  let run = 0;
  return {
    name: `anatomy: end-to-end default, ${samples} samples`,
    size: key(dims),
    floorBytes: 0,
    setup: () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'medsynth-bench-'));
    },
    run: async () => {
      await generateDataset({ outputDir: path.join(dir, `run${run++}`), imageSize: dims, totalSamples: samples });
    },
    teardown: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const suite: BenchSuite = {
  name: 'anatomy',
  cases: () => [
    ...SEED_SIZES.flatMap(([dims, seconds]) => [generateCase(dims, seconds), writeCase(dims)]),
    endToEndCase(DEFAULT_SIZE, END_TO_END_SAMPLES),
  ],
  summarize: (rows) => {
    const ms = (name: string, size: string) => rows.find((r) => r.name.startsWith(name) && r.size === size)?.nativeMs ?? NaN;
    const lines = [
      "Seconds per sample against seed 001's CPU prototype (its table: 0.1 / 0.5 / 2 / 8 s). Targets: generation ≥ 20× faster",
      'at every size, the end-to-end default run ≥ 5× faster.',
      '',
      '| size (Z×Y×X) | generate s | write s | seed s | generation speed-up |',
      '|---|---:|---:|---:|---:|',
    ];
    for (const [dims, seedSeconds] of SEED_SIZES) {
      const g = ms('anatomy: generate', key(dims)) / 1000;
      const w = ms('anatomy: write', key(dims)) / 1000;
      lines.push(`| ${key(dims)} | ${g.toFixed(4)} | ${w.toFixed(4)} | ${seedSeconds} | ${(seedSeconds / g).toFixed(0)}× |`);
    }
    const e2e = ms('anatomy: end-to-end', key(DEFAULT_SIZE)) / 1000 / END_TO_END_SAMPLES;
    lines.push('', `End-to-end default (${key(DEFAULT_SIZE)}, uint8, image + one-hot masks, ${END_TO_END_SAMPLES} samples, generation and writing pipelined): ` +
      `${e2e.toFixed(4)} s per sample, ${(0.5 / e2e).toFixed(0)}× faster than the seed's 0.5 s.`);
    return lines;
  },
};
