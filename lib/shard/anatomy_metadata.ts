/**
 * The metadata.json of an anatomy dataset joined from shards, as one unsharded run writes it:
 * each split's count and first index are the run's, and the per-split scenario counts are the
 * shards' sums. Used by `medsynth merge` and by the reader opening a list of shard directories.
 */
import type { RunRanges } from './manifest.js';

type Scenario = { name: string; counts?: Record<string, number> } & Record<string, unknown>;

export function mergedAnatomyMetadata(shardMetadata: ReadonlyArray<Record<string, unknown>>, run: RunRanges): Record<string, unknown> {
  const merged = structuredClone(shardMetadata[0]);
  delete merged.file_bytes; // a property of each directory, recomputed when the merged set is written
  merged.splits = Object.fromEntries(Object.entries(run).map(([name, r]) => [name, { file: `${name}.h5`, count: r.count, first_sample_index: r.first }]));
  merged.scenarios = (merged.scenarios as Scenario[]).map((scenario, i) => ({
    ...scenario,
    counts: Object.fromEntries(
      Object.keys(run).map((split) => [
        split,
        shardMetadata.reduce((sum, m) => sum + ((m.scenarios as Scenario[])[i].counts?.[split] ?? 0), 0),
      ]),
    ),
  }));
  return merged;
}
