/**
 * The partition of a run's global sample indices among N shards. It is contiguous: shard k of a
 * range of `count` indices starting at `first` holds [first + ⌊k·count/N⌋, first + ⌊(k+1)·count/N⌋).
 * Shards are then in index order, so merging concatenates them, and block sizes differ by at
 * most one. Splits are planned for the whole run first and each split is partitioned on its own,
 * so every sample lands in the same split as in the unsharded run.
 */

export interface ShardSpec {
  /** 0-based shard index k. */
  index: number;
  /** Number of shards N. */
  count: number;
  /** Where the numbers came from (for messages): 'flag', 'kubernetes', 'slurm'. */
  source?: 'flag' | 'kubernetes' | 'slurm';
}

/** A contiguous block of global sample indices [first, first + count). */
export interface IndexRange {
  first: number;
  count: number;
}

/** Shard `shard`'s contiguous block of the range [first, first + count). */
export function shardBlock(range: IndexRange, shard: Pick<ShardSpec, 'index' | 'count'>): IndexRange {
  const lo = Math.floor((shard.index * range.count) / shard.count);
  const hi = Math.floor(((shard.index + 1) * range.count) / shard.count);
  return { first: range.first + lo, count: hi - lo };
}

/** 'k/N' */
export const shardLabel = (s: Pick<ShardSpec, 'index' | 'count'>) => `${s.index}/${s.count}`;
