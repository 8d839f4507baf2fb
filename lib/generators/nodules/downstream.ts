/**
 * The data of seed 002's downstream experiment: imbalanced training cohorts, their 1:1 balanced
 * versions, and imbalanced validation and test sets that share no nodule with training.
 *
 * One dataset seed, disjoint index ranges (a procedural nodule is a pure function of (seed,
 * index), so disjoint ranges are disjoint nodules):
 *   training cohort    [0, nTrain)                       imbalanced, as generated (12:1 default)
 *   procedural extras  [nTrain, …) < VALIDATION_OFFSET   malignant draws added by balancing
 *   validation         [VALIDATION_OFFSET, + nVal)       imbalanced: per-epoch loss, threshold choice
 *   test               [TEST_OFFSET, + nTest)            imbalanced: the reported metrics
 * Augmented copies are of the training cohort's malignant nodules; a learned source's samples are
 * keyed by their own index.
 */
import { invalidParameter } from '../../errors.js';
import type { AugmentOptions } from './augment.js';
import { planBalancedDataset, type BalanceEntry } from './balance.js';
import { planSources } from './plan_sources.js';
import type { ResolvedNoduleOptions } from './options.js';
import { sampleNoduleParams } from './sample_params.js';
import type { NoduleSource } from './source.js';

export const VALIDATION_OFFSET = 1_000_000_000;
export const TEST_OFFSET = 2_000_000_000;

/** How the training set is balanced: not at all, as `medsynth nodules --balance` does, or with a learned source. */
export const BALANCE_ARMS = ['none', 'procedural', 'gan'] as const;
export type BalanceArm = (typeof BALANCE_ARMS)[number];
/** The source name of a learned generator's entries in a 'gan' plan. */
export const GAN_SOURCE = 'gan';

/** Nodules [first, first + n) of the procedural cohort with their labels. */
export function cohortEntries(o: ResolvedNoduleOptions, first: number, n: number): BalanceEntry[] {
  return Array.from({ length: n }, (_, i) => ({ source: 'cohort', index: first + i, parentIndex: null, malignant: sampleNoduleParams(o, first + i).malignant }));
}

/** Refuses a set without a malignant or without a benign nodule: its metrics would be undefined. */
export function requireBothClasses(name: string, entries: readonly BalanceEntry[]): void {
  const malignant = entries.filter((e) => e.malignant).length;
  if (malignant === 0 || malignant === entries.length) {
    throw invalidParameter(name, `a size that holds malignant and benign nodules (${malignant} malignant of ${entries.length}; use a larger n)`, entries.length);
  }
}

/** The training plan of one arm: the cohort [0, nTrain), balanced 1:1 for 'procedural' and 'gan'. */
export function trainingPlan(o: ResolvedNoduleOptions, nTrain: number, arm: BalanceArm): BalanceEntry[] {
  const cohort = cohortEntries(o, 0, nTrain);
  requireBothClasses('nTrain', cohort);
  if (arm === 'none') return cohort;
  const labels = cohort.map((e) => e.malignant);
  // 'procedural': the mix `medsynth nodules --balance` uses (half new draws, half augmented copies).
  const plan = arm === 'procedural' ? planBalancedDataset(o, labels) : planBalancedDataset(o, labels, { [GAN_SOURCE]: 1 });
  for (const e of plan) {
    if (e.source === 'procedural' && e.index >= VALIDATION_OFFSET) throw invalidParameter('nTrain', `a cohort whose balancing draws stay below index ${VALIDATION_OFFSET}`, nTrain);
  }
  return plan;
}

export interface DownstreamSplits {
  validation: BalanceEntry[];
  test: BalanceEntry[];
}

export function evaluationSplits(o: ResolvedNoduleOptions, nVal: number, nTest: number): DownstreamSplits {
  const validation = cohortEntries(o, VALIDATION_OFFSET, nVal);
  const test = cohortEntries(o, TEST_OFFSET, nTest);
  requireBothClasses('nVal', validation);
  requireBothClasses('nTest', test);
  return { validation, test };
}

/** Rendered patches of a plan, scaled for the network, with labels and true probabilities. */
export interface PatchSet {
  entries: readonly BalanceEntry[];
  /** One [s, s, s] array per entry (row-major z, y, x), mapped by `scale`. */
  patches: Float32Array[];
  labels: Uint8Array;
  /** The risk model's P(malignant) of each nodule (NaN for a learned source's). */
  probability: Float64Array;
}

export interface RenderPatchOptions {
  /** Learned sources by plan name (GAN_SOURCE). */
  sources?: Readonly<Record<string, NoduleSource>>;
  augment?: AugmentOptions;
  /** Applied to every voxel (HU → network input). */
  scale: (hu: number) => number;
  /** Patches already rendered, by `source:index`; filled as entries are rendered (shared across arms). */
  cache?: Map<string, Float32Array>;
  onPatch?: (done: number, total: number) => void;
}

export async function renderPatchSet(o: ResolvedNoduleOptions, entries: readonly BalanceEntry[], r: RenderPatchOptions): Promise<PatchSet> {
  const sourceOf = planSources(o, entries, r.sources, r.augment);
  const cache = r.cache ?? new Map<string, Float32Array>();
  const patches: Float32Array[] = [];
  const probability = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    // Cohort and procedural entries are the same procedural nodule at the same index.
    const key = `${e.source === 'cohort' ? 'procedural' : e.source}:${e.index}`;
    let patch = cache.get(key);
    if (!patch) {
      const s = await sourceOf(e).sample(e.index);
      patch = Float32Array.from(s.patch.image, r.scale);
      cache.set(key, patch);
    }
    patches.push(patch);
    probability[i] = e.source === 'cohort' || e.source === 'procedural' || e.source === 'augmented' ? sampleNoduleParams(o, e.parentIndex ?? e.index).malignancyProbability : NaN;
    r.onPatch?.(i + 1, entries.length);
  }
  return { entries, patches, labels: Uint8Array.from(entries, (e) => (e.malignant ? 1 : 0)), probability };
}
