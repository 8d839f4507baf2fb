import { describe, expect, it } from 'vitest';

import { MedsynthError, addNoise, applyBiasField, findNonFinite, gaussianBlur } from '../lib/index.js';
import { Rng } from '../lib/core/philox.js';
import { findNonFiniteReference } from './reference/finite.js';

describe('findNonFinite', () => {
  it('matches the reference on random arrays with NaN/±Inf at random places (chunk edges included)', async () => {
    const rng = new Rng(7, 0, 0);
    const specials = [NaN, Infinity, -Infinity];
    for (const n of [0, 1, 7, 65535, 65536, 65537, 200_003]) {
      for (let trial = 0; trial < 3; trial++) {
        const x = new Float32Array(n).map(() => rng.range(-1e30, 1e30));
        const hits = trial === 0 ? 0 : 1 + Math.floor(rng.uniform() * 5);
        for (let h = 0; h < hits && n > 0; h++) x[Math.floor(rng.uniform() * n)] = specials[h % 3];
        if (n > 65536 && trial === 2) x[65536] = NaN; // first element of the second chunk
        expect(await findNonFinite(x), `n=${n} trial=${trial}`).toEqual(findNonFiniteReference(x));
      }
    }
  });

  it('finite edge values are finite: ±max float, subnormals, -0', async () => {
    const x = Float32Array.from([3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -1e-45, -0, 0]);
    expect(await findNonFinite(x)).toEqual({ count: 0, first: -1 });
  });
});

describe('non-finite inputs are refused unless allowNonFinite', () => {
  const x = new Float32Array(4 * 5 * 6).fill(1);
  x[17] = NaN;
  it.each([
    ['gaussianBlur', (allow?: boolean) => gaussianBlur(x, [4, 5, 6], { sigma: 1, allowNonFinite: allow })],
    ['addNoise', (allow?: boolean) => addNoise(x, { kind: 'gaussian', sigma: 1, seed: 1, allowNonFinite: allow })],
    ['applyBiasField', (allow?: boolean) => applyBiasField(x, [4, 5, 6], { order: 0, coefficients: [0.1], allowNonFinite: allow })],
  ])('%s', async (_name, run) => {
    const e = await run().then(() => undefined, (err) => err);
    expect(e).toBeInstanceOf(MedsynthError);
    expect((e as MedsynthError).code).toBe('INVALID_ARGUMENT');
    expect((e as Error).message).toMatch(/1 non-finite value\(s\) \(first at index 17: NaN\)/);
    const out = await run(true);
    expect(Number.isNaN(out[17])).toBe(true);
  });
});
