/**
 * Comparing two nodule sets the way the seed's FID compares real and generated nodules, on
 * radiomics features instead of Inception activations: the Fréchet distance with its bootstrap
 * interval, next to the real-vs-real baseline at the same sample size — the number a generator's
 * distance should be read against. Sets without masks (learned nodules) are segmented by the
 * radiomics threshold (−400 HU by default).
 */
import { invalidParameter } from '../../errors.js';
import type { Dims } from '../../validate.js';
import { frechetBootstrap, realVsRealBaseline, type FrechetReport } from './frechet.js';
import { RADIOMICS_FEATURES, noduleFeatures, type RadiomicsOptions } from './radiomics.js';

export interface NoduleSet {
  /** [n, Z, Y, X] HU. */
  images: Float32Array;
  /** [n, Z, Y, X] masks, or none (the threshold then defines the nodule). */
  masks?: Uint8Array;
  n: number;
}

export interface NoduleSetComparison {
  /** FD between the reference set and the other, with its bootstrap interval. */
  distance: FrechetReport;
  /** FD between two random halves of the reference set. */
  baseline: FrechetReport;
  features: readonly string[];
}

export async function compareNoduleSets(
  reference: NoduleSet,
  other: NoduleSet,
  dims: Dims,
  options: Omit<RadiomicsOptions, 'masks'> & { replicates?: number; seed?: number },
): Promise<NoduleSetComparison> {
  if (reference.n < 4 || other.n < 2) throw invalidParameter('sets', 'at least 4 reference and 2 other nodules', `${reference.n} and ${other.n}`);
  const { replicates, seed, ...radiomics } = options;
  const a = await noduleFeatures(reference.images, reference.n, dims, { ...radiomics, masks: reference.masks });
  const b = await noduleFeatures(other.images, other.n, dims, { ...radiomics, masks: other.masks });
  const d = RADIOMICS_FEATURES.length;
  for (const [name, x] of [['reference', a], ['other', b]] as const) {
    if (x.some((v) => !Number.isFinite(v))) throw invalidParameter(name, 'nodules with a non-empty region (mask or threshold)', 'an empty one');
  }
  return {
    distance: frechetBootstrap(a, b, d, { replicates, seed }),
    baseline: realVsRealBaseline(a, d, { replicates, seed }),
    features: RADIOMICS_FEATURES,
  };
}
