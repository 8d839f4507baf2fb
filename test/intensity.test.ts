import { describe, expect, it } from 'vitest';

import { Rng } from '../lib/core/philox.js';
import { castToInt16, castToUint8, clamp, rescale, windowLevel } from '../lib/ops/intensity.js';

function randomVolume(n: number, seed: number, lo = -1000, hi = 1000): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

const roundHalfAway = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5) + 0; // + 0 turns -0 into 0

describe('intensity steps', () => {
  const x = randomVolume(100_003, 1);

  it('windowLevel matches the reference formula', async () => {
    const y = await windowLevel(x, { center: 40, width: 400, outMin: 0, outMax: 255 });
    for (let i = 0; i < x.length; i += 97) {
      const ref = Math.min(Math.max((x[i] - (40 - 200)) / 400, 0), 1) * 255;
      expect(y[i]).toBeCloseTo(ref, 3);
    }
  });

  it('rescale by ranges and clamp', async () => {
    const y = await rescale(x, { inRange: [-1000, 1000], outRange: [0, 1] });
    expect(y[5]).toBeCloseTo((x[5] + 1000) / 2000, 6);
    const c = await clamp(x, -10, 10);
    expect(Math.max(...c)).toBeLessThanOrEqual(10);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(-10);
    expect(c[7]).toBe(Math.min(Math.max(x[7], -10), 10));
  });

  it('works in place', async () => {
    const y = Float32Array.from(x);
    await rescale(y, { scale: 2, offset: 1 }, y);
    expect(y[11]).toBe(Math.fround(x[11] * 2 + 1));
  });

  it('casts round half away from zero and saturate', async () => {
    const v = Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, 254.5, 255.4, 300, -3, NaN, 0.49999997]);
    expect([...(await castToUint8(v))]).toEqual([1, 2, 3, 0, 0, 255, 255, 255, 0, 0, 0]);
    const w = Float32Array.from([0.5, -0.5, -1.5, 40000, -40000, 2.4999, NaN]);
    expect([...(await castToInt16(w))]).toEqual([1, -1, -2, 32767, -32768, 2, 0]);
    const big = await castToInt16(x);
    for (let i = 0; i < x.length; i += 101) expect(big[i]).toBe(roundHalfAway(x[i]));
  });

  it('rejects bad input with MedsynthError', async () => {
    await expect(windowLevel(x, { center: 0, width: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(windowLevel(x, { center: NaN, width: 1 })).rejects.toThrow(/center/);
    await expect(rescale(x, { scale: 1, offset: 0 }, new Float32Array(3))).rejects.toThrow(/out/);
    await expect(clamp(x, 1, 0)).rejects.toThrow(/hi/);
    await expect(castToUint8(new Float64Array(4) as unknown as Float32Array)).rejects.toThrow(/Float32Array/);
  });
});
