/** Options of the 3D anatomy generator, their defaults (the seed's) and their validation. */
import { invalidParameter } from '../errors.js';
import type { NoiseKind } from '../ops/noise.js';
import { checkInteger, checkNumber, checkOneOf, checkSeed, MAX_VOXELS } from '../validate.js';
import { DEFAULT_BODY, DEFAULT_STRUCTURES, type BodySpec, type StructureSpec } from './catalogue.js';
import { DEFAULT_SCENARIOS, type ScenarioSpec } from './scenarios.js';


export interface ArtifactOptions {
  /** Gaussian PSF sigma in mm, one value or [sz, sy, sx]; 0 disables the blur. Default 0.75. */
  blurSigmaMm?: number | readonly [number, number, number];
  /** Bias-field polynomial order 0–3. Default 3. */
  biasOrder?: number;
  /** Bias coefficients are drawn uniformly in [-m, m]; 0 disables the field. Default 0.1. */
  biasMagnitude?: number;
  /** Noise kind. Default 'gaussian'. */
  noiseKind?: NoiseKind;
  /** Noise sigma in intensity units (gaussian/rician) or counts per unit (poisson: scale). Default 4; 0 disables. */
  noiseSigma?: number;
}

/** Every key AnatomyOptions knows (anything else is refused: a typo would silently give a default). */
export const ANATOMY_OPTION_KEYS = [
  'imageSize', 'spacing', 'seed', 'positionNoise', 'sizeNoise', 'intensityNoise', 'artifacts', 'structures', 'scenarios', 'body',
] as const;

export interface AnatomyOptions {
  /** [Z, Y, X] voxels. Default [128, 128, 64] (the seed's "128,128,64"). */
  imageSize?: readonly [number, number, number];
  /** Voxel spacing [sz, sy, sx] in mm. Default [1, 1, 1]. */
  spacing?: readonly [number, number, number];
  /** Dataset seed. Default 42. */
  seed?: number | bigint;
  /** SD of organ centre jitter, as a fraction of the volume extent per axis. Default 0.05. */
  positionNoise?: number;
  /** SD of the organ scale factor around 1. Default 0.2. */
  sizeNoise?: number;
  /** SD of the organ intensity factor around 1. Default 0.15. */
  intensityNoise?: number;
  artifacts?: ArtifactOptions;
  structures?: readonly StructureSpec[];
  scenarios?: readonly ScenarioSpec[];
  body?: BodySpec;
}

export interface ResolvedAnatomyOptions {
  imageSize: [number, number, number];
  spacing: [number, number, number];
  seed: number | bigint;
  positionNoise: number;
  sizeNoise: number;
  intensityNoise: number;
  artifacts: Required<Omit<ArtifactOptions, 'blurSigmaMm'>> & { blurSigmaMm: [number, number, number] };
  structures: readonly StructureSpec[];
  scenarios: readonly ScenarioSpec[];
  body: BodySpec;
}

export const DEFAULT_IMAGE_SIZE: [number, number, number] = [128, 128, 64];

function triple(name: string, value: unknown, rule: Parameters<typeof checkNumber>[2]): [number, number, number] {
  if (typeof value === 'number') {
    const v = checkNumber(name, value, rule);
    return [v, v, v];
  }
  if (!Array.isArray(value) || value.length !== 3) throw invalidParameter(name, 'a number or [z, y, x]', value);
  return value.map((v, i) => checkNumber(`${name}[${i}]`, v, rule)) as [number, number, number];
}

/** An array of objects each with a string `name`, or INVALID_ARGUMENT naming the first bad entry. */
function namedList<T>(name: string, value: unknown): readonly T[] {
  if (!Array.isArray(value)) throw invalidParameter(name, 'an array', value);
  value.forEach((v, i) => {
    if (v === null || typeof v !== 'object' || typeof (v as { name?: unknown }).name !== 'string') {
      throw invalidParameter(`${name}[${i}]`, 'an object with a string name', v);
    }
  });
  return value as T[];
}

export function resolveAnatomyOptions(options: AnatomyOptions = {}): ResolvedAnatomyOptions {
  if (options === null || typeof options !== 'object') throw invalidParameter('options', 'an object', options);
  const size = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  if (!Array.isArray(size) || size.length !== 3) throw invalidParameter('imageSize', '[Z, Y, X]', size);
  const imageSize = size.map((d, i) => checkInteger(`imageSize[${i}]`, d, 1, MAX_VOXELS)) as [number, number, number];
  if (imageSize[0] * imageSize[1] * imageSize[2] > MAX_VOXELS) {
    throw invalidParameter('imageSize', `at most ${MAX_VOXELS} voxels`, imageSize.join('×'));
  }
  const a = options.artifacts ?? {};
  if (a === null || typeof a !== 'object') throw invalidParameter('artifacts', 'an object', a);
  const structures = namedList<StructureSpec>('structures', options.structures ?? DEFAULT_STRUCTURES);
  if (structures.length < 1 || structures.length > 255) {
    throw invalidParameter('structures', 'between 1 and 255 structures', structures.length);
  }
  const names = new Set(structures.map((s) => s.name));
  const scenarios = namedList<ScenarioSpec>('scenarios', options.scenarios ?? DEFAULT_SCENARIOS);
  if (scenarios.length < 1) throw invalidParameter('scenarios', 'at least one scenario', scenarios);
  for (const sc of scenarios) {
    if (!Array.isArray(sc.present)) throw invalidParameter(`scenario ${sc.name}.present`, 'an array of structure names', sc.present);
    for (const n of sc.present) if (!names.has(n)) throw invalidParameter(`scenario ${sc.name}`, 'known structure names', n);
  }
  return {
    imageSize,
    spacing: triple('spacing', options.spacing ?? 1, { above: 0 }),
    seed: checkSeed('seed', options.seed ?? 42),
    positionNoise: checkNumber('positionNoise', options.positionNoise ?? 0.05, { min: 0, max: 1 }),
    sizeNoise: checkNumber('sizeNoise', options.sizeNoise ?? 0.2, { min: 0, max: 1 }),
    intensityNoise: checkNumber('intensityNoise', options.intensityNoise ?? 0.15, { min: 0, max: 1 }),
    artifacts: {
      blurSigmaMm: triple('blurSigmaMm', a.blurSigmaMm ?? 0.75, { min: 0, max: 50 }),
      biasOrder: checkInteger('biasOrder', a.biasOrder ?? 3, 0, 3),
      biasMagnitude: checkNumber('biasMagnitude', a.biasMagnitude ?? 0.1, { min: 0, max: 2 }),
      noiseKind: checkOneOf('noiseKind', a.noiseKind ?? 'gaussian', ['gaussian', 'rician', 'poisson'] as const),
      noiseSigma: checkNumber('noiseSigma', a.noiseSigma ?? 4, { min: 0, max: 1e6 }),
    },
    structures,
    scenarios,
    body: options.body ?? DEFAULT_BODY,
  };
}

/** The JSON-safe record of the options (seeds as strings when BigInt). */
export function describeOptions(o: ResolvedAnatomyOptions): Record<string, unknown> {
  return {
    image_size: o.imageSize,
    spacing: o.spacing,
    seed: typeof o.seed === 'bigint' ? o.seed.toString() : o.seed,
    position_noise: o.positionNoise,
    size_noise: o.sizeNoise,
    intensity_noise: o.intensityNoise,
    artifacts: {
      blur_sigma_mm: o.artifacts.blurSigmaMm,
      bias_order: o.artifacts.biasOrder,
      bias_magnitude: o.artifacts.biasMagnitude,
      noise_kind: o.artifacts.noiseKind,
      noise_sigma: o.artifacts.noiseSigma,
    },
  };
}
