/** Bulk Philox words from the addon (the same stream as lib/core/philox.ts, many at once). */
import { binding } from '../binding.js';
import { callNativeSync } from '../native.js';
import { checkInteger, checkSeed, outputArray } from '../validate.js';

/** Words of counters counter .. counter + count - 1, four per counter. */
export function philoxWords(
  seed: number | bigint,
  sample: number,
  stream: number,
  counter: number,
  count: number,
  out?: Uint32Array,
): Uint32Array {
  const options = {
    seed: checkSeed('seed', seed),
    sample: checkInteger('sample', sample, 0, 0xffffffff),
    stream: checkInteger('stream', stream, 0, 0xffffffff),
    counter: checkInteger('counter', counter),
  };
  const words = outputArray('out', out, Uint32Array, 4 * checkInteger('count', count, 0, 2 ** 28));
  callNativeSync(() => binding().philoxFillU32(options, words));
  return words;
}
