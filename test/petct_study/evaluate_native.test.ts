/**
 * evaluateStudy after its per-pixel passes went native (error map, square dilation, slice sums,
 * masked gather): the uncertainty and calibration fields against the former TypeScript passes
 * (test/reference/study_uncertainty.ts), on random studies with float and uint8 truth, with and
 * without variance; and the same output on 1 and 2 threads.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { Rng } from '../../lib/core/philox.js';
import { setThreads } from '../../lib/core/threads.js';
import { expectedCalibrationError } from '../../lib/metric/calibration.js';
import type { CorrelationResult } from '../../lib/metric/correlation.js';
import { evaluateStudy, NEIGHBOURHOOD_RADIUS, type EvaluatedPatient, type StudyEvaluationInput } from '../../lib/studies/petct/evaluate.js';
import { summarisePixelPasses } from '../../lib/studies/petct/mc_dropout.js';
import { syntheticPasses } from '../helpers/petct_study.js';
import { referenceStudyUncertainty } from '../reference/study_uncertainty.js';

afterAll(() => setThreads());

/** P patients with 1–4 slices each of [H, W]: random ellipses (some slices empty), synthetic MC maps. */
async function randomStudy(seed: number, P: number, H: number, W: number, uint8Truth: boolean): Promise<StudyEvaluationInput> {
  const rng = new Rng(seed, 0, 0);
  const slicePatient = Int32Array.from(Array.from({ length: P }, (_, k) => Array<number>(1 + rng.int(4)).fill(k)).flat());
  const S = slicePatient.length;
  const plane = H * W;
  const truth = new Float32Array(S * plane);
  for (let s = 0; s < S; s++) {
    const lesions = rng.uniform() < 0.25 ? 0 : 1 + rng.int(3);
    for (let l = 0; l < lesions; l++) {
      const [cy, cx, ry, rx] = [rng.uniform() * H, rng.uniform() * W, 1 + rng.uniform() * 8, 1 + rng.uniform() * 8];
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 < 1) truth[s * plane + y * W + x] = 1;
    }
  }
  const u = await summarisePixelPasses(await syntheticPasses(truth, S, [H, W], 6, seed));
  const patients: EvaluatedPatient[] = Array.from({ length: P }, (_, k) => ({
    id: `p${k}`,
    time: 1 + rng.uniform() * 50,
    event: rng.uniform() < 0.7 ? 1 : 0,
    linearPredictor: rng.normal(),
    risk: rng.normal(),
    riskLower: -1,
    riskUpper: 1,
  }));
  return {
    size: [H, W],
    slicePatient,
    probability: u.mean,
    entropy: u.entropy,
    variance: u.variance,
    truth: uint8Truth ? Uint8Array.from(truth, (t) => t * (1 + rng.int(200))) : truth,
    patients,
    mcPasses: 6,
  };
}

/** Equal within `rel` relative (both null, or both NaN, count as equal). */
function expectCorrelationClose(got: CorrelationResult | null, want: CorrelationResult | null, rel: number): void {
  expect(got === null).toBe(want === null);
  if (!got || !want) return;
  expect(got.n).toBe(want.n);
  for (const k of ['pearson', 'spearman'] as const) {
    if (Number.isNaN(want[k])) expect(got[k]).toBeNaN();
    else expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(rel * Math.abs(want[k]) + 1e-300);
  }
}

describe('evaluateStudy with native pixel passes', () => {
  it('gives the former TypeScript uncertainty and calibration results', async () => {
    const cases: Array<[number, number, number, number, boolean, boolean]> = [
      [1, 9, 48, 56, false, true],
      [2, 7, 64, 40, true, true],
      [3, 5, 33, 71, false, false],
    ];
    for (const [seed, P, H, W, uint8Truth, withVariance] of cases) {
      const input = await randomStudy(seed, P, H, W, uint8Truth);
      if (!withVariance) delete input.variance;
      const m = await evaluateStudy(input);
      const ref = await referenceStudyUncertainty({ ...input, patients: P, threshold: 0.5, radius: NEIGHBOURHOOD_RADIUS });
      const u = m.uncertainty;
      // Same values into the same correlation kernel: identical to the last bit.
      expect(u.pixelCorrelation).toEqual(ref.pixelCorrelation);
      expect(u.pixelVarianceCorrelation).toEqual(ref.pixelVarianceCorrelation);
      expect(u.neighbourhoodCorrelation).toEqual(ref.neighbourhoodCorrelation);
      expect(u.neighbourhoodCorrelation!.n).toBeGreaterThan(0);
      expect(u.neighbourhoodCorrelation!.n).toBeLessThan(input.probability.length);
      // Sums of float32 in another order (chunked lanes vs one running sum): equal to rounding.
      expect(Math.abs(u.meanEntropyBits - ref.meanEntropyBits)).toBeLessThanOrEqual(1e-13 * ref.meanEntropyBits);
      if (withVariance) expect(Math.abs(u.meanVariance - ref.meanVariance)).toBeLessThanOrEqual(1e-13 * ref.meanVariance);
      else expect(u.meanVariance).toBeNaN();
      expectCorrelationClose(u.sliceCorrelation, ref.sliceCorrelation, 1e-12);
      expectCorrelationClose(u.patientCorrelation, ref.patientCorrelation, 1e-12);
      expect(u.sliceCorrelation).not.toBeNull();
      expect(u.patientCorrelation).not.toBeNull();
      // Calibration reads the native labels: the same as from the former TypeScript labels.
      const top = await expectedCalibrationError(input.probability, ref.label, { bins: 15, mode: 'confidence' });
      const pos = await expectedCalibrationError(input.probability, ref.label, { bins: 15, mode: 'positive' });
      expect(m.calibration.ece).toBe(top.ece);
      expect(m.calibration.mce).toBe(top.mce);
      expect(m.calibration.positiveClassEce).toBe(pos.ece);
      expect(m.calibration.bins.count).toEqual(Array.from(pos.bins.count));
      expect(m.calibration.topLabelBins.accuracy).toEqual(Array.from(top.bins.accuracy));
    }
  });

  it('gives the same metrics on 1 and 2 threads', async () => {
    const input = await randomStudy(4, 6, 128, 128, false);
    setThreads(1);
    const one = await evaluateStudy(input);
    setThreads(2);
    const two = await evaluateStudy(input);
    setThreads();
    expect(two).toEqual(one);
  });
});
