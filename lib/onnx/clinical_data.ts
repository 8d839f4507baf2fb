/**
 * SimpleModel's inputs from a `medsynth clinical` output directory: the one ClinicalSynth HDF5
 * file in it (format 'medsynth-clinical2d'), read as images [n, 1, H, W], tabular [n, F] and
 * labels [n]. A directory without such a file, or with other tabular columns than the model was
 * trained on, is refused in one line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { openH5, type H5Dataset } from '../io/hdf5.js';

export interface ClinicalRows {
  file: string;
  n: number;
  height: number;
  width: number;
  columns: number;
  images: Float32Array;
  tabular: Float32Array;
  labels: Uint8Array;
}

export async function readClinicalDir(dir: string, expectedColumns: number): Promise<ClinicalRows> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new MedsynthError('INVALID_ARGUMENT', `--data-dir ${dir} is not a directory`);
  const candidates = readdirSync(dir).filter((f) => f.endsWith('.h5')).sort();
  for (const name of candidates) {
    const file = path.join(dir, name);
    const h5 = await openH5(file);
    try {
      const format = (h5.attrs as Record<string, { value: unknown }>).format?.value;
      if (format !== 'medsynth-clinical2d') continue;
      const images = h5.get('images') as H5Dataset;
      const tabular = h5.get('tabular') as H5Dataset;
      const labels = h5.get('y') as H5Dataset;
      const [n, height, width] = images.shape as number[];
      const columns = (tabular.shape as number[])[1];
      if (columns !== expectedColumns) {
        throw new MedsynthError('INVALID_ARGUMENT', `${file} has ${columns} tabular columns but the model takes x_tab with ${expectedColumns}`);
      }
      return {
        file, n, height, width, columns,
        images: Float32Array.from(images.value as ArrayLike<number>),
        tabular: Float32Array.from(tabular.value as ArrayLike<number>),
        labels: Uint8Array.from(labels.value as ArrayLike<number>),
      };
    } finally {
      h5.close();
    }
  }
  throw new MedsynthError('INVALID_ARGUMENT', `--data-dir ${dir} has no SimpleModel inputs (no 'medsynth clinical' HDF5 file with images, tabular and y)`);
}

/** Rows [start, end) as the model's feeds. */
export function clinicalFeeds(rows: ClinicalRows, start: number, end: number) {
  const { height: h, width: w, columns: f } = rows;
  return {
    x_img: { data: rows.images.slice(start * h * w, end * h * w), dims: [end - start, 1, h, w] },
    x_tab: { data: rows.tabular.slice(start * f, end * f), dims: [end - start, f] },
  };
}
