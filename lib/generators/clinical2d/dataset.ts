/**
 * Writing a ClinicalSynth dataset: <name>.h5 and <name>.csv, each complete or absent (written
 * under a temporary name, renamed at the end). Generation and writing overlap: while chunk k
 * goes to HDF5 (h5wasm, JS thread), chunk k + 1 is being rendered by the native pool.
 *
 * HDF5 layout (readable by h5py):
 *   images         [n, H, W] float32, chunked by whole images
 *   tabular        [n, F] float32, attribute `columns`
 *   y              [n] uint8, the observed labels
 *   sample_index   [n] uint32, the generator index of each row
 *   truth/         the hidden latents, one dataset each: z (uint8), pz, age, density (float64),
 *                  risk, scanner (uint8; attribute `scanner_names`), size, contrast, region_size,
 *                  region_contrast, lesion_x, lesion_y, elongation, orientation (float64; NaN where
 *                  they do not apply)
 *   attributes     format, format_version, config (JSON), columns, scanner_names, feature_formulas,
 *                  oracle (JSON report on this file's rows), intensity_units, axis_order, …
 * CSV: index, the tabular columns, y (no truth).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError, invalidParameter } from '../../errors.js';
import { checkDiskMeasured, checkMemory, type ResourceEstimate } from '../../core/resources.js';
import { planClinicalRun } from './dry_run.js';
import { writeAtomically } from '../../io/atomic.js';
import { createH5, createImageStack, setAttributes, writeSmallDataset, type H5Group } from '../../io/hdf5.js';
import { checkInteger } from '../../validate.js';
import { medsynthVersion } from '../../version.js';
import { describeClinicalConfig } from './config.js';
import type { ClinicalTruth } from './latents.js';
import { clinicalOracle, type ClinicalOracleReport } from './oracle.js';
import type { ClinicalBatch, ClinicalSynth } from './synth.js';

export interface ClinicalWriteOptions {
  outputDir: string;
  /** File stem: writes <name>.h5 and <name>.csv (default 'clinical'). */
  name?: string;
  /** Number of samples. */
  n: number;
  /** First sample index (default 0): rows are samples [start, start + n). */
  start?: number;
  /** Samples per generated chunk (default: about 32 MiB of images). */
  chunkSamples?: number;
  /** gzip level 1–9 for the images, or 0 (default) for none. */
  gzipLevel?: number;
  /** Write the CSV (default true). */
  csv?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ClinicalWriteResult {
  files: string[];
  n: number;
  /** Wall seconds, and the parts spent waiting for generation and writing. */
  seconds: number;
  generateSeconds: number;
  writeSeconds: number;
  oracle: ClinicalOracleReport;
}

/** Truth arrays in file order: HDF5 name → key of ClinicalTruth. */
export const TRUTH_FIELDS = [
  ['z', 'z'],
  ['pz', 'pz'],
  ['age', 'age'],
  ['density', 'density'],
  ['risk', 'risk'],
  ['scanner', 'scanner'],
  ['size', 'size'],
  ['contrast', 'contrast'],
  ['region_size', 'regionSize'],
  ['region_contrast', 'regionContrast'],
  ['lesion_x', 'lesionX'],
  ['lesion_y', 'lesionY'],
  ['elongation', 'elongation'],
  ['orientation', 'orientation'],
] as const;

type TypedRow = { set(values: ArrayLike<number>, offset: number): void };

const TARGET_CHUNK_BYTES = 32 * 2 ** 20;

export const FEATURE_FORMULAS = Object.freeze({
  area: 'pi*S^2/4 (px^2)',
  mean_contrast: 'C',
  edge_sharpness: 'C/(4*lesion_edge*(1+d))',
  texture_energy: 'C^2/(C^2+tau(d)^2), tau(d)=bg_base*sqrt(gland_gain^2*d*(1-d)+(tex_fine+tex_den*d)^2)',
  mean_intensity: 'bg_base*(1+gland_gain*d)+C',
  noise: 'each feature times exp(N(0, rad_sd^2)); (S, C) = lesion size/contrast if z=1, dense-tissue candidate if z=0',
});

/** A float32 value with 9 significant digits: enough to read back the same float32. */
function formatCsvValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)));
}

function csvRows(batch: ClinicalBatch): string {
  const F = batch.columns.length;
  const lines: string[] = [];
  for (let j = 0; j < batch.n; j++) {
    const cells = [String(batch.truth.index[j])];
    for (let k = 0; k < F; k++) cells.push(formatCsvValue(batch.tabular[j * F + k]));
    cells.push(String(batch.y[j]));
    lines.push(cells.join(','));
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Concatenated records of the whole file, filled chunk by chunk. */
class Collected {
  readonly tabular: Float32Array;
  readonly y: Uint8Array;
  readonly truth: ClinicalTruth;

  constructor(n: number, columns: number, scannerNames: string[]) {
    this.tabular = new Float32Array(n * columns);
    this.y = new Uint8Array(n);
    this.truth = {
      index: new Float64Array(n),
      z: new Uint8Array(n),
      pz: new Float64Array(n),
      age: new Float64Array(n),
      density: new Float64Array(n),
      risk: new Uint8Array(n),
      scanner: new Uint8Array(n),
      scannerNames,
      size: new Float64Array(n),
      contrast: new Float64Array(n),
      regionSize: new Float64Array(n),
      regionContrast: new Float64Array(n),
      lesionX: new Float64Array(n),
      lesionY: new Float64Array(n),
      elongation: new Float64Array(n),
      orientation: new Float64Array(n),
    };
  }

  add(row: number, batch: ClinicalBatch): void {
    this.tabular.set(batch.tabular, row * batch.columns.length);
    this.y.set(batch.y, row);
    this.truth.index.set(batch.truth.index, row);
    for (const [, key] of TRUTH_FIELDS) (this.truth[key] as TypedRow).set(batch.truth[key], row);
  }
}

/** Disk (uncompressed: the bound a run checks first) and memory a dataset of n samples needs. */
export function clinicalResourceEstimate(synth: ClinicalSynth, n: number, options: { csv?: boolean; chunkSamples?: number } = {}): ResourceEstimate {
  const imageBytes = synth.config.H * synth.config.W * 4;
  const chunk = options.chunkSamples ?? Math.max(1, Math.floor(TARGET_CHUNK_BYTES / imageBytes));
  // Per row: the image, the tabular row, y, the index and the truth values; the CSV ~12 bytes a cell.
  const recordBytes = synth.columns.length * 4 + 1 + 8 + TRUTH_FIELDS.length * 8;
  const perSample = imageBytes + recordBytes + ((options.csv ?? true) ? 12 * (synth.columns.length + 2) : 0);
  return { diskBytesPerSample: perSample, diskBytes: perSample * n, memoryBytes: 2 * Math.min(chunk, n) * imageBytes + n * recordBytes };
}

export async function writeClinicalDataset(synth: ClinicalSynth, options: ClinicalWriteOptions): Promise<ClinicalWriteResult> {
  if (typeof options?.outputDir !== 'string' || options.outputDir.length === 0) {
    throw invalidParameter('outputDir', 'a directory path', options?.outputDir);
  }
  const name = options.name ?? 'clinical';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name.startsWith('.')) throw invalidParameter('name', 'a file stem of letters, digits, _ . -', name);
  const start = checkInteger('start', options.start ?? 0, 0, 0xffffffff);
  const n = checkInteger('n', options.n, 1, 0x100000000 - start); // an empty dataset has no prevalence to report
  const { H, W } = synth.config;
  const imageBytes = H * W * 4;
  const chunk = checkInteger('chunkSamples', options.chunkSamples ?? Math.max(1, Math.floor(TARGET_CHUNK_BYTES / imageBytes)), 1, Math.floor(2 ** 31 / (H * W)));
  const gzipLevel = checkInteger('gzipLevel', options.gzipLevel ?? 0, 0, 9);
  const writeCsv = options.csv ?? true;

  const estimate = clinicalResourceEstimate(synth, n, { csv: writeCsv, chunkSamples: chunk });
  checkMemory('generating', estimate.memoryBytes);
  // When the uncompressed estimate does not fit, the dry run's (gzip measured) decides (the two agree).
  const rows = [{ name, synth, rows: { first: start, count: n } }];
  await checkDiskMeasured(estimate.diskBytes, n, options.outputDir, async () => (await planClinicalRun(rows, { gzipLevel, csv: writeCsv, chunkSamples: chunk })).diskBytes);

  const h5Path = path.join(options.outputDir, `${name}.h5`);
  const csvPath = path.join(options.outputDir, `${name}.csv`);
  const started = performance.now();
  let generateSeconds = 0;
  let writeSeconds = 0;
  const collected = new Collected(n, synth.columns.length, [...synth.scanners]);

  const write = async (h5Temp: string, csvTemp: string | null) => {
    const file = await createH5(h5Temp);
    const csv = csvTemp === null ? -1 : openSync(csvTemp, 'w');
    try {
      if (csv >= 0) writeSync(csv, ['index', ...synth.columns, 'y'].join(',') + '\n');
      const images = createImageStack(file, 'images', n, H, W, gzipLevel);
      // A chunk is requested before the previous one is written; should writing fail, its
      // rejection is already handled here (and still reaches the await if there is one).
      const request = (first: number) => {
        const p = synth.sampleRange(start + first, Math.min(chunk, n - first));
        p.catch(() => undefined);
        return p;
      };
      let next = n > 0 ? request(0) : undefined;
      for (let done = 0; done < n; ) {
        let t = performance.now();
        const batch = await next!;
        generateSeconds += (performance.now() - t) / 1000;
        const following = done + batch.n;
        next = following < n ? request(following) : undefined;
        t = performance.now();
        images.write_slice([[done, following]], batch.images);
        if (csv >= 0) writeSync(csv, csvRows(batch));
        collected.add(done, batch);
        writeSeconds += (performance.now() - t) / 1000;
        done = following;
        options.onProgress?.(done, n);
      }
      const t = performance.now();
      const oracle = clinicalOracle(synth.config, collected.truth, collected.y);
      const tabular = writeSmallDataset(file, 'tabular', collected.tabular, [n, synth.columns.length], 'float32');
      setAttributes(tabular, { columns: [...synth.columns] });
      writeSmallDataset(file, 'y', collected.y, [n], 'uint8');
      writeSmallDataset(file, 'sample_index', Uint32Array.from(collected.truth.index), [n], 'uint32');
      const truth = file.create_group('truth') as H5Group | null;
      if (!truth) throw new MedsynthError('IO_ERROR', `cannot create group truth/ in ${h5Path}`);
      for (const [field, key] of TRUTH_FIELDS) {
        const values = collected.truth[key];
        const ds = writeSmallDataset(truth, field, values, [n], values instanceof Uint8Array ? 'uint8' : 'float64');
        if (field === 'scanner') setAttributes(ds, { scanner_names: [...synth.scanners] });
      }
      setAttributes(truth, { description: 'hidden latents: not model inputs', scanner_names: [...synth.scanners] });
      setAttributes(file, {
        format: 'medsynth-clinical2d',
        format_version: 1,
        medsynth_version: medsynthVersion(),
        config: JSON.stringify(describeClinicalConfig(synth.config)),
        seed: synth.config.seed,
        first_sample_index: start,
        n_samples: n,
        image_size: [H, W],
        axis_order: 'NYX',
        intensity_units: 'arbitrary (fat ~ bg_base, dense tissue ~ bg_base*(1+gland_gain), lesions add their contrast)',
        columns: [...synth.columns],
        scanner_names: [...synth.scanners],
        feature_formulas: JSON.stringify(FEATURE_FORMULAS),
        oracle: JSON.stringify(oracle),
      });
      writeSeconds += (performance.now() - t) / 1000;
      return oracle;
    } finally {
      file.close();
      if (csv >= 0) closeSync(csv);
    }
  };

  const oracle = await writeAtomically(h5Path, (h5Temp) =>
    writeCsv ? writeAtomically(csvPath, (csvTemp) => write(h5Temp, csvTemp)) : write(h5Temp, null),
  );
  return {
    files: writeCsv ? [h5Path, csvPath] : [h5Path],
    n,
    seconds: (performance.now() - started) / 1000,
    generateSeconds,
    writeSeconds,
    oracle,
  };
}
