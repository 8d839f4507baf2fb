/**
 * The 3D anatomy generator (seed 001): volumes with 13 structures, scenario-driven missing
 * organs, realism noise and imaging artifacts, with exactly known masks.
 */
import type { DeviceOption } from '../../core/device.js';
import { checkInteger, checkOneOf } from '../../validate.js';
import { checkKnownKeys } from '../../core/options_check.js';
import { ANATOMY_OPTION_KEYS, resolveAnatomyOptions, type AnatomyOptions } from '../../anatomy/options.js';
import type { ImageArray, ImageDtype } from './image.js';
import { AnatomyRenderer } from './render.js';
import { sampleAnatomyParams, type AnatomySampleParams } from '../../anatomy/sample_params.js';

export { DEFAULT_BODY, DEFAULT_STRUCTURES, DEFAULT_STRUCTURE_NAMES } from '../../anatomy/catalogue.js';
export type { BodySpec, StructureSpec } from '../../anatomy/catalogue.js';
export { CATEGORY_SHARES, DEFAULT_SCENARIOS, scenarioProbabilities } from '../../anatomy/scenarios.js';
export type { ScenarioSpec } from '../../anatomy/scenarios.js';
export { resolveAnatomyOptions } from '../../anatomy/options.js';
export type { AnatomyOptions, ArtifactOptions, ResolvedAnatomyOptions } from '../../anatomy/options.js';
export { sampleAnatomyParams } from '../../anatomy/sample_params.js';
export type { AnatomySampleParams, StructureParams } from '../../anatomy/sample_params.js';
export { AnatomyRenderer } from './render.js';
export type { ImageArray, ImageDtype } from './image.js';

export interface AnatomySample {
  index: number;
  scenario: string;
  /** [Z, Y, X]. */
  dims: [number, number, number];
  image: ImageArray;
  /** Label map: 0 background/body, i + 1 for structure i. */
  labels: Uint8Array;
  /** 1 where structure i is present in the scenario. */
  presence: Uint8Array;
  structureNames: string[];
  params: AnatomySampleParams;
}

/** Generates sample `index` of the dataset the options describe. */
export async function generateSample(
  options: AnatomyOptions,
  index: number,
  dtype: ImageDtype = 'float32',
  device: DeviceOption = 'cpu',
): Promise<AnatomySample> {
  checkKnownKeys('generateSample options', options, ANATOMY_OPTION_KEYS);
  const o = resolveAnatomyOptions(options);
  checkInteger('index', index, 0, 0xffffffff);
  checkOneOf('dtype', dtype, ['float32', 'int16', 'uint8'] as const);
  const params = sampleAnatomyParams(o, index);
  const renderer = new AnatomyRenderer(o, dtype, device);
  await renderer.render(params);
  return anatomySample(params, o.imageSize, renderer.image, renderer.labels);
}

/** The sample record of rendered `params` whose voxels are in `image` and `labels`. */
export function anatomySample(params: AnatomySampleParams, dims: readonly [number, number, number], image: ImageArray, labels: Uint8Array): AnatomySample {
  return {
    index: params.index,
    scenario: params.scenario,
    dims: [...dims],
    image,
    labels,
    presence: Uint8Array.from(params.structures, (s) => (s.present ? 1 : 0)),
    structureNames: params.structures.map((s) => s.name),
    params,
  };
}
