import { afterEach, describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { expectedCalibrationError } from '../lib/metric/index.js';
import { referenceCalibration } from './reference/metrics.js';

/** Labels drawn as Bernoulli(distort(p)): calibrated when distort is the identity. */
function calibrationCase(n: number, seed: number, distort: (p: number) => number) {
  const rng = new Rng(seed, 0, 0);
  const prob = Float32Array.from({ length: n }, () => rng.uniform());
  const label = Uint8Array.from(prob, (p) => (rng.uniform() < distort(p) ? 1 : 0));
  return { prob, label };
}

function expectCloseOrNaN(actual: Float64Array, expected: number[]) {
  expected.forEach((v, b) => (Number.isNaN(v) ? expect(actual[b]).toBeNaN() : expect(actual[b]).toBeCloseTo(v, 12)));
}

describe('expected calibration error', () => {
  afterEach(() => setThreads());

  for (const mode of ['confidence', 'positive'] as const) {
    it(`matches the reference, bins and all (${mode})`, async () => {
      const { prob, label } = calibrationCase(20_000, 1, (p) => p * p);
      prob[0] = 1; // the last bin holds 1
      prob[1] = 0;
      prob[2] = 0.5;
      for (const bins of [1, 10, 15]) {
        const ref = referenceCalibration(prob, label, bins, mode);
        const r = await expectedCalibrationError(prob, label, { bins, mode });
        expect(r.ece).toBeCloseTo(ref.ece, 12);
        expect(r.mce).toBeCloseTo(ref.mce, 12);
        expect([...r.bins.count]).toEqual(ref.count);
        expectCloseOrNaN(r.bins.meanConfidence, ref.meanConfidence);
        expectCloseOrNaN(r.bins.accuracy, ref.accuracy);
        expect(r.bins.lower[0]).toBe(0);
        expect(r.bins.upper[bins - 1]).toBe(1);
      }
    });
  }

  it('is small for calibrated probabilities and large for overconfident ones', async () => {
    const good = calibrationCase(200_000, 2, (p) => p);
    const bad = calibrationCase(200_000, 2, (p) => 0.5 + (p - 0.5) * 0.3);
    expect((await expectedCalibrationError(good.prob, good.label)).ece).toBeLessThan(0.01);
    expect((await expectedCalibrationError(bad.prob, bad.label)).ece).toBeGreaterThan(0.15);
  });

  it('leaves empty bins NaN and top-label bins below 0.5 empty', async () => {
    const r = await expectedCalibrationError(Float32Array.from([0.95, 0.05]), Uint8Array.from([1, 0]), { bins: 10 });
    expect(r.bins.count[9]).toBe(2);
    expect(r.bins.meanConfidence[9]).toBeCloseTo(0.95, 6);
    expect(r.bins.accuracy[9]).toBe(1);
    expect(r.bins.meanConfidence[0]).toBeNaN();
    expect(r.bins.count.slice(0, 5).every((c) => c === 0)).toBe(true);
    expect(r.ece).toBeCloseTo(0.05, 6);
  });

  it('is deterministic across thread counts', async () => {
    const { prob, label } = calibrationCase(300_000, 3, (p) => p);
    setThreads(1);
    const one = await expectedCalibrationError(prob, label, { bins: 20 });
    setThreads(2);
    const two = await expectedCalibrationError(prob, label, { bins: 20 });
    expect(two).toEqual(one);
  });

  it('rejects bad input with MedsynthError INVALID_ARGUMENT', async () => {
    const prob = Float32Array.from([0.2, 0.7]);
    const label = Uint8Array.from([0, 1]);
    const bad = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await bad(expectedCalibrationError(prob, label, { bins: 0 }));
    await bad(expectedCalibrationError(prob, label, { bins: 2.5 }));
    await bad(expectedCalibrationError(prob, label, { mode: 'top' as 'positive' }));
    await bad(expectedCalibrationError(prob, label.subarray(1)));
    await bad(expectedCalibrationError(new Float32Array(0), new Uint8Array(0)));
    await bad(expectedCalibrationError(Float32Array.from([0.2, 1.2]), label));
    await bad(expectedCalibrationError(Float32Array.from([0.2, NaN]), label));
    await bad(expectedCalibrationError(prob, Uint8Array.from([0, 2])));
  });
});
