import { describe, expect, it } from 'vitest';

import { setThreads } from '../lib/core/threads.js';
import { ParametricOctDecoder } from '../lib/generators/longitudinal/decoder.js';
import { LATENT_DIM, octRows } from '../lib/generators/longitudinal/latent_map.js';
import { OCT_ROW, OCT_STRIDE, renderOctRows } from '../lib/generators/longitudinal/oct_render.js';
import { Rng } from '../lib/core/philox.js';
import { nativeAddon } from '../lib/native.js';
import { referenceOctImage } from './reference/oct_layers.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Random latents: standard normals, scaled by `spread` to reach the extremes. */
function randomZ(n: number, seed: number, spread = 1.5): Float64Array {
  const rng = new Rng(seed, 0, 77);
  return Float64Array.from({ length: n * LATENT_DIM }, () => spread * rng.normal());
}

describe('OCT layered-retina renderer', () => {
  for (const [H, W] of [[24, 40], [33, 17], [8, 64]] as const) {
    it(`matches the float64 reference on random latents (${H}×${W})`, async () => {
      const dec = new ParametricOctDecoder({ seed: 5, height: H, width: W });
      const subjects = [0, 1, 2, 3, 4, 5, 77, 4294967295];
      const z = randomZ(subjects.length, H * W);
      const { images } = await dec.decode(z, subjects);
      const { rows } = octRows(5, subjects, z, H, W);
      for (let j = 0; j < subjects.length; j++) {
        const ref = referenceOctImage(dec.render, rows.subarray(j * OCT_STRIDE, (j + 1) * OCT_STRIDE));
        expect(maxAbsDiff(images.subarray(j * H * W, (j + 1) * H * W), ref)).toBeLessThan(2e-5 * (1 + Math.max(...ref.map(Math.abs))));
      }
    });
  }

  it('matches the reference without speckle, without noise and with zero grain', async () => {
    const H = 20, W = 30;
    const dec = new ParametricOctDecoder({ seed: 11, height: H, width: W, noiseSigma: 0 });
    const z = randomZ(3, 4);
    const { rows } = octRows(11, [0, 1, 2], z, H, W);
    rows[OCT_ROW.speckle] = 0;
    const o = { ...dec.render, grainAxial: 0, grainLateral: 2.5 };
    const out = await renderOctRows(rows, o, new Float32Array(3 * H * W));
    for (let j = 0; j < 3; j++) {
      const ref = referenceOctImage(o, rows.subarray(j * OCT_STRIDE, (j + 1) * OCT_STRIDE));
      expect(maxAbsDiff(out.subarray(j * H * W, (j + 1) * H * W), ref)).toBeLessThan(2e-5 * 3);
    }
  });

  it('draws the layers where the geometry puts them: vitreous dark above the ILM, RPE bright', async () => {
    const H = 128, W = 64;
    const dec = new ParametricOctDecoder({ seed: 1, height: H, width: W, noiseSigma: 0 });
    const z = new Float64Array(LATENT_DIM);
    z[5] = -40; // speckle → 0: the bare reflectivity profile
    const { images, factors } = await dec.decode(z, [3]);
    const { rows } = octRows(1, [3], z, H, W);
    const bruch = rows[OCT_ROW.bruch];
    const thickness = factors[0];
    const x = 5; // far from the pit
    const col = (y: number) => images[y * W + x];
    expect(col(Math.floor(bruch - thickness - 6))).toBeLessThan(0.05); // vitreous
    // The brightest pixel of the column is in the RPE band (just above Bruch's, below any drusen).
    let best = 0;
    for (let y = 1; y < H; y++) if (col(y) > col(best)) best = y;
    const drusenLift = bruch - best;
    expect(drusenLift).toBeGreaterThan(0);
    expect(drusenLift).toBeLessThan(0.06 * thickness + 0.045 * H * 1.3 * 8 + 2);
  });

  it('each latent dimension moves only its own factor, and the image shows that factor', async () => {
    const H = 96, W = 128;
    const dec = new ParametricOctDecoder({ seed: 2, height: H, width: W, noiseSigma: 0 });
    // Base: no drusen (z2 = −3), almost no speckle (z5 = −40) so geometry can be read off the image.
    const base = () => {
      const z = new Float64Array(LATENT_DIM);
      z[2] = -3;
      z[5] = -40;
      return z;
    };
    const render = async (set: Record<number, number>) => {
      const z = base();
      for (const [k, v] of Object.entries(set)) z[Number(k)] = v;
      const { images, factors } = await dec.decode(z, [9]);
      return { images, factors };
    };
    // Factor table: moving z_k changes factor k only (nuisance columns 8… never).
    const ref = (await render({})).factors;
    for (let k = 0; k < LATENT_DIM; k++) {
      const { factors } = await render({ [k]: k === 2 ? 0 : k === 5 ? -38 : 1.5 });
      for (let c = 0; c < factors.length; c++) {
        if (c === k) expect(factors[c], `z${k}`).not.toBe(ref[c]);
        else expect(factors[c], `z${k} moved factor ${c}`).toBe(ref[c]);
      }
    }
    // ILM depth of column x: the first row brighter than halfway between vitreous and RNFL.
    const ilm = (img: Float32Array, x: number) => {
      for (let y = 0; y < H; y++) if (img[y * W + x] > 0.3) return y;
      return H;
    };
    const a = (await render({ 0: -2 })).images, b = (await render({ 0: 2 })).images;
    expect(ilm(a, 5) - ilm(b, 5)).toBeGreaterThan(0.34 * H * (Math.exp(0.3) - Math.exp(-0.3)) - 2); // thicker retina, ILM higher
    const bowl = (await render({ 1: 2 })).images, dome = (await render({ 1: -2 })).images;
    expect(ilm(bowl, 0) - ilm(bowl, W / 4)).toBeGreaterThan(5); // z1 > 0: edges deeper
    expect(ilm(dome, 0) - ilm(dome, W / 4)).toBeLessThan(-5);
    const up = (await render({ 7: 2 })).images;
    expect(ilm(up, W - 1) - ilm(up, 0)).toBeGreaterThan(0.06 * H * 2 * 2 - 6); // right side deeper
    const flat = (await render({ 4: -3 })).images, pit = (await render({ 4: 3 })).images;
    expect(ilm(pit, W / 2) - ilm(flat, W / 2)).toBeGreaterThan(8); // deeper foveal pit
    // Gain scales the whole image.
    const mean = (img: Float32Array) => img.reduce((s, v) => s + v, 0) / img.length;
    const dim = (await render({ 6: -1 })).images, bright = (await render({ 6: 1 })).images;
    expect(mean(bright) / mean(dim)).toBeCloseTo(Math.exp(0.5), 4);
    // Speckle: the SD of log intensity in the choroid grows with z5.
    const logSd = (img: Float32Array) => {
      const v: number[] = [];
      for (let y = Math.round(0.8 * H); y < H; y++) for (let x = 0; x < W; x++) v.push(Math.log(img[y * W + x]));
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
    };
    const s1 = logSd((await render({ 5: -2 })).images), s2 = logSd((await render({ 5: 2 })).images);
    expect(s1).toBeGreaterThan(0.1);
    expect(s2 / s1).toBeGreaterThan(2);
    // Drusen: count and size both widen the stretch of columns where the RPE is lifted.
    const rpe = (img: Float32Array, x: number) => {
      let best = 0;
      for (let y = 1; y < H; y++) if (img[y * W + x] > img[best * W + x]) best = y;
      return best;
    };
    const lifted = (img: Float32Array, none: Float32Array) => {
      let n = 0;
      for (let x = 0; x < W; x++) n += rpe(none, x) - rpe(img, x) >= 2 ? 1 : 0;
      return n;
    };
    const none = (await render({})).images;
    expect(lifted(none, none)).toBe(0);
    const few = lifted((await render({ 2: -0.8 })).images, none), many = lifted((await render({ 2: 2 })).images, none);
    expect(few).toBeGreaterThan(0);
    expect(many).toBeGreaterThan(few);
    const small = lifted((await render({ 2: 2, 3: -2 })).images, none), large = lifted((await render({ 2: 2, 3: 2 })).images, none);
    expect(large).toBeGreaterThan(small);
  });

  it('is a pure function of (seed, subject, z): batches and thread counts agree', async () => {
    const dec = new ParametricOctDecoder({ seed: 3, height: 32, width: 48 });
    const z = randomZ(6, 9);
    const all = await dec.decode(z, [0, 1, 2, 3, 4, 5]);
    const two = await dec.decode(z.subarray(4 * LATENT_DIM), [4, 5]);
    expect(Buffer.from(two.images.buffer).equals(Buffer.from(all.images.buffer, 4 * 32 * 48 * 4))).toBe(true);
    try {
      setThreads(1);
      const one = await dec.decode(z, [0, 1, 2, 3, 4, 5]);
      expect(Buffer.from(one.images.buffer).equals(Buffer.from(all.images.buffer))).toBe(true);
    } finally {
      setThreads();
    }
  });

  it('rejects bad input with MedsynthError; the binding re-checks', async () => {
    const dec = new ParametricOctDecoder({ seed: 3, height: 16, width: 16 });
    await expect(dec.decode(new Float64Array(3), [0])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(dec.decode(new Float64Array(LATENT_DIM).fill(NaN), [0])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => new ParametricOctDecoder({ seed: 3, height: 4, width: 16 })).toThrow(/height/);
    const huge = new ParametricOctDecoder({ seed: 3, height: 4096, width: 4096 });
    await expect(huge.decode(new Float64Array(200 * LATENT_DIM), new Array(200).fill(0))).rejects.toThrow(/per call/);
    const { rows } = octRows(3, [0], new Float64Array(LATENT_DIM), 16, 16);
    const out = new Float32Array(256);
    const bad = Float64Array.from(rows);
    bad[OCT_ROW.thickness] = -1;
    await expect(renderOctRows(bad, dec.render, out)).rejects.toThrow(/thickness/);
    bad[OCT_ROW.thickness] = 5;
    bad[OCT_ROW.drusenCount] = 9;
    await expect(renderOctRows(bad, dec.render, out)).rejects.toThrow(/drusen count/);
    bad[OCT_ROW.drusenCount] = 1;
    bad[OCT_ROW.pitDepth] = NaN;
    await expect(renderOctRows(bad, dec.render, out)).rejects.toThrow(/finite/);
    await expect(renderOctRows(rows, dec.render, new Float32Array(5))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const raw = nativeAddon<{ renderOctLayers(o: Float32Array, p: unknown, opt: unknown): Promise<void> }>();
    expect(() => raw.renderOctLayers(out, new Float32Array(OCT_STRIDE), dec.render)).toThrow(/Float64Array/);
    expect(() => raw.renderOctLayers(out, rows, { ...dec.render, reflectivity: [1, 2] })).toThrow(/reflectivity/);
    expect(() => raw.renderOctLayers(out, rows, { ...dec.render, edge: 0 })).toThrow(/edge/);
    expect(() => raw.renderOctLayers(out, rows.subarray(1), dec.render)).toThrow(/rows of/);
  });
});
