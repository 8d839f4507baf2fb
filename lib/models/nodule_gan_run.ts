/**
 * Training the 3D WGAN-GP on procedural malignant nodules and sampling from it: the data (HU
 * windowed [-1000, 400] → [-1, 1], the seed's window), the epoch loop with checkpoints every N
 * epochs, a CSV log with the Fréchet distance on radiomics features against the real-vs-real
 * baseline, a PNG grid of samples, and a `NoduleSource` over a trained generator.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { Rng } from '../core/philox.js';
import { encodePng } from '../io/png.js';
import { RgbCanvas } from '../preview/canvas.js';
import { compareNoduleSets } from '../generators/nodules/evaluate.js';
import { resolveNoduleOptions } from '../generators/nodules/options.js';
import { ProceduralNoduleSource, type NoduleSample, type NoduleSource } from '../generators/nodules/source.js';
import { saveCheckpoint } from '../nn/checkpoint.js';
import { Tensor } from '../nn/tensor.js';
import { NoduleCritic, NoduleGenerator, type WganShape } from './nodule_wgan.js';
import { sampleGenerator, WGAN_DEFAULTS, WganTrainer } from './nodule_wgan_training.js';

/** The seed's HU window, mapped to the generator's tanh range. */
export const HU_WINDOW = { lo: -1000, hi: 400 } as const;
export const huToUnit = (hu: number) => (2 * (Math.min(Math.max(hu, HU_WINDOW.lo), HU_WINDOW.hi) - HU_WINDOW.lo)) / (HU_WINDOW.hi - HU_WINDOW.lo) - 1;
export const unitToHu = (u: number) => HU_WINDOW.lo + ((u + 1) / 2) * (HU_WINDOW.hi - HU_WINDOW.lo);
const SPLIT_STREAM = 0x6a30;

export interface MalignantSet {
  /** [n, s, s, s] HU. */
  images: Float32Array;
  masks: Uint8Array;
  n: number;
  size: number;
  spacing: [number, number, number];
}

/** The first n malignant procedural nodules of the cohort `seed` at size³ (benign ones skipped unrendered). */
export async function proceduralMalignant(n: number, size: number, seed: number): Promise<MalignantSet> {
  const o = resolveNoduleOptions({ patchSize: [size, size, size], seed });
  const source = new ProceduralNoduleSource(o);
  const v = size ** 3;
  const images = new Float32Array(n * v);
  const masks = new Uint8Array(n * v);
  let k = 0;
  for (let i = 0; k < n; i++) {
    if (!source.params(i).malignant) continue;
    const s = await source.sample(i);
    images.set(s.patch.image, k * v);
    masks.set(s.patch.mask, k * v);
    k++;
  }
  return { images, masks, n, size, spacing: o.spacing };
}

export interface GanTrainOptions {
  outputDir: string;
  size: number;
  width: number;
  nodules: number;
  epochs: number;
  batchSize?: number;
  checkpointEvery: number;
  /** Epochs between Fréchet evaluations (and grid renders); the last epoch is always evaluated. */
  evalEvery?: number;
  seed: number;
}

export interface GanEpochRecord {
  epoch: number;
  seconds: number;
  critic: number;
  generator: number;
  gp: number;
  wasserstein: number;
  fd: number | null;
  fdLower: number | null;
  fdUpper: number | null;
  baseline: number | null;
  /** Generated samples evaluated with no voxel at or above the radiomics threshold (no nodule): not in the FD. */
  empty: number | null;
}

export const GAN_LOG_COLUMNS = ['epoch', 'seconds', 'critic_loss', 'generator_loss', 'gp', 'wasserstein', 'fd', 'fd_lower95', 'fd_upper95', 'fd_real_vs_real', 'fd_empty_samples'] as const;

function csvRow(r: GanEpochRecord): string {
  const f = (x: number | null) => (x === null ? '' : Number(x.toPrecision(6)).toString());
  return [r.epoch, r.seconds.toFixed(1), f(r.critic), f(r.generator), f(r.gp), f(r.wasserstein), f(r.fd), f(r.fdLower), f(r.fdUpper), f(r.baseline), f(r.empty)].join(',');
}

/** The grid's grey window in HU: lung parenchyma dark grey, solid nodules white. */
const GRID_WINDOW = { lo: -1350, hi: 150 } as const;

/** Middle axial slices of the first rows·cols samples ([n, s, s, s] HU), lung window, under a title line; PNG. */
export function sampleGrid(images: Float32Array, n: number, size: number, title: string, cols = 8, scale = 2): Buffer {
  const rows = Math.ceil(n / cols);
  const cell = size * scale + 2;
  const header = 14;
  const caption = `${title}. middle axial slices, ${GRID_WINDOW.lo} to ${GRID_WINDOW.hi} HU`;
  const c = new RgbCanvas(Math.max(cols * cell, RgbCanvas.textWidth(caption) + 8), header + rows * cell, [0, 0, 0]);
  c.text(4, 3, caption, [230, 230, 230]);
  const v = size ** 3, z = size >> 1;
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * cell + 1, oy = header + Math.floor(k / cols) * cell + 1;
    for (let y = 0; y < size * scale; y++) {
      for (let x = 0; x < size * scale; x++) {
        const hu = images[k * v + z * size * size + Math.floor(y / scale) * size + Math.floor(x / scale)];
        const g = Math.round(255 * Math.min(Math.max((hu - GRID_WINDOW.lo) / (GRID_WINDOW.hi - GRID_WINDOW.lo), 0), 1));
        c.set(ox + x, oy + y, [g, g, g]);
      }
    }
  }
  return encodePng(c.pixels, c.width, c.height, 3);
}

/** Generated nodules in HU, [n, s, s, s], from latent draws keyed (seed, index). */
export function generateHu(generator: NoduleGenerator, n: number, seed: number, first = 0): Float32Array {
  const d = generator.shape.latentDim;
  const z = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const rng = new Rng(seed, first + i, SPLIT_STREAM + 1);
    for (let j = 0; j < d; j++) z[i * d + j] = rng.normal();
  }
  const out = sampleGenerator(generator, new Tensor(z, [n, d]));
  for (let i = 0; i < out.length; i++) out[i] = unitToHu(out[i]);
  return out;
}

export async function trainNoduleGan(o: GanTrainOptions, onEpoch: (r: GanEpochRecord) => void = () => {}): Promise<GanEpochRecord[]> {
  const batch = o.batchSize ?? WGAN_DEFAULTS.batchSize;
  const shape: WganShape = { size: o.size, width: o.width };
  const real = await proceduralMalignant(o.nodules, o.size, o.seed);
  const v = o.size ** 3;
  const unit = Float32Array.from(real.images, huToUnit);
  const generator = new NoduleGenerator(shape, { seed: o.seed });
  const critic = new NoduleCritic(shape, { seed: o.seed + 1 });
  const trainer = new WganTrainer(generator, critic, { seed: o.seed });
  const log = path.join(o.outputDir, 'gan_log.csv');
  writeFileSync(log, `${GAN_LOG_COLUMNS.join(',')}\n`);
  const records: GanEpochRecord[] = [];
  const start = performance.now();
  const evalEvery = o.evalEvery ?? o.checkpointEvery;
  const dims: [number, number, number] = [o.size, o.size, o.size];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    // One epoch: every real nodule once as a critic batch (shuffled), a generator step per n_critic.
    const rng = new Rng(o.seed, epoch, SPLIT_STREAM);
    const order = Array.from({ length: o.nodules }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const batches: Tensor[] = [];
    for (let b = 0; b + batch <= order.length; b += batch) {
      const data = new Float32Array(batch * v);
      for (let k = 0; k < batch; k++) data.set(unit.subarray(order[b + k] * v, (order[b + k] + 1) * v), k * v);
      batches.push(new Tensor(data, [batch, 1, o.size, o.size, o.size]));
    }
    let sums = { critic: 0, generator: 0, gp: 0, wasserstein: 0 }, iters = 0;
    for (let b = 0; b + trainer.nCritic <= batches.length; b += trainer.nCritic) {
      const l = trainer.iteration(batches.slice(b, b + trainer.nCritic));
      sums = { critic: sums.critic + l.critic, generator: sums.generator + l.generator, gp: sums.gp + l.gp, wasserstein: sums.wasserstein + l.wasserstein };
      iters++;
    }
    const m = (x: number) => (iters ? x / iters : NaN);
    const record: GanEpochRecord = {
      epoch, seconds: (performance.now() - start) / 1000,
      critic: m(sums.critic), generator: m(sums.generator), gp: m(sums.gp), wasserstein: m(sums.wasserstein),
      fd: null, fdLower: null, fdUpper: null, baseline: null, empty: null,
    };
    if (epoch % evalEvery === 0 || epoch === o.epochs) {
      const fake = generateHu(generator, o.nodules, o.seed + 7);
      // Samples with no voxel at or above the radiomics threshold hold no nodule: left out of the
      // distance and counted (a generator that draws empty patches is a result to report).
      const kept = await compareNoduleSets(real, { images: fake, n: o.nodules }, dims, { spacing: real.spacing, replicates: 50, seed: o.seed, emptyOther: 'drop' }).catch(
        (err: unknown) => {
          // Fewer than 2 samples with a nodule, or (tiny patches) a real nodule too small to
          // leave a mask voxel: no distance.
          if (err instanceof Error && /non-empty region/.test(err.message)) return null;
          throw err;
        },
      );
      record.empty = kept ? kept.droppedEmpty : null;
      if (kept) Object.assign(record, { fd: kept.distance.distance, fdLower: kept.distance.lower95, fdUpper: kept.distance.upper95, baseline: kept.baseline.distance });
      writeFileSync(path.join(o.outputDir, 'samples.png'), sampleGrid(fake, Math.min(32, o.nodules), o.size, `WGAN-GP samples after epoch ${epoch}`));
    }
    if (epoch % o.checkpointEvery === 0 || epoch === o.epochs) {
      const training = { epoch, seed: o.seed };
      saveCheckpoint(path.join(o.outputDir, `generator_epoch${epoch}.safetensors`), generator, { architecture: generator.architecture(), optimizer: trainer.optG, training });
      saveCheckpoint(path.join(o.outputDir, `critic_epoch${epoch}.safetensors`), critic, { architecture: critic.architecture(), optimizer: trainer.optD, training });
    }
    writeFileSync(log, `${csvRow(record)}\n`, { flag: 'a' });
    records.push(record);
    onEpoch(record);
  }
  writeFileSync(path.join(o.outputDir, 'real.png'), sampleGrid(real.images, Math.min(32, o.nodules), o.size, 'the real (procedural) malignant nodules it trains on'));
  return records;
}

/** The radiomics threshold: a learned nodule has no exact mask, so its voxels above this HU are the nodule. */
export const GAN_MASK_THRESHOLD_HU = -400;

/** A trained generator as a source of malignant nodules; sample i is G(z_i), z_i keyed (seed, i). */
export class GanNoduleSource implements NoduleSource {
  readonly name = 'wgan-gp';
  constructor(
    readonly generator: NoduleGenerator,
    readonly seed: number,
    readonly spacing: [number, number, number],
    readonly thresholdHu = GAN_MASK_THRESHOLD_HU,
  ) {}

  async sample(index: number): Promise<NoduleSample> {
    const s = this.generator.shape.size;
    const image = generateHu(this.generator, 1, this.seed, index);
    const mask = Uint8Array.from(image, (hu) => (hu > this.thresholdHu ? 1 : 0));
    return {
      patch: { dims: [s, s, s], spacing: this.spacing, image, mask, coverage: Float32Array.from(mask) },
      malignant: true,
      params: null,
      volumeMm3: null,
      augment: null,
    };
  }
}
