/**
 * Where nodule patches come from. Every source — procedural (this generator), augmented copies of
 * another source's nodules, and later a learned generator (the seed's 3D WGAN-GP) — hands out
 * patches of the same shape through one interface, addressed by index, so balancing, insertion,
 * writing and evaluation do not care which made a nodule.
 */
import { applyAugment, sampleAugmentParams, type AugmentOptions, type AugmentParams } from './augment.js';
import type { ResolvedNoduleOptions } from './options.js';
import { renderNodule, type NodulePatch } from './render.js';
import { sampleNoduleParams, type NoduleParams } from './sample_params.js';

export interface NoduleSample {
  patch: NodulePatch;
  /** Whether the nodule is labelled malignant (a learned source of malignant nodules: always). */
  malignant: boolean;
  /** Procedural parameters, when the nodule has them (a copy carries its parent's). */
  params: NoduleParams | null;
  /** Partial-volume volume of the nodule (mm³), when known. */
  volumeMm3: number | null;
  /** Augmentation applied, if any. */
  augment: AugmentParams | null;
}

export interface NoduleSource {
  readonly name: string;
  sample(index: number): Promise<NoduleSample>;
}

export class ProceduralNoduleSource implements NoduleSource {
  readonly name = 'procedural';
  constructor(readonly options: ResolvedNoduleOptions) {}

  params(index: number): NoduleParams {
    return sampleNoduleParams(this.options, index);
  }

  async sample(index: number): Promise<NoduleSample> {
    const params = this.params(index);
    const { patch, volumeMm3 } = await renderNodule(params, this.options);
    return { patch, malignant: params.malignant, params, volumeMm3, augment: null };
  }
}

/** Augmented copies: copy `index` is parent(index) from `base`, augmented with key (seed, index). */
export class AugmentedNoduleSource implements NoduleSource {
  readonly name = 'augmented';
  constructor(
    readonly base: NoduleSource,
    readonly parent: (index: number) => number,
    readonly seed: number | bigint,
    readonly augment: AugmentOptions = {},
  ) {}

  async sample(index: number): Promise<NoduleSample> {
    const original = await this.base.sample(this.parent(index));
    const augment = sampleAugmentParams(this.augment, this.seed, index);
    const patch = await applyAugment(original.patch, augment);
    return { ...original, patch, volumeMm3: null, augment };
  }
}
