/**
 * One synthetic volume in one call, on the CPU or on a CUDA device: the generator's chain
 *   intensity = 0, labels = 0 → rasterize(shapes) → Gaussian blur → bias field → noise → cast
 * with the parameters of the single kernels (rasterize, gaussianBlur, applyBiasField, addNoise,
 * castToUint8/castToInt16). On CUDA the whole chain stays on the device and only the labels and
 * the image come back (the labels while the rest still runs); device buffers are reused from call
 * to call. Both devices give the same labels and coverage, and images equal within float
 * tolerance (a cast may differ by one where a value sits within rounding of a .5 tie).
 */
import { resolveDevice, type CudaTiming, type Device, type DeviceOption } from '../core/device.js';
import { invalidParameter } from '../errors.js';
import { callNative, nativeAddon } from '../native.js';
import { checkArray, checkDims, checkInteger, checkNumber, checkOneOf, checkSeed, perAxis, type Dims } from '../validate.js';
import { biasFieldTermCount, type BiasFieldOptions } from './bias_field.js';
import { MAX_GAUSSIAN_RADIUS, type GaussianBlurOptions } from './gaussian_blur.js';
import type { NoiseKind, NoiseOptions } from './noise.js';
import { labelPriorityTable, packShapes, type Shape } from './rasterize.js';

export type VolumeImageType = 'float32' | 'uint8' | 'int16';
export type VolumeImage = Float32Array | Uint8Array | Int16Array;

export interface VolumeSampleSpec {
  dims: Dims;
  shapes: readonly Shape[];
  /** As rasterize's targets.labelPriority. */
  labelPriority?: Readonly<Record<number, number>>;
  /** As gaussianBlur's options; omitted: no blur. */
  blur?: GaussianBlurOptions;
  /** As applyBiasField's options; omitted: no bias field. */
  bias?: BiasFieldOptions;
  /** As addNoise's options; omitted: no noise. */
  noise?: NoiseOptions;
  /** The stored image's type: float32 is the intensity itself; the integer types are cast. */
  image: VolumeImageType;
  /** Integer images: the map `v * scale + offset` before rounding; default identity. */
  cast?: { scale: number; offset: number };
}

export interface VolumeSampleTargets {
  /** dims' voxel count of the image type. */
  image: VolumeImage;
  /** The label map, when wanted. */
  labels?: Uint8Array;
  /** CPU only: the float32 intensity buffer for integer images (allocated when omitted). */
  work?: Float32Array;
}

export interface VolumeSampleResult {
  /** Per shape: summed coverage inside the volume, in voxels (as rasterize). */
  coverageSum: Float64Array;
  /** Where it ran. */
  device: Device;
  /** Why 'auto' fell back to the CPU. */
  reason?: string;
  /** CUDA only: where the time went. */
  timing?: CudaTiming;
}

interface NativeSampleParams {
  dims: [number, number, number];
  blur?: { sigma: number[]; truncate: number };
  bias?: { order: number; coefficients: number[] };
  noise?: { kind: NoiseKind; sigma?: number; scale?: number; seed: number | bigint; sample: number; stream: number };
  image: VolumeImageType;
  cast?: { scale: number; offset: number };
}

interface RenderNative {
  cudaRenderSample(
    packed: Float64Array,
    labelPriority: Float64Array,
    coverage: Float64Array,
    params: NativeSampleParams,
    image: VolumeImage,
    labels: Uint8Array | null,
  ): Promise<CudaTiming>;
  rasterize(
    packed: Float64Array,
    labelPriority: Float64Array,
    coverage: Float64Array,
    options: { dims: number[] },
    intensity: Float32Array | null,
    labels: Uint8Array | null,
  ): Promise<void>;
  gaussianBlur(input: Float32Array, out: Float32Array, p: { dims: number[]; sigma: number[]; truncate: number }): Promise<void>;
  biasField(input: Float32Array, out: Float32Array, p: { dims: number[]; order: number; coefficients: number[] }): Promise<void>;
  addNoise(input: Float32Array, out: Float32Array, p: NonNullable<NativeSampleParams['noise']>): Promise<void>;
  castU8(input: Float32Array, out: Uint8Array, p: { scale: number; offset: number }): Promise<void>;
  castI16(input: Float32Array, out: Int16Array, p: { scale: number; offset: number }): Promise<void>;
}

const native = () => nativeAddon<RenderNative>();

const IMAGE_TYPES: readonly VolumeImageType[] = ['float32', 'uint8', 'int16'];
const IMAGE_CTORS = { float32: Float32Array, uint8: Uint8Array, int16: Int16Array } as const;
const NOISE_KINDS: readonly NoiseKind[] = ['gaussian', 'rician', 'poisson'];

/**
 * Renders one volume into `targets` (image, and labels when given) on `options.device`
 * (default 'cpu'; 'auto' uses CUDA when available).
 */
export async function renderVolumeSample(
  spec: VolumeSampleSpec,
  targets: VolumeSampleTargets,
  options: { device?: DeviceOption } = {},
): Promise<VolumeSampleResult> {
  if (spec === null || typeof spec !== 'object') throw invalidParameter('spec', 'an object', spec);
  if (targets === null || typeof targets !== 'object') throw invalidParameter('targets', 'an object', targets);
  const { zyx, count } = checkDims('spec.dims', spec.dims);
  const imageType = checkOneOf('spec.image', spec.image, IMAGE_TYPES);
  const image = checkArray('targets.image', targets.image, IMAGE_CTORS[imageType] as unknown as new (n: number) => VolumeImage, count);
  const labels = targets.labels === undefined ? null : checkArray('targets.labels', targets.labels, Uint8Array, count);
  const packed = packShapes(spec.shapes, zyx[0]);
  const table = labelPriorityTable(spec.shapes, spec.labelPriority);
  const params = nativeParams(spec, zyx, imageType, count);
  const where = resolveDevice(options?.device ?? 'cpu');
  const coverageSum = new Float64Array(spec.shapes.length);

  if (where.device === 'cuda') {
    const timing = await callNative(native().cudaRenderSample(packed, table, coverageSum, params, image, labels));
    return { coverageSum, device: 'cuda', timing };
  }

  const work =
    imageType === 'float32'
      ? (image as Float32Array)
      : targets.work === undefined
        ? new Float32Array(count)
        : checkArray('targets.work', targets.work, Float32Array, count);
  work.fill(0);
  labels?.fill(0);
  const n = native();
  const dims = params.dims;
  if (spec.shapes.length > 0) await callNative(n.rasterize(packed, table, coverageSum, { dims }, work, labels));
  if (params.blur) await callNative(n.gaussianBlur(work, work, { dims, ...params.blur }));
  if (params.bias) await callNative(n.biasField(work, work, { dims, ...params.bias }));
  if (params.noise) await callNative(n.addNoise(work, work, params.noise));
  const cast = params.cast ?? { scale: 1, offset: 0 };
  if (imageType === 'uint8') await callNative(n.castU8(work, image as Uint8Array, cast));
  if (imageType === 'int16') await callNative(n.castI16(work, image as Int16Array, cast));
  return where.reason === undefined ? { coverageSum, device: 'cpu' } : { coverageSum, device: 'cpu', reason: where.reason };
}

/** Checks the chain's parameters once, in the form both devices' native calls take. */
function nativeParams(
  spec: VolumeSampleSpec,
  zyx: [number, number, number],
  image: VolumeImageType,
  count: number,
): NativeSampleParams {
  const p: NativeSampleParams = { dims: zyx, image };
  const axes = spec.dims.length;
  if (spec.blur !== undefined) {
    const sigma = perAxis('blur.sigma', spec.blur?.sigma, axes, { min: 0 });
    const truncate = checkNumber('blur.truncate', spec.blur.truncate ?? 4, { above: 0 });
    const spacing = spec.blur.spacing === undefined ? undefined : perAxis('blur.spacing', spec.blur.spacing, axes, { above: 0 });
    const voxels = sigma.map((s, i) => (spacing ? s / spacing[i] : s));
    voxels.forEach((s, i) => {
      if (!(truncate * s + 0.5 <= MAX_GAUSSIAN_RADIUS)) {
        throw invalidParameter(`blur.sigma[${i}]`, `a kernel radius (sigma * truncate, in voxels) of at most ${MAX_GAUSSIAN_RADIUS}`, s * truncate);
      }
    });
    p.blur = { sigma: axes === 3 ? voxels : [0, ...voxels], truncate };
  }
  if (spec.bias !== undefined) {
    const order = checkInteger('bias.order', spec.bias?.order, 0, 3);
    const c = spec.bias.coefficients;
    const terms = biasFieldTermCount(order);
    if (!Array.isArray(c) || c.length !== terms) {
      throw invalidParameter('bias.coefficients', `an array of ${terms} numbers for order ${order}`, c);
    }
    p.bias = { order, coefficients: c.map((v, t) => checkNumber(`bias.coefficients[${t}]`, v)) };
  }
  if (spec.noise !== undefined) {
    const kind = checkOneOf('noise.kind', spec.noise?.kind, NOISE_KINDS);
    const key = {
      seed: checkSeed('noise.seed', spec.noise.seed),
      sample: checkInteger('noise.sample', spec.noise.sample ?? 0, 0, 0xffffffff),
      stream: checkInteger('noise.stream', spec.noise.stream ?? 0, 0, 0xffffffff),
    };
    if (kind === 'poisson') {
      if (count > 2 ** 32) throw invalidParameter('dims', 'at most 2^32 voxels for poisson noise', count);
      p.noise = { kind, scale: checkNumber('noise.scale', spec.noise.scale, { above: 0 }), ...key };
    } else {
      p.noise = { kind, sigma: checkNumber('noise.sigma', spec.noise.sigma, { min: 0, max: 3.4e38 }), ...key };
    }
  }
  if (spec.cast !== undefined) {
    p.cast = { scale: checkNumber('cast.scale', spec.cast?.scale), offset: checkNumber('cast.offset', spec.cast.offset) };
  }
  return p;
}
