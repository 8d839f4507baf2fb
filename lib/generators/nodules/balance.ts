/**
 * Class balancing as the seed's table does it: keep every nodule of an imbalanced cohort (its
 * "real" benign and malignant ones) and add malignant nodules from other sources until malignant
 * equals benign (1:1). Sources of extra malignant nodules, mixed by share:
 *   'procedural'  new procedural nodules drawn from the same model and kept when malignant
 *                 (indices from the cohort's size upward whose label is malignant);
 *   'augmented'   augmented copies of the cohort's malignant nodules (copy k of malignant
 *                 nodule k mod M, its augmentation keyed by (seed, k));
 *   any other name  a learned source (e.g. a GAN) that the caller resolves: entry k of it.
 * The plan is plain data; the dataset writer turns it into patches.
 */
import { invalidParameter } from '../../errors.js';
import type { ResolvedNoduleOptions } from './options.js';
import { sampleNoduleParams } from './sample_params.js';

export interface BalanceEntry {
  /** 'cohort' for the imbalanced cohort's own nodules, else the extra source's name. */
  source: string;
  /** Procedural nodule index (cohort, procedural), augmentation key (augmented) or the source's own index. */
  index: number;
  /** augmented: the cohort index of the copied nodule. */
  parentIndex: number | null;
  malignant: boolean;
}

/** Splits `total` by `shares` (largest remainder; ties to the earlier name). */
function allocate(total: number, shares: Readonly<Record<string, number>>): Array<[string, number]> {
  const names = Object.keys(shares);
  const sum = names.reduce((a, n) => a + shares[n], 0);
  const exact = names.map((n) => (total * shares[n]) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = names.map((_, i) => i).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  for (const i of order) if (left-- > 0) counts[i]++;
  return names.map((n, i) => [n, counts[i]]);
}

/**
 * The balanced plan for a cohort of procedural nodules 0 … n−1 with the given labels, the extra
 * malignant nodules split between `mix`'s sources (default: half procedural, half augmented).
 */
export function planBalancedDataset(
  o: ResolvedNoduleOptions,
  cohortLabels: readonly boolean[],
  mix: Readonly<Record<string, number>> = { procedural: 0.5, augmented: 0.5 },
): BalanceEntry[] {
  const names = Object.keys(mix);
  if (names.length === 0) throw invalidParameter('mix', 'at least one source of malignant nodules', mix);
  for (const n of names) if (!(typeof mix[n] === 'number' && mix[n] >= 0 && Number.isFinite(mix[n]))) throw invalidParameter(`mix.${n}`, 'a share >= 0', mix[n]);
  if (!names.some((n) => mix[n] > 0)) throw invalidParameter('mix', 'a positive share somewhere', mix);
  const plan: BalanceEntry[] = cohortLabels.map((m, i) => ({ source: 'cohort', index: i, parentIndex: null, malignant: m }));
  const malignant = plan.filter((e) => e.malignant).map((e) => e.index);
  const benign = plan.length - malignant.length;
  const deficit = benign - malignant.length;
  if (deficit <= 0) return plan;
  for (const [name, count] of allocate(deficit, mix)) {
    if (count === 0) continue;
    if (name === 'augmented') {
      if (malignant.length === 0) throw invalidParameter('mix.augmented', 'a cohort with at least one malignant nodule to copy', 0);
      for (let k = 0; k < count; k++) plan.push({ source: 'augmented', index: k, parentIndex: malignant[k % malignant.length], malignant: true });
    } else if (name === 'procedural') {
      // Malignant draws are ~1/(1 + ratio) of all: the scan is bounded by a generous multiple.
      const limit = cohortLabels.length + 1000 + Math.ceil(count * (o.malignantRatio + 1) * 20);
      let found = 0;
      for (let i = cohortLabels.length; found < count; i++) {
        if (i >= limit) throw invalidParameter('mix.procedural', `a model that yields malignant nodules (none in ${limit} draws)`, count);
        if (sampleNoduleParams(o, i).malignant) {
          plan.push({ source: 'procedural', index: i, parentIndex: null, malignant: true });
          found++;
        }
      }
    } else {
      for (let k = 0; k < count; k++) plan.push({ source: name, index: k, parentIndex: null, malignant: true });
    }
  }
  return plan;
}
