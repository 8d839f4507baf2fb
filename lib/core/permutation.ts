/**
 * The seeded order of an epoch, for every training loop and dataset reader: Fisher–Yates
 * (Durstenfeld's in-place form) on 0, 1, …, n − 1 — for i = n − 1 down to 1, u_i the next
 * 'uniform53' value of Philox4x32-10 keyed by (seed, sample = epoch, stream = SHUFFLE_STREAM),
 * j = ⌊u_i · (i + 1)⌋, swap positions i and j. A pure function of (n, seed, epoch), as
 * DataLoader(shuffle=True) without a global RNG: any process, thread count or resumed run sees
 * the same order, and each epoch another.
 */
import { checkInteger, checkSeed } from '../validate.js';
import { Rng } from './philox.js';

/** Philox stream of the epoch shuffles. */
export const SHUFFLE_STREAM = 0x5f1e;

/** A uniformly random permutation of 0..n-1 for (seed, epoch) (Fisher–Yates). */
export function permutation(n: number, seed: number | bigint, epoch: number): Int32Array {
  const order = new Int32Array(checkInteger('n', n, 0, 0x7fffffff));
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(checkSeed('seed', seed), checkInteger('epoch', epoch, 0, 0xffffffff), SHUFFLE_STREAM);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
