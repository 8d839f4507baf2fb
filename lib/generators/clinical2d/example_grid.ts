/**
 * The example figure of a ClinicalSynth dataset: one row per scanner; lesion cases at rising
 * density, then lesion-free cases at low and high density. Cases are found by scanning the
 * latents from index 0 (cheap: no images) and rendered by index, so every tile is exactly the
 * dataset's sample of that index. All tiles share one intensity window, so brightness and
 * contrast compare across tiles; a dashed ring marks each lesion from outside.
 */
import { encodePng } from '../../io/png.js';
import { RgbCanvas, type Rgb } from '../../preview/canvas.js';
import type { ClinicalSynth } from './synth.js';

export interface ExampleGridOptions {
  /** Tile edge in pixels (default 128). */
  tile?: number;
  /** Densities of the lesion columns (default 0.15, 0.4, 0.65, 0.9). */
  lesionDensities?: readonly number[];
  /** Densities of the lesion-free columns (default 0.2, 0.8). */
  normalDensities?: readonly number[];
  /** How far to scan for matching cases (default 500,000 indices, a few seconds at most). */
  searchLimit?: number;
}

export interface ExampleGrid {
  png: Buffer;
  /** [scanner][column] sample index, or -1 where no case was found within the search limit. */
  indices: number[][];
}

const DENSITY_TOLERANCE = 0.05;
const SCAN_BLOCK = 8192;
const TEXT: Rgb = [230, 230, 230];
const DIM: Rgb = [150, 150, 150];
const MARK: Rgb = [255, 200, 40];

/** Finds, per scanner, the first case of each wanted kind (lesion or not) and density. */
function findCases(synth: ClinicalSynth, lesion: readonly number[], normal: readonly number[], limit: number): number[][] {
  const wants = [...lesion.map((d) => ({ z: 1, d })), ...normal.map((d) => ({ z: 0, d }))];
  const found = synth.scanners.map(() => wants.map(() => -1));
  let missing = found.length * wants.length;
  for (let start = 0; start < limit && missing > 0; start += SCAN_BLOCK) {
    const { truth } = synth.sampleLatents(start, Math.min(SCAN_BLOCK, limit - start));
    for (let j = 0; j < truth.z.length && missing > 0; j++) {
      const row = found[truth.scanner[j]];
      wants.forEach((w, k) => {
        if (row[k] === -1 && truth.z[j] === w.z && Math.abs(truth.density[j] - w.d) <= DENSITY_TOLERANCE) {
          row[k] = truth.index[j];
          missing--;
        }
      });
    }
  }
  return found;
}

/** Box-filtered resample of an [h, w] image to [size, size] (aspect kept, centred). */
function resample(image: Float32Array, h: number, w: number, size: number): Float32Array {
  const out = new Float32Array(size * size).fill(NaN);
  const scale = Math.max(h, w) / size;
  const oh = Math.round(h / scale);
  const ow = Math.round(w / scale);
  const top = Math.floor((size - oh) / 2);
  const left = Math.floor((size - ow) / 2);
  for (let y = 0; y < oh; y++) {
    const y0 = Math.floor(y * scale);
    const y1 = Math.max(y0 + 1, Math.min(h, Math.floor((y + 1) * scale)));
    for (let x = 0; x < ow; x++) {
      const x0 = Math.floor(x * scale);
      const x1 = Math.max(x0 + 1, Math.min(w, Math.floor((x + 1) * scale)));
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += image[yy * w + xx];
      out[(top + y) * size + left + x] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

function percentile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

export async function clinicalExampleGrid(synth: ClinicalSynth, options: ExampleGridOptions = {}): Promise<ExampleGrid> {
  const tile = options.tile ?? 128;
  const lesion = options.lesionDensities ?? [0.15, 0.4, 0.65, 0.9];
  const normal = options.normalDensities ?? [0.2, 0.8];
  const indices = findCases(synth, lesion, normal, options.searchLimit ?? 500_000);
  const wanted = indices.flat().filter((i) => i >= 0);
  const batch = await synth.sampleIndices(wanted);
  const { H, W } = synth.config;
  const plane = H * W;

  const tiles = new Map<number, { pixels: Float32Array; row: number }>();
  wanted.forEach((index, row) => tiles.set(index, { pixels: resample(batch.images.subarray(row * plane, (row + 1) * plane), H, W, tile), row }));
  const all = Float32Array.from([...tiles.values()].flatMap((t) => [...t.pixels].filter((v) => !Number.isNaN(v))));
  all.sort();
  const lo = all.length ? percentile(all, 0.005) : 0;
  const hi = all.length ? percentile(all, 0.995) : 1;

  const gap = 6;
  const labelWidth = 70;
  const header = 34;
  const caption = 22;
  const columns = lesion.length + normal.length;
  const canvas = new RgbCanvas(labelWidth + columns * (tile + gap) + gap, header + synth.scanners.length * (tile + caption + gap) + 18, [16, 16, 20]);
  canvas.text(gap, 4, `ClinicalSynth ${H}x${W} seed ${synth.config.seed}: lesions at rising density, then no lesion`, TEXT);
  [...lesion.map((d) => `lesion d=${d}`), ...normal.map((d) => `no lesion d=${d}`)].forEach((s, k) =>
    canvas.text(labelWidth + gap + k * (tile + gap), 20, s, DIM),
  );
  canvas.text(gap, canvas.height - 12, `window (${lo.toFixed(2)}, ${hi.toFixed(2)}) shared by all tiles. ring: lesion (drawn outside it). d: density, c: contrast`, DIM);

  synth.scanners.forEach((name, s) => {
    const top = header + s * (tile + caption + gap);
    canvas.text(gap, top + tile / 2 - 8, `scanner ${name}`, TEXT);
    canvas.text(gap, top + tile / 2 + 4, `psf ${synth.config.device_blur[name]} px`, DIM);
    indices[s].forEach((index, k) => {
      const left = labelWidth + gap + k * (tile + gap);
      if (index < 0) {
        canvas.text(left + 4, top + tile / 2, 'none found', DIM);
        return;
      }
      const t = tiles.get(index)!;
      for (let y = 0; y < tile; y++) {
        for (let x = 0; x < tile; x++) {
          const v = t.pixels[y * tile + x];
          if (Number.isNaN(v)) continue;
          const g = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo || 1))));
          canvas.set(left + x, top + y, [g, g, g]);
        }
      }
      const tr = batch.truth;
      const j = t.row;
      if (tr.z[j]) {
        const scale = tile / Math.max(H, W);
        const offX = (tile - Math.round(W * scale)) / 2;
        const offY = (tile - Math.round(H * scale)) / 2;
        const ring = ((tr.size[j] / 2) * Math.sqrt(tr.elongation[j]) * 1.35 + 3) * scale + 3;
        for (let a = 0; a < 360; a += 6) {
          if ((a / 6) % 2) continue;
          for (const da of [0, 1, 2]) {
            const th = ((a + da) * Math.PI) / 180;
            canvas.set(Math.round(left + offX + (tr.lesionX[j] + 0.5) * scale + ring * Math.cos(th)), Math.round(top + offY + (tr.lesionY[j] + 0.5) * scale + ring * Math.sin(th)), MARK);
          }
        }
      }
      const info = tr.z[j] ? `${index} d=${tr.density[j].toFixed(2)} c=${tr.contrast[j].toFixed(2)}` : `${index} d=${tr.density[j].toFixed(2)}`;
      canvas.text(left, top + tile + 4, info, DIM);
    });
  });
  return { png: encodePng(canvas.pixels, canvas.width, canvas.height, 3), indices };
}
