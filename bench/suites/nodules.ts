/**
 * nodules: procedural nodule generation (one 64³ patch: sample, rasterize, margin blur, noise),
 * one augmentation (rotation, scaling, elastic 7³, noise) and radiomics features of 64 patches;
 * the summary adds the Fréchet distances on radiomics features that say how alike nodule sets
 * are (150 per set, bootstrap 95% intervals): procedural malignant nodules against new
 * procedural malignant draws, against their augmented copies and against benign nodules, and the
 * real-vs-real baseline (two halves of one set).
 */
import { AugmentedNoduleSource, ProceduralNoduleSource } from '../../lib/generators/nodules/source.js';
import { resolveNoduleOptions } from '../../lib/generators/nodules/options.js';
import { RADIOMICS_FEATURES, noduleFeatures } from '../../lib/generators/nodules/radiomics.js';
import { frechetBootstrap, realVsRealBaseline, type FrechetReport } from '../../lib/generators/nodules/frechet.js';
import { applyAugment, sampleAugmentParams } from '../../lib/generators/nodules/augment.js';
import type { NodulePatch } from '../../lib/generators/nodules/render.js';
import type { BenchCase, BenchSuite } from '../suite.js';

const o = resolveNoduleOptions({ seed: 7, malignantRatio: 1 });
const source = new ProceduralNoduleSource(o);
const VOX = o.patchSize[0] * o.patchSize[1] * o.patchSize[2];
const SET = 150;

async function featureSet(pick: (i: number) => boolean, make: (i: number) => Promise<{ patch: NodulePatch }>, n: number, start = 0): Promise<Float64Array> {
  const images = new Float32Array(n * VOX), masks = new Uint8Array(n * VOX);
  for (let i = start, k = 0; k < n; i++) {
    if (!pick(i)) continue;
    const { patch } = await make(i);
    images.set(patch.image, k * VOX);
    masks.set(patch.mask, k * VOX);
    k++;
  }
  return noduleFeatures(images, n, o.patchSize, { spacing: o.spacing, masks });
}

let frechet: Array<[string, FrechetReport]> = [];
let patch: NodulePatch | undefined;
let batch = { images: new Float32Array(0), masks: new Uint8Array(0) };

const cases = (): BenchCase[] => [
  {
    name: 'nodules: one 64³ procedural patch',
    size: o.patchSize.join('×'),
    floorBytes: VOX * 4,
    setup: async () => {
      patch = (await source.sample(0)).patch;
      // The Fréchet table (not timed).
      const malignant = (i: number) => source.params(i).malignant;
      const augmented = new AugmentedNoduleSource(source, (k) => k, o.seed);
      const real = await featureSet(malignant, (i) => source.sample(i), SET);
      const d = RADIOMICS_FEATURES.length;
      const opts = { replicates: 200, seed: 1 };
      frechet = [
        ['real-vs-real baseline (two halves of the malignant set)', realVsRealBaseline(real, d, opts)],
        ['new procedural malignant draws', frechetBootstrap(real, await featureSet(malignant, (i) => source.sample(i), SET, 5000), d, opts)],
        ['augmented copies of the malignant set', frechetBootstrap(real, await featureSet(malignant, (i) => augmented.sample(i), SET), d, opts)],
        ['benign procedural nodules', frechetBootstrap(real, await featureSet((i) => !malignant(i), (i) => source.sample(i), SET), d, opts)],
      ];
    },
    run: () => source.sample(1),
  },
  {
    name: 'nodules: augment one patch',
    size: o.patchSize.join('×'),
    floorBytes: VOX * 4,
    run: () => applyAugment(patch!, sampleAugmentParams({}, o.seed, 3)),
  },
  {
    name: 'nodules: radiomics of 64 patches',
    size: `64×${o.patchSize.join('×')}`,
    floorBytes: 64 * VOX * 4,
    setup: async () => {
      batch = { images: new Float32Array(64 * VOX), masks: new Uint8Array(64 * VOX) };
      for (let k = 0; k < 64; k++) {
        const s = await source.sample(k);
        batch.images.set(s.patch.image, k * VOX);
        batch.masks.set(s.patch.mask, k * VOX);
      }
    },
    run: () => noduleFeatures(batch.images, 64, o.patchSize, { spacing: o.spacing, masks: batch.masks }),
    teardown: () => {
      batch = { images: new Float32Array(0), masks: new Uint8Array(0) };
    },
  },
];

export const suite: BenchSuite = {
  name: 'nodules',
  cases,
  summarize: () => [
    `Fréchet distance on the ${RADIOMICS_FEATURES.length} radiomics features (standardised by the malignant set), ${SET} nodules per set, 95% bootstrap intervals:`,
    '',
    '| malignant procedural nodules against | FD | 95% interval |',
    '|---|---:|---|',
    ...frechet.map(([name, r]) => `| ${name} | ${r.distance.toFixed(2)} | ${r.lower95.toFixed(2)} – ${r.upper95.toFixed(2)} |`),
  ],
};
