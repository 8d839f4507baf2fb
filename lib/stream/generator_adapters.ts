/**
 * How each generator makes sample i for the streaming pipeline (pipeline.ts). Every adapter makes
 * exactly what the generator's one-sample call returns for that index — the same function on the
 * same (options, index) — and differs only in where the buffers come from: per-slot renderers
 * whose scratch is reused, and fresh output arrays unless the stream recycles them.
 */
import type { DeviceOption } from '../core/device.js';
import { checkKnownKeys } from '../core/options_check.js';
import { invalidParameter } from '../errors.js';
import { checkOneOf } from '../validate.js';
import { ANATOMY_OPTION_KEYS, resolveAnatomyOptions, type AnatomyOptions } from '../anatomy/options.js';
import { sampleAnatomyParams } from '../anatomy/sample_params.js';
import { anatomySample, type AnatomySample } from '../generators/anatomy3d/index.js';
import { allocateImage, type ImageDtype } from '../generators/anatomy3d/image.js';
import { AnatomyRenderer } from '../generators/anatomy3d/render.js';
import { ClinicalSynth, type ClinicalBatch } from '../generators/clinical2d/synth.js';
import type { ClinicalConfigInput } from '../generators/clinical2d/config.js';
import { planSurvival } from '../generators/petct/latent.js';
import { resolvePetCtOptions, type PetCtOptions } from '../generators/petct/options.js';
import { renderPetCtPatient, type PetCtPatient } from '../generators/petct/patient.js';
import { PetCtRenderer } from '../generators/petct/render.js';
import type { DecodedImages, LatentImageDecoder } from '../generators/longitudinal/decoder.js';
import { NlmeModel, type NlmeSubject } from '../generators/longitudinal/nlme.js';
import { resolveNoduleOptions, type NoduleOptions } from '../generators/nodules/options.js';
import { ProceduralNoduleSource, type NoduleSample, type NoduleSource } from '../generators/nodules/source.js';
import { pinnedArray } from '../core/pinned.js';
import type { SampleAdapter } from './pipeline.js';

/** `generateSample(options, i, dtype, device)`, streamed. */
export interface AnatomyStreamOptions extends AnatomyOptions {
  generator?: 'anatomy';
  /** Stored image dtype (default 'float32', as generateSample). */
  dtype?: ImageDtype;
  device?: DeviceOption;
}

/** `new ClinicalSynth(config).sampleRange(i, 1)`, streamed: one image, one tabular row, one label. */
export interface ClinicalStreamOptions extends ClinicalConfigInput {
  generator: 'clinical';
}

/** `generatePetCtPatient(options, i)`, streamed. */
export interface PetCtStreamOptions extends PetCtOptions {
  generator: 'petct';
}

/** Subject i of an NLME model with its baseline image from a decoder (the longitudinal writer's rows). */
export interface LongitudinalStreamOptions {
  generator: 'longitudinal';
  model: NlmeModel;
  decoder: LatentImageDecoder;
}

/** `source.sample(i)` of a nodule source (default: the procedural one of these options). */
export interface NoduleStreamOptions extends NoduleOptions {
  generator: 'nodules';
  source?: NoduleSource;
}

export type GeneratorStreamOptions =
  | AnatomyStreamOptions
  | ClinicalStreamOptions
  | PetCtStreamOptions
  | LongitudinalStreamOptions
  | NoduleStreamOptions;

export type ClinicalSample = ClinicalBatch & { index: number };
export type PetCtSample = PetCtPatient & { index: number };
export interface LongitudinalSample extends DecodedImages {
  index: number;
  subject: NlmeSubject;
  height: number;
  width: number;
}
export type NoduleStreamSample = NoduleSample & { index: number };

export const GENERATOR_NAMES = ['anatomy', 'clinical', 'petct', 'longitudinal', 'nodules'] as const;

export function anatomyAdapter(input: AnatomyStreamOptions): SampleAdapter<AnatomySample> {
  const { generator: _, dtype: dtypeIn, device = 'cpu', ...options } = input;
  checkKnownKeys('samples options (anatomy)', options, ANATOMY_OPTION_KEYS);
  const o = resolveAnatomyOptions(options);
  const dtype = checkOneOf('dtype', dtypeIn ?? 'float32', ['float32', 'int16', 'uint8'] as const);
  const n = o.imageSize[0] * o.imageSize[1] * o.imageSize[2];
  const renderers: AnatomyRenderer[] = [];
  return {
    name: 'anatomy samples',
    async make(index, slot, reuse) {
      const params = sampleAnatomyParams(o, index);
      const renderer = (renderers[slot] ??= new AnatomyRenderer(o, dtype, device));
      // Fresh outputs unless recycled; the float intensity of integer dtypes is the slot's scratch.
      const into = reuse ? renderer : { image: allocateImage(dtype, n), labels: pinnedArray(Uint8Array, n) };
      await renderer.render(params, into);
      return anatomySample(params, o.imageSize, into.image, into.labels);
    },
  };
}

export function clinicalAdapter(input: ClinicalStreamOptions): SampleAdapter<ClinicalSample> {
  const { generator: _, ...config } = input;
  const synth = new ClinicalSynth(config);
  const { H, W } = synth.config;
  const images: Float32Array[] = [];
  return {
    name: 'clinical samples',
    async make(index, slot, reuse) {
      const batch = await synth.sampleIndices([index], reuse ? { images: (images[slot] ??= pinnedArray(Float32Array, H * W)) } : {});
      return { ...batch, index };
    },
  };
}

export function petCtAdapter(input: PetCtStreamOptions): SampleAdapter<PetCtSample> {
  const { generator: _, ...options } = input;
  const o = resolvePetCtOptions(options);
  const plan = planSurvival(o);
  const renderers: PetCtRenderer[] = [];
  return {
    name: 'PET/CT patients',
    async make(index, slot, reuse) {
      // The renderer draws into its own buffers (and its CT float and PET slab are scratch):
      // a sample the consumer keeps gets copies of the outputs.
      const patient = await renderPetCtPatient((renderers[slot] ??= new PetCtRenderer(o)), plan, index);
      const owned = reuse ? patient : { ...patient, ct: patient.ct.slice(), pet: patient.pet.slice(), seg: patient.seg.slice() };
      return { ...owned, index };
    },
  };
}

export function longitudinalAdapter(input: LongitudinalStreamOptions): SampleAdapter<LongitudinalSample> {
  const { model, decoder } = input;
  if (!(model instanceof NlmeModel)) throw invalidParameter('model', 'an NlmeModel', model);
  if (decoder === null || typeof decoder !== 'object' || typeof decoder.decode !== 'function') {
    throw invalidParameter('decoder', 'a LatentImageDecoder', decoder);
  }
  const D = decoder.latentDim;
  return {
    name: 'longitudinal subjects',
    async make(index) {
      const subject = model.subject(index);
      const decoded = await decoder.decode(Float64Array.from(subject.z.subarray(0, D)), [index]);
      return { index, subject, ...decoded, height: decoder.height, width: decoder.width };
    },
  };
}

export function noduleAdapter(input: NoduleStreamOptions): SampleAdapter<NoduleStreamSample> {
  const { generator: _, source: given, ...options } = input;
  if (given !== undefined && (given === null || typeof given.sample !== 'function')) throw invalidParameter('source', 'a NoduleSource', given);
  const source = given ?? new ProceduralNoduleSource(resolveNoduleOptions(options));
  return {
    name: `${source.name} nodules`,
    async make(index) {
      return { ...(await source.sample(index)), index };
    },
  };
}

/** The adapter for a generator's options (`generator` names it; default 'anatomy'). */
export function generatorAdapter(options: GeneratorStreamOptions): SampleAdapter<unknown> {
  if (options === null || typeof options !== 'object') throw invalidParameter('samples options', 'an object', options);
  const generator = checkOneOf('generator', options.generator ?? 'anatomy', GENERATOR_NAMES);
  switch (generator) {
    case 'anatomy':
      return anatomyAdapter(options as AnatomyStreamOptions);
    case 'clinical':
      return clinicalAdapter(options as ClinicalStreamOptions);
    case 'petct':
      return petCtAdapter(options as PetCtStreamOptions);
    case 'longitudinal':
      return longitudinalAdapter(options as LongitudinalStreamOptions);
    case 'nodules':
      return noduleAdapter(options as NoduleStreamOptions);
  }
}
