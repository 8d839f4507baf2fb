/**
 * Turns a patient's parameters into CT, PET and tumour-mask voxels with native kernels only.
 *
 *   CT:   air (−1000 HU) → rasterize HU and tumour labels → PSF blur → Gaussian noise → int16 HU
 *   PET:  0 → rasterize SUV → Poisson counts (countDensity · voxel ml per SUV) → PSF blur (FWHM 6 mm)
 *
 * 3D: both on the output grid. 2D: CT and mask on a one-slice grid of the slice thickness at the
 * primary tumour's z; PET on a slab of slices around it, wide enough for the blur's kernel, of
 * which the centre slice is kept — so the slice sees the scanner's axial resolution too.
 * The renderer owns its buffers and reuses them from patient to patient.
 */
import { checkMemory } from '../../core/resources.js';
import { pinnedArray } from '../../core/pinned.js';
import { gaussianBlur } from '../../ops/gaussian_blur.js';
import { castToInt16 } from '../../ops/intensity.js';
import { addNoise } from '../../ops/noise.js';
import { rasterize } from '../../ops/rasterize.js';
import { PETCT_STREAM } from './latent.js';
import { fwhmToSigma, type ResolvedPetCtOptions } from './options.js';
import type { PetCtPatientParams } from './params.js';
import { sceneOnGrid, type Grid } from './scene.js';
import { AIR_HU } from './tissues.js';

/** scipy's truncate (kernel radius = round(truncate · sigma)); gaussianBlur uses the same. */
const BLUR_TRUNCATE = 4;

export class PetCtRenderer {
  /** CT in HU as float32 (after blur and noise). */
  readonly ctFloat: Float32Array;
  /** CT in HU, rounded: what ct.nii.gz stores. */
  readonly ct: Int16Array;
  /** Tumour mask: 0 background, 1 primary, 2 nodes and metastases. */
  readonly labels: Uint8Array;
  /** PET in SUV on the output grid (a view of the slab's centre slice in 2D). */
  readonly pet: Float32Array;
  private readonly petSlab: Float32Array;
  /** PET slab [Zs, Y, X] (2D) or the output grid (3D). */
  readonly petDims: [number, number, number];
  private readonly slabHalf: number;

  constructor(readonly options: ResolvedPetCtOptions) {
    const [z, y, x] = options.imageSize;
    const n = z * y * x;
    const slab = options.mode === '3d' ? n : 0;
    checkMemory(`rendering a ${z}×${y}×${x} PET/CT patient`, n * (4 + 2 + 1) + 4 * slab);
    // Over SharedArrayBuffers: the kernels work on them in place (lib/core/pinned.ts).
    this.ctFloat = pinnedArray(Float32Array, n);
    this.ct = pinnedArray(Int16Array, n);
    this.labels = pinnedArray(Uint8Array, n);
    if (options.mode === '3d') {
      this.slabHalf = 0;
      this.petDims = [z, y, x];
    } else {
      const sigmaSlices = fwhmToSigma(options.pet.fwhmMm) / options.spacing[0];
      this.slabHalf = Math.floor(BLUR_TRUNCATE * sigmaSlices + 0.5) + 1;
      this.petDims = [2 * this.slabHalf + 1, y, x];
    }
    this.petSlab = pinnedArray(Float32Array, this.petDims[0] * y * x);
    this.pet = options.mode === '3d' ? this.petSlab : this.petSlab.subarray(this.slabHalf * y * x, (this.slabHalf + 1) * y * x);
  }

  /** The output grid of a patient (the 2D slice sits at the primary's z). */
  outputGrid(params: PetCtPatientParams): Grid {
    const o = this.options;
    const zOrigin = params.sliceZMm === null ? 0 : params.sliceZMm - 0.5 * o.spacing[0];
    return { dims: [...o.imageSize], spacing: [...o.spacing], originMm: [zOrigin, 0, 0] };
  }

  private petGrid(params: PetCtPatientParams): Grid {
    const g = this.outputGrid(params);
    return { ...g, dims: [...this.petDims], originMm: [g.originMm[0] - this.slabHalf * g.spacing[0], 0, 0] };
  }

  async render(params: PetCtPatientParams): Promise<void> {
    const o = this.options;
    const key = { seed: o.seed, sample: params.index };

    const grid = this.outputGrid(params);
    this.ctFloat.fill(AIR_HU);
    this.labels.fill(0);
    await rasterize(sceneOnGrid(params, 'ct', grid), { dims: grid.dims, intensity: this.ctFloat, labels: this.labels });
    if (o.ct.blurFwhmMm > 0) {
      const s = fwhmToSigma(o.ct.blurFwhmMm);
      await gaussianBlur(this.ctFloat, grid.dims, { sigma: [s, s, s], spacing: grid.spacing }, this.ctFloat);
    }
    if (o.ct.noiseSigmaHu > 0) {
      await addNoise(this.ctFloat, { kind: 'gaussian', sigma: o.ct.noiseSigmaHu, ...key, stream: PETCT_STREAM.ctNoise }, this.ctFloat);
    }
    await castToInt16(this.ctFloat, undefined, this.ct);

    const slab = this.petGrid(params);
    this.petSlab.fill(0);
    await rasterize(sceneOnGrid(params, 'pet', slab), { dims: slab.dims, intensity: this.petSlab });
    const voxelMl = (slab.spacing[0] * slab.spacing[1] * slab.spacing[2]) / 1000;
    await addNoise(this.petSlab, { kind: 'poisson', scale: o.pet.countDensity * voxelMl, ...key, stream: PETCT_STREAM.petNoise }, this.petSlab);
    if (o.pet.fwhmMm > 0) {
      const s = fwhmToSigma(o.pet.fwhmMm);
      await gaussianBlur(this.petSlab, slab.dims, { sigma: [s, s, s], spacing: slab.spacing, truncate: BLUR_TRUNCATE }, this.petSlab);
    }
  }
}
