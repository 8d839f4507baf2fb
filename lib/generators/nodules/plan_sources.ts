/**
 * The NoduleSource behind each entry of a plan (balance.ts): the procedural generator for the
 * cohort and 'procedural' draws, augmented copies of cohort nodules for 'augmented' (copy k of
 * its entry's parent, augmentation keyed by (seed, k)), and a caller's source for any other name.
 * Shared by the dataset writer and the downstream experiment, so both make the same nodules.
 */
import { invalidParameter } from '../../errors.js';
import type { AugmentOptions } from './augment.js';
import type { BalanceEntry } from './balance.js';
import type { ResolvedNoduleOptions } from './options.js';
import { AugmentedNoduleSource, ProceduralNoduleSource, type NoduleSource } from './source.js';

const BUILT_IN = ['cohort', 'procedural', 'augmented'];

/** Checks that every entry's source exists (before anything is written) and returns the resolver. */
export function planSources(
  o: ResolvedNoduleOptions,
  plan: readonly BalanceEntry[],
  extra: Readonly<Record<string, NoduleSource>> = {},
  augment?: AugmentOptions,
): (entry: BalanceEntry) => NoduleSource {
  for (const e of plan) {
    if (!BUILT_IN.includes(e.source) && !extra[e.source]) {
      throw invalidParameter('balance', `sources that exist (no source named '${e.source}')`, e.source);
    }
  }
  const procedural = new ProceduralNoduleSource(o);
  const parents = new Map(plan.filter((e) => e.source === 'augmented').map((e) => [e.index, e.parentIndex!]));
  const augmented = new AugmentedNoduleSource(procedural, (k) => parents.get(k)!, o.seed, augment);
  return (e) => (e.source === 'cohort' || e.source === 'procedural' ? procedural : e.source === 'augmented' ? augmented : extra[e.source]);
}
