/**
 * ClinicalSynth: the seed's 2D multimodal generator. One latent disease model gives each sample
 * an image (parenchyma + lesion, scanner PSF, noise), a row of radiomics and an observed label;
 * the latents themselves come back separately, as `truth`. Sample i is a pure function of
 * (config, i): batches may be drawn in any order and size and give the same samples.
 */
import { MedsynthError, invalidParameter } from '../../errors.js';
import { checkArray, checkInteger, MAX_VOXELS } from '../../validate.js';
import { resolveClinicalConfig, scannerNames, type ClinicalConfig, type ClinicalConfigInput } from './config.js';
import { CLINICAL_STREAMS, drawLatents, type ClinicalTruth } from './latents.js';
import { clinicalOracle, type ClinicalOracleReport } from './oracle.js';
import { computeTabular, tabularColumns } from './radiomics.js';
import { renderRows } from './render_rows.js';

const MAX_INDEX = 0xffffffff;

/** The observed part of a set of samples and, apart, its hidden truth. */
export interface ClinicalRecords {
  n: number;
  /** Tabular features [n, columns.length], float32 row-major. */
  tabular: Float32Array;
  columns: string[];
  /** Observed labels (the seed's noisy clinical diagnosis). */
  y: Uint8Array;
  /** Hidden ground truth: not an input for a model. */
  truth: ClinicalTruth;
}

export interface ClinicalBatch extends ClinicalRecords {
  height: number;
  width: number;
  /** Images [n, height, width], float32 (intensity units; background ≈ bg_base…bg_base·(1 + gland_gain)). */
  images: Float32Array;
}

export interface SampleOptions {
  /** Reuse this buffer for the images ([n, H, W] float32). */
  images?: Float32Array;
}

/** The seed's split seeds: train 123, val 456, test 789. */
export const SPLIT_SEEDS = Object.freeze({ train: 123, val: 456, test: 789 });

export class ClinicalSynth {
  readonly config: Readonly<ClinicalConfig>;
  /** Tabular column names. */
  readonly columns: readonly string[];
  readonly scanners: readonly string[];
  private cursor = 0;

  constructor(config: ClinicalConfigInput = {}) {
    this.config = resolveClinicalConfig(config);
    this.columns = Object.freeze(tabularColumns(this.config));
    this.scanners = Object.freeze(scannerNames(this.config));
  }

  /** Index of the first sample the next sampleBatch returns. */
  get position(): number {
    return this.cursor;
  }

  /** Samples [position, position + n), then advances the position by n (a refused request does not). */
  async sampleBatch(n: number, options: SampleOptions = {}): Promise<ClinicalBatch> {
    const count = checkInteger('n', n, 0, MAX_INDEX + 1 - this.cursor);
    this.checkBatch(count, options);
    const start = this.cursor;
    this.cursor += count;
    return this.sampleRange(start, count, options);
  }

  /** Samples [start, start + n); does not move the position. */
  async sampleRange(start: number, n: number, options: SampleOptions = {}): Promise<ClinicalBatch> {
    checkInteger('start', start, 0, MAX_INDEX);
    checkInteger('n', n, 0, MAX_INDEX + 1 - start);
    return this.sampleIndices(indexRange(start, n), options);
  }

  /** The samples with the given indices, in that order (each an integer in [0, 2^32)). */
  async sampleIndices(indices: ArrayLike<number>, options: SampleOptions = {}): Promise<ClinicalBatch> {
    const { H, W } = this.config;
    const n = checkIndices(indices);
    this.checkBatch(n, options);
    const images = options.images ?? allocate(n * H * W);
    const latents = drawLatents(this.config, indices);
    const records = this.records(latents.truth, latents.y);
    await renderRows(
      latents.rows,
      {
        height: H,
        width: W,
        seed: this.config.seed,
        textureStream: CLINICAL_STREAMS.texture,
        noiseStream: CLINICAL_STREAMS.noise,
        textureSigma: this.config.tex_sigma,
        textureEdge: this.config.tex_edge,
        lesionEdge: this.config.lesion_edge,
        noiseSigma: this.config.noise_sd,
      },
      images,
    );
    return { ...records, height: H, width: W, images };
  }

  /** Tabular data, labels and truth of [start, start + n) without rendering images (fast). */
  sampleLatents(start: number, n: number): ClinicalRecords {
    checkInteger('start', start, 0, MAX_INDEX);
    checkInteger('n', n, 0, MAX_INDEX + 1 - start);
    const latents = drawLatents(this.config, indexRange(start, n));
    return this.records(latents.truth, latents.y);
  }

  /** Oracle AUC / accuracy references on a batch (see oracle.ts). */
  oracle(batch: ClinicalRecords): ClinicalOracleReport {
    return clinicalOracle(this.config, batch.truth, batch.y);
  }

  /** A batch of n images must fit one Float32Array, and a given buffer must hold exactly n images. */
  private checkBatch(n: number, options: SampleOptions): void {
    const { H, W } = this.config;
    if (n * H * W > MAX_VOXELS) {
      throw invalidParameter('n', `at most ${Math.floor(MAX_VOXELS / (H * W))} samples of ${H}×${W} per batch (draw larger sets in chunks)`, n);
    }
    if (options?.images !== undefined) checkArray('images', options.images, Float32Array, n * H * W);
  }

  private records(truth: ClinicalTruth, y: Uint8Array): ClinicalRecords {
    return { n: y.length, tabular: computeTabular(this.config, truth), columns: [...this.columns], y, truth };
  }
}

export interface SplitSizes {
  train: number;
  val: number;
  test: number;
}

/**
 * Train/val/test as the seed makes them: the same config with seeds 123, 456 and 789 (or
 * `seeds`), each split its own dataset from index 0.
 */
export async function clinicalSplits(
  config: ClinicalConfigInput = {},
  sizes: SplitSizes = { train: 1000, val: 100, test: 100 },
  seeds: SplitSizes = SPLIT_SEEDS,
): Promise<{ train: ClinicalBatch; val: ClinicalBatch; test: ClinicalBatch }> {
  const names = ['train', 'val', 'test'] as const;
  const out = {} as { train: ClinicalBatch; val: ClinicalBatch; test: ClinicalBatch };
  for (const name of names) {
    out[name] = await new ClinicalSynth({ ...config, seed: seeds[name] }).sampleBatch(checkInteger(`sizes.${name}`, sizes[name], 0, MAX_INDEX));
  }
  return out;
}

function indexRange(start: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i;
  return out;
}

function checkIndices(indices: ArrayLike<number>): number {
  if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
    throw invalidParameter('indices', 'an array of sample indices', indices);
  }
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v > MAX_INDEX) throw invalidParameter(`indices[${i}]`, 'an integer in [0, 2^32)', v);
  }
  return indices.length;
}

function allocate(count: number): Float32Array {
  try {
    return new Float32Array(count);
  } catch (err) {
    throw new MedsynthError('OUT_OF_MEMORY', `cannot allocate ${count} float32 image values (${(count * 4) / 2 ** 30} GiB)`, { cause: err });
  }
}
