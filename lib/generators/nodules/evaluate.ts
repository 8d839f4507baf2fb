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
  /** Nodules of the other set left out for an empty region (only with `emptyOther: 'drop'`). */
  droppedEmpty: number;
}

export interface CompareOptions extends Omit<RadiomicsOptions, 'masks'> {
  replicates?: number;
  seed?: number;
  /**
   * A nodule of the other set with an empty region (no mask voxel, or none at or above the
   * threshold) has no features: 'refuse' (the default) throws; 'drop' leaves it out of the
   * distance and counts it — for a generator still learning, whose empty patches are themselves
   * a result to report.
   */
  emptyOther?: 'refuse' | 'drop';
}

export async function compareNoduleSets(reference: NoduleSet, other: NoduleSet, dims: Dims, options: CompareOptions): Promise<NoduleSetComparison> {
  if (reference.n < 4 || other.n < 2) throw invalidParameter('sets', 'at least 4 reference and 2 other nodules', `${reference.n} and ${other.n}`);
  const { replicates, seed, emptyOther = 'refuse', ...radiomics } = options;
  const a = await noduleFeatures(reference.images, reference.n, dims, { ...radiomics, masks: reference.masks });
  let b = await noduleFeatures(other.images, other.n, dims, { ...radiomics, masks: other.masks });
  const d = RADIOMICS_FEATURES.length;
  const empty = (x: Float64Array, i: number) => x.subarray(i * d, (i + 1) * d).some((v) => !Number.isFinite(v));
  const nonEmptyRegion = 'nodules with a non-empty region (mask or threshold)';
  for (let i = 0; i < reference.n; i++) if (empty(a, i)) throw invalidParameter('reference', nonEmptyRegion, `an empty one (nodule ${i})`);
  const indices = Array.from({ length: other.n }, (_, i) => i);
  const emptyRows = indices.filter((i) => empty(b, i));
  if (emptyRows.length > 0) {
    if (emptyOther === 'refuse') throw invalidParameter('other', nonEmptyRegion, `an empty one (nodule ${emptyRows[0]})`);
    const kept = indices.filter((i) => !empty(b, i));
    if (kept.length < 2) throw invalidParameter('other', 'at least 2 nodules with a non-empty region', `${kept.length} of ${other.n}`);
    const all = b;
    b = new Float64Array(kept.length * d);
    kept.forEach((i, k) => b.set(all.subarray(i * d, (i + 1) * d), k * d));
  }
  return {
    distance: frechetBootstrap(a, b, d, { replicates, seed }),
    baseline: realVsRealBaseline(a, d, { replicates, seed }),
    features: RADIOMICS_FEATURES,
    droppedEmpty: emptyRows.length,
  };
}
