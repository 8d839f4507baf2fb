/**
 * loss_metric: the issue-6 targets. Focal Tversky forward + backward on a batch of 8×1×256×256
 * (vs the plain TS float64 reference, target ≥ 3× faster); Cox loss + gradient on 100,000
 * subjects and Harrell's C-index on 1,000,000 (each target < 0.5 s; references: plain TS
 * O(n log n) with Array.prototype.sort, cumulative sums and a Fenwick tree).
 */
import { Rng } from '../../lib/core/philox.js';
import { coxLoss, focalTverskyLoss } from '../../lib/loss/index.js';
import { concordanceIndex } from '../../lib/metric/index.js';
import { referenceCoxLossSorted, referenceFocalTversky } from '../../test/reference/losses.js';
import { referenceConcordanceFenwick } from '../../test/reference/metrics.js';
import type { BenchCase, BenchSuite } from '../suite.js';

const SEG_DIMS = [8, 1, 256, 256] as const;

function focalTverskyCase(fromLogits: boolean): BenchCase {
  const [batch, , y, x] = SEG_DIMS;
  const size = y * x;
  const options = { weightFN: 0.7, weightFP: 0.3, gamma: 0.75, smooth: 1, fromLogits };
  let pred: Float32Array | undefined;
  let target: Uint8Array | undefined;
  let grad: Float32Array | undefined;
  return {
    name: `focalTversky fwd+bwd (${fromLogits ? 'logits' : 'probabilities'})`,
    size: SEG_DIMS.join('×'),
    floorBytes: batch * size * 9, // pred + grad float32, target uint8
    setup: () => {
      const rng = new Rng(1, 0, 0);
      pred = Float32Array.from({ length: batch * size }, () => (fromLogits ? rng.range(-5, 5) : rng.uniform()));
      target = Uint8Array.from({ length: batch * size }, () => (rng.uniform() < 0.01 ? 1 : 0));
      grad = new Float32Array(batch * size);
    },
    run: () => focalTverskyLoss(pred!, target!, SEG_DIMS, options, grad),
    reference: () => referenceFocalTversky(pred!, target!, batch, size, options),
    teardown: () => {
      pred = target = grad = undefined;
    },
  };
}

function survivalData(n: number, seed: number) {
  const rng = new Rng(seed, 0, 0);
  const risk = Float64Array.from({ length: n }, () => rng.normal());
  // Times in days to one decimal: realistic ties.
  const time = Float64Array.from(risk, (r) => Math.round((-Math.log(rng.uniform() || 1e-300) / Math.exp(r)) * 3650) / 10);
  const event = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.7 ? 1 : 0));
  return { risk, time, event };
}

function coxCase(ties: 'breslow' | 'efron'): BenchCase {
  const n = 100_000;
  let data: ReturnType<typeof survivalData> | undefined;
  let grad: Float64Array | undefined;
  return {
    name: `coxLoss + grad (${ties})`,
    size: `n=${n}`,
    floorBytes: n * 25,
    setup: () => {
      data = survivalData(n, 2);
      grad = new Float64Array(n);
    },
    run: () => coxLoss(data!.risk, data!.time, data!.event, { ties }, grad),
    reference: () => referenceCoxLossSorted(data!.risk, data!.time, data!.event, ties),
    teardown: () => {
      data = grad = undefined;
    },
  };
}

function concordanceCase(): BenchCase {
  const n = 1_000_000;
  let data: ReturnType<typeof survivalData> | undefined;
  return {
    name: "Harrell's C-index",
    size: `n=${n}`,
    floorBytes: n * 17,
    setup: () => {
      data = survivalData(n, 3);
    },
    run: () => concordanceIndex(data!.risk, data!.time, data!.event),
    reference: () => referenceConcordanceFenwick(data!.risk, data!.time, data!.event),
    teardown: () => {
      data = undefined;
    },
  };
}

export const suite: BenchSuite = {
  name: 'loss_metric',
  cases: () => [focalTverskyCase(false), focalTverskyCase(true), coxCase('breslow'), coxCase('efron'), concordanceCase()],
};
