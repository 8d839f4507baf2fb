/**
 * A dataset on disk as a sample stream for training loops: in stored order or in the seeded
 * permutation of an epoch (lib/core/permutation.ts), through the same pipeline as the generators
 * (lib/stream/pipeline.ts). h5wasm reads synchronously on the JS thread, so reading ahead means
 * reading in the event loop's idle turns — while the consumer awaits its own (native) work —
 * with at most `prefetch` items read and not yet consumed.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

import { checkKnownKeys } from '../core/options_check.js';
import { permutation } from '../core/permutation.js';
import { invalidParameter } from '../errors.js';
import { STREAM_OPTION_KEYS, streamSamples, type SampleStream, type StreamOptions } from '../stream/pipeline.js';
import { checkSeed } from '../validate.js';

export interface DatasetStreamOptions extends Omit<StreamOptions, 'reuse'> {
  /** Read in a seeded permutation instead of the stored order (default false). */
  shuffle?: boolean;
  /** Seed of the permutation (default 0). */
  seed?: number | bigint;
  /** Epoch: each gives another permutation of the same seed (default 0). */
  epoch?: number;
}

const KEYS = ['shuffle', 'seed', 'epoch', ...STREAM_OPTION_KEYS.filter((k) => k !== 'reuse')];

/** Items of a reader by index (sync or async); `start`/`count` are positions in the (shuffled) order. */
export function datasetSamples<T>(dataset: { length: number; get(i: number): T | Promise<T> }, options: DatasetStreamOptions = {}): SampleStream<T> {
  if (options === null || typeof options !== 'object') throw invalidParameter('samples options', 'an object', options);
  checkKnownKeys('dataset samples options', options, KEYS);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw invalidParameter('shuffle', 'a boolean', options.shuffle);
  const order = options.shuffle ? permutation(dataset.length, checkSeed('seed', options.seed ?? 0), options.epoch ?? 0) : undefined;
  const { shuffle: _s, seed: _seed, epoch: _e, ...stream } = options;
  return streamSamples(
    {
      name: 'dataset items',
      end: dataset.length,
      async make(position) {
        await nextTurn(); // read in a later turn of the event loop, not inside the consumer's
        return dataset.get(order ? order[position] : position);
      },
    },
    stream,
  );
}
