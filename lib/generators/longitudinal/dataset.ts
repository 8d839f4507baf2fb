/**
 * Writing a longitudinal dataset into one folder; each file is complete or absent (written under
 * a temporary name, renamed at the end):
 *   images.h5         images [n, H, W] float32 (baseline B-scan per subject), subject [n] uint32,
 *                     z [n, D] float64, theta [n, P] float64, factors [n, F] float64 (attribute
 *                     `columns`; absent for a learned decoder); attributes: format, decoder and
 *                     model descriptions (JSON), seed, axis_order, intensity_units
 *   followup.csv      long format: subject, visit, time, value, age (one row per observed visit)
 *   subjects.csv      wide truth: subject, z0…, theta…, g_theta… (fixed part), eta_theta…
 *                     (random effects), age0, visits_observed, dropped_before_visit (empty when
 *                     completed), then the decoder's image factors
 *   metadata.json     the model's equations and parameters, the latent → image map, the files
 *   preview.png, latent_traversal.png   (preview.ts)
 * Subject i depends only on (seed, i): the same seed gives the same bytes on any thread count.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

import { checkResources, type ResourceEstimate } from '../../core/resources.js';
import { invalidParameter } from '../../errors.js';
import { writeAtomically, writeFileAtomicSync } from '../../io/atomic.js';
import { createH5, createImageStack, setAttributes, writeSmallDataset } from '../../io/hdf5.js';
import { checkInteger } from '../../validate.js';
import { medsynthVersion } from '../../version.js';
import type { LatentImageDecoder } from './decoder.js';
import type { NlmeModel, NlmeSubject } from './nlme.js';
import { latentTraversalPng, longitudinalPreviewPng } from './preview.js';

export interface LongitudinalWriteOptions {
  outputDir: string;
  n: number;
  /** Subjects per rendered chunk (default: about 32 MiB of images). */
  chunkSubjects?: number;
  gzipLevel?: number;
  preview?: boolean;
  /** Latent dimensions of the traversal figure (default 0, 1, 2, 3); null: no figure. */
  traversalDims?: readonly number[] | null;
  onProgress?: (done: number, total: number) => void;
}

export interface LongitudinalWriteResult {
  files: string[];
  n: number;
  visitsObserved: number;
  seconds: number;
}

const TARGET_CHUNK_BYTES = 32 * 2 ** 20;

/** Shortest text that reads back the same double. */
const num = (v: number) => String(v);

export function longitudinalResourceEstimate(model: NlmeModel, decoder: LatentImageDecoder, n: number, chunk: number): ResourceEstimate {
  const imageBytes = decoder.height * decoder.width * 4;
  const K = model.config.times.length;
  // Per subject: its image, ~60 bytes per follow-up row, ~25 bytes per truth cell.
  const perSample = imageBytes + 60 * K + 25 * (decoder.latentDim + 3 * model.params + decoder.factorColumns.length + 4);
  return { diskBytesPerSample: perSample, diskBytes: perSample * n, memoryBytes: 2 * Math.min(chunk, n) * imageBytes + n * 8 * (decoder.latentDim + model.params + decoder.factorColumns.length) };
}

function longRows(s: NlmeSubject): string {
  let text = '';
  for (let j = 0; j < s.observed; j++) text += `${s.subject},${j},${num(s.times[j])},${num(s.values[j])},${num(s.age0 + s.times[j])}\n`;
  return text;
}

function wideRow(s: NlmeSubject, factors: ArrayLike<number>): string {
  const cells = [String(s.subject), ...Array.from(s.z, num), ...Array.from(s.theta, num), ...Array.from(s.g, num), ...Array.from(s.eta, num)];
  cells.push(num(s.age0), String(s.observed), s.observed < s.times.length ? String(s.observed) : '');
  for (let k = 0; k < factors.length; k++) cells.push(num(factors[k]));
  return cells.join(',') + '\n';
}

export async function writeLongitudinalDataset(model: NlmeModel, decoder: LatentImageDecoder, options: LongitudinalWriteOptions): Promise<LongitudinalWriteResult> {
  if (typeof options?.outputDir !== 'string' || options.outputDir.length === 0) throw invalidParameter('outputDir', 'a directory path', options?.outputDir);
  if (decoder.latentDim < 1) throw invalidParameter('decoder.latentDim', 'at least 1', decoder.latentDim);
  const n = checkInteger('n', options.n, 1, 0xffffffff);
  const { height: H, width: W } = decoder;
  const imageBytes = H * W * 4;
  const chunk = checkInteger('chunkSubjects', options.chunkSubjects ?? Math.max(1, Math.floor(TARGET_CHUNK_BYTES / imageBytes)), 1, Math.floor(2 ** 31 / (H * W)));
  const gzipLevel = checkInteger('gzipLevel', options.gzipLevel ?? 0, 0, 9);
  checkResources(longitudinalResourceEstimate(model, decoder, n, chunk), options.outputDir);
  const started = performance.now();

  const D = decoder.latentDim;
  const P = model.params;
  const F = decoder.factorColumns.length;
  const names = model.config.model.params;
  const dir = options.outputDir;
  const h5Path = path.join(dir, 'images.h5');
  const longPath = path.join(dir, 'followup.csv');
  const widePath = path.join(dir, 'subjects.csv');
  const zAll = new Float64Array(n * D);
  const thetaAll = new Float64Array(n * P);
  const factorAll = new Float64Array(n * F);
  let visitsObserved = 0;

  const write = async (h5Temp: string, longTemp: string, wideTemp: string) => {
    const file = await createH5(h5Temp);
    const longFd = openSync(longTemp, 'w');
    const wideFd = openSync(wideTemp, 'w');
    try {
      writeSync(longFd, 'subject,visit,time,value,age\n');
      const zCols = Array.from({ length: D }, (_, k) => `z${k}`);
      writeSync(wideFd, ['subject', ...zCols, ...names, ...names.map((p) => `g_${p}`), ...names.map((p) => `eta_${p}`), 'age0', 'visits_observed', 'dropped_before_visit', ...decoder.factorColumns].join(',') + '\n');
      const images = createImageStack(file, 'images', n, H, W, gzipLevel);
      // Chunk k + 1 is simulated and rendered (native pool) while chunk k is written.
      const request = (first: number) => {
        const subjects = Array.from({ length: Math.min(chunk, n - first) }, (_, k) => model.subject(first + k));
        const z = new Float64Array(subjects.length * D);
        subjects.forEach((s, k) => z.set(s.z.subarray(0, D), k * D));
        const p = decoder.decode(z, subjects.map((s) => s.subject)).then((decoded) => ({ subjects, z, ...decoded }));
        p.catch(() => undefined);
        return p;
      };
      let next = request(0);
      for (let done = 0; done < n; ) {
        const batch = await next;
        const following = done + batch.subjects.length;
        if (following < n) next = request(following);
        images.write_slice([[done, following]], batch.images);
        zAll.set(batch.z, done * D);
        factorAll.set(batch.factors, done * F);
        let longText = '';
        let wideText = '';
        batch.subjects.forEach((s, k) => {
          thetaAll.set(s.theta, (done + k) * P);
          visitsObserved += s.observed;
          longText += longRows(s);
          wideText += wideRow(s, batch.factors.subarray(k * F, (k + 1) * F));
        });
        writeSync(longFd, longText);
        writeSync(wideFd, wideText);
        done = following;
        options.onProgress?.(done, n);
      }
      writeSmallDataset(file, 'subject', Uint32Array.from({ length: n }, (_, i) => i), [n], 'uint32');
      writeSmallDataset(file, 'z', zAll, [n, D], 'float64');
      setAttributes(writeSmallDataset(file, 'theta', thetaAll, [n, P], 'float64'), { columns: [...names] });
      if (F > 0) setAttributes(writeSmallDataset(file, 'factors', factorAll, [n, F], 'float64'), { columns: [...decoder.factorColumns] });
      setAttributes(file, {
        format: 'medsynth-longitudinal',
        format_version: 1,
        medsynth_version: medsynthVersion(),
        seed: model.config.seed,
        n_subjects: n,
        image_size: [H, W],
        axis_order: 'NYX (depth y down, lateral x)',
        intensity_units: 'arbitrary OCT reflectivity',
        image_decoder: JSON.stringify(decoder.describe()),
        nlme: JSON.stringify(model.describe()),
      });
    } finally {
      file.close();
      closeSync(longFd);
      closeSync(wideFd);
    }
  };
  await writeAtomically(h5Path, (h5Temp) => writeAtomically(longPath, (longTemp) => writeAtomically(widePath, (wideTemp) => write(h5Temp, longTemp, wideTemp))));
  const files = [h5Path, longPath, widePath];

  if (options.preview ?? true) {
    const p = path.join(dir, 'preview.png');
    writeFileAtomicSync(p, await longitudinalPreviewPng(model, decoder, n));
    files.push(p);
  }
  const traversal = options.traversalDims === undefined ? [0, 1, 2, 3] : options.traversalDims;
  if (traversal !== null) {
    const p = path.join(dir, 'latent_traversal.png');
    writeFileAtomicSync(p, await latentTraversalPng(decoder, { dims: traversal }));
    files.push(p);
  }
  const metaPath = path.join(dir, 'metadata.json');
  const metadata = {
    format: 'medsynth-longitudinal',
    format_version: 1,
    medsynth_version: medsynthVersion(),
    seed: model.config.seed,
    n_subjects: n,
    visits_scheduled: model.config.times.length,
    visits_observed: visitsObserved,
    nlme: model.describe(),
    image_decoder: decoder.describe(),
    files: {
      'images.h5': 'images [n,H,W] float32 (baseline B-scan), subject [n], z [n,D], theta [n,P], factors [n,F] (attribute columns)',
      'followup.csv': 'long format: subject, visit, time (years), value, age (years) — one row per observed visit',
      'subjects.csv': 'wide truth per subject: z, theta, g_theta (fixed part g(z)), eta_theta (random effects), age0, visits_observed, dropped_before_visit, image factors',
      'preview.png': 'baseline images beside their trajectories',
      'latent_traversal.png': 'latent dimensions x 7 values (centre column z = 0)',
    },
  };
  writeFileAtomicSync(metaPath, JSON.stringify(metadata, null, 2) + '\n');
  files.push(metaPath);
  return { files, n, visitsObserved, seconds: (performance.now() - started) / 1000 };
}
