/**
 * Latent → image behind one interface. The parametric OCT renderer is the decoder today; a
 * learned decoder (the VAE of `medsynth longitudinal vae-train`, once the training engine lands)
 * implements the same interface and replaces it without touching the dataset writer, the
 * previews or the NLME model, which only ever see `LatentImageDecoder`.
 */
import { invalidParameter } from '../../errors.js';
import { checkInteger, checkNumber, MAX_VOXELS } from '../../validate.js';
import { ATTENUATION_DEPTHS, FACTOR_COLUMNS, LATENT_DIM, LATENT_FACTORS, octRows } from './latent_map.js';
import { OCT_LAYERS, OCT_REGIONS, renderOctRows, type OctRenderOptions } from './oct_render.js';
import { LONGITUDINAL_STREAMS } from './streams.js';

export interface DecodedImages {
  /** [n, height, width] float32. */
  images: Float32Array;
  /** [n, factorColumns.length]: what the decoder knows each image shows (empty for a learned decoder). */
  factors: Float64Array;
}

export interface LatentImageDecoder {
  /** 'parametric-oct' here; a learned decoder names its checkpoint. */
  readonly kind: string;
  readonly latentDim: number;
  readonly height: number;
  readonly width: number;
  /** Names of the per-image factor columns decode() reports (may be empty). */
  readonly factorColumns: readonly string[];
  /**
   * Images of latent rows `z` ([n, latentDim]) for `subjects` (the subject index keys any
   * decoder-side randomness, so subject i's image is the same in any batch).
   */
  decode(z: Float64Array, subjects: readonly number[]): Promise<DecodedImages>;
  /** JSON-serialisable description for metadata. */
  describe(): Record<string, unknown>;
}

export interface ParametricOctOptions {
  seed: number;
  height: number;
  width: number;
  /** Additive detector noise SD (default 0.03; the layers' reflectivities are 0.02 … 1). */
  noiseSigma?: number;
}

/** Layer reflectivities (OCT_REGIONS order): bright RNFL, OPL, ellipsoid zone and RPE, dark nuclear layers. */
const REFLECTIVITY = [0.02, 0.85, 0.5, 0.2, 0.55, 0.12, 0.6, 1.0, 0.4, 0.35];
/** Shares of the total thickness (OCT_LAYERS order, sum 1) and how much the pit thins each layer. */
const FRACTION = [0.12, 0.22, 0.12, 0.09, 0.27, 0.12, 0.06];
const PIT_WEIGHT = [1, 1, 1, 0.8, -0.25, 0, 0];

export class ParametricOctDecoder implements LatentImageDecoder {
  readonly kind = 'parametric-oct';
  readonly latentDim = LATENT_DIM;
  readonly factorColumns = FACTOR_COLUMNS;
  readonly height: number;
  readonly width: number;
  readonly render: OctRenderOptions;

  constructor(options: ParametricOctOptions) {
    const height = checkInteger('height', options.height, 8, 4096);
    const width = checkInteger('width', options.width, 8, 4096);
    this.height = height;
    this.width = width;
    this.render = {
      height,
      width,
      seed: checkInteger('seed', options.seed, 0, Number.MAX_SAFE_INTEGER),
      speckleStream: LONGITUDINAL_STREAMS.speckle,
      noiseStream: LONGITUDINAL_STREAMS.noise,
      reflectivity: REFLECTIVITY,
      fraction: FRACTION,
      pitWeight: PIT_WEIGHT,
      edge: Math.max(0.5, height / 200),
      grainAxial: 0.6,
      grainLateral: 1.5,
      noiseSigma: checkNumber('noiseSigma', options.noiseSigma ?? 0.03, { min: 0, max: 10 }),
    };
  }

  async decode(z: Float64Array, subjects: readonly number[]): Promise<DecodedImages> {
    if (!(z instanceof Float64Array) || z.length !== subjects.length * LATENT_DIM) {
      throw invalidParameter('z', `a Float64Array of ${subjects.length} × ${LATENT_DIM} values`, z);
    }
    for (let k = 0; k < z.length; k++) if (!Number.isFinite(z[k])) throw invalidParameter(`z[${k}]`, 'a finite number', z[k]);
    subjects.forEach((s, k) => checkInteger(`subjects[${k}]`, s, 0, 0xffffffff));
    if (subjects.length * this.height * this.width > MAX_VOXELS) {
      throw invalidParameter('subjects', `at most ${Math.floor(MAX_VOXELS / (this.height * this.width))} per call at ${this.height}x${this.width}`, subjects.length);
    }
    const { rows, factors } = octRows(this.render.seed, subjects, z, this.height, this.width);
    const images = new Float32Array(subjects.length * this.height * this.width);
    await renderOctRows(rows, this.render, images);
    return { images, factors };
  }

  describe(): Record<string, unknown> {
    const r = this.render;
    return {
      kind: this.kind,
      latent_dim: LATENT_DIM,
      image_size: [this.height, this.width],
      latent_factors: LATENT_FACTORS,
      nuisance: 'per subject (image stream): Bruch depth 0.68H+N(0,(0.02H)^2), pit centre W/2+N(0,(0.03W)^2), pit width 0.08W*U(0.8,1.2), drusen centres U(0.1W,0.9W)',
      image_equation:
        'out = gain*R(y,x)*exp(-att*max(0,y-ILM(x)))*exp(s*S-s^2/2) + noise_sigma*N; R = r0 + sum_k (r_{k+1}-r_k)*logistic((y-b_k(x))/edge); ' +
        'S = unit-variance blurred normals (grain axial, lateral); see native/field/oct_layers.h',
      regions: OCT_REGIONS,
      reflectivity: r.reflectivity,
      layers: OCT_LAYERS,
      layer_fraction: r.fraction,
      pit_weight: r.pitWeight,
      edge_px: r.edge,
      attenuation_per_px: ATTENUATION_DEPTHS / this.height,
      speckle_grain_px: { axial: r.grainAxial, lateral: r.grainLateral },
      noise_sigma: r.noiseSigma,
      intensity_units: 'arbitrary OCT reflectivity (vitreous ~0.02, RPE ~1 times gain)',
    };
  }
}
