/**
 * One synthetic volume in one native call, on the CPU or on a CUDA device: the generator's chain
 *   intensity = 0, labels = 0 → rasterize(shapes) → Gaussian blur → bias field → noise → cast
 * with the parameters of the single kernels (rasterize, gaussianBlur, applyBiasField, addNoise,
 * castToUint8/castToInt16), in that order in native/render/volume_sample.cc (CPU, on the thread
 * pool) and cuda/render/volume_sample.cu (CUDA). On CUDA the whole chain stays on the device and only the labels and
 * the image come back (the labels while the rest still runs); device buffers are reused from call
 * to call. Both devices give the same labels and coverage, and images equal within float
 * tolerance (a cast may differ by one where a value sits within rounding of a .5 tie).
 */
import { resolveDevice, type CudaTiming, type Device, type DeviceOption } from '../core/device.js';
import { invalidParameter } from '../errors.js';
import { binding, type VolumeSampleParams } from '../binding.js';
import { callNative } from '../native.js';
import { checkArray, checkDims, checkNumber, checkOneOf, type Dims } from '../validate.js';
import { biasParams, type BiasFieldOptions } from './bias_field.js';
import { blurParams, type GaussianBlurOptions } from './gaussian_blur.js';
import { noiseParams, type NoiseOptions } from './noise.js';
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

const IMAGE_TYPES: readonly VolumeImageType[] = ['float32', 'uint8', 'int16'];
const IMAGE_CTORS = { float32: Float32Array, uint8: Uint8Array, int16: Int16Array } as const;

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
  const where = resolveDevice(options?.device ?? 'cpu');
  const params = nativeParams(spec, zyx, imageType, count, where.device);
  const work =
    where.device === 'cpu' && imageType !== 'float32' && targets.work !== undefined
      ? checkArray('targets.work', targets.work, Float32Array, count)
      : null;
  const coverageSum = new Float64Array(spec.shapes.length);
  const timing = await callNative(binding().renderVolumeSample(packed, table, coverageSum, params, image, labels, work));
  if (where.device === 'cuda') return { coverageSum, device: 'cuda', timing };
  return where.reason === undefined ? { coverageSum, device: 'cpu' } : { coverageSum, device: 'cpu', reason: where.reason };
}

/** Checks the chain's parameters once, in the form both devices' native calls take. */
function nativeParams(
  spec: VolumeSampleSpec,
  zyx: [number, number, number],
  image: VolumeImageType,
  count: number,
  device: Device,
): VolumeSampleParams {
  const p: VolumeSampleParams = { dims: zyx, image, device };
  if (spec.blur !== undefined) p.blur = blurParams(spec.blur, spec.dims.length, 'blur.');
  if (spec.bias !== undefined) p.bias = biasParams(spec.bias, 'bias.');
  if (spec.noise !== undefined) {
    p.noise = noiseParams(spec.noise, 'noise.');
    if (p.noise.kind === 'poisson' && count > 2 ** 32) throw invalidParameter('dims', 'at most 2^32 voxels for poisson noise', count);
  }
  if (spec.cast !== undefined) {
    p.cast = { scale: checkNumber('cast.scale', spec.cast?.scale), offset: checkNumber('cast.offset', spec.cast.offset) };
  }
  return p;
}
