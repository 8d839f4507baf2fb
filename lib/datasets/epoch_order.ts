/**
 * The order a training loop reads a dataset in: as stored, or a seeded permutation per epoch.
 *
 * Shuffle (Fisher–Yates, Durstenfeld's in-place form): start from 0, 1, …, n − 1; for
 * i = n − 1 down to 1, draw u_i, the next 'uniform53' value of Philox4x32-10 keyed by
 * (seed, sample = epoch, stream = EPOCH_ORDER_STREAM), take j = ⌊u_i · (i + 1)⌋ and swap
 * positions i and j. The permutation is a pure function of (n, seed, epoch): any process, thread
 * count or resumed run sees the same order, and each epoch a different one.
 */
import { Rng } from '../core/philox.js';
import { checkInteger, checkSeed } from '../validate.js';

/** 'SHUF': the Philox stream of epoch orders (datasets' own data never uses it). */
export const EPOCH_ORDER_STREAM = 0x53485546;

/** The permutation of [0, n) for (seed, epoch). */
export function shuffledOrder(n: number, seed: number | bigint, epoch = 0): Uint32Array {
  checkInteger('n', n, 0, 0xffffffff);
  const rng = new Rng(checkSeed('seed', seed), checkInteger('epoch', epoch, 0, 0xffffffff), EPOCH_ORDER_STREAM);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
