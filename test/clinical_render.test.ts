import { describe, expect, it } from 'vitest';

import { setThreads } from '../lib/core/threads.js';
import { ClinicalSynth } from '../lib/generators/clinical2d/index.js';
import { CLINICAL_STREAMS, drawLatents } from '../lib/generators/clinical2d/latents.js';
import { CLINICAL_STRIDE, renderRows, ROW, type RenderOptions } from '../lib/generators/clinical2d/render_rows.js';
import { nativeAddon } from '../lib/native.js';
import { referenceClinicalImage } from './reference/clinical2d.js';

function options(synth: ClinicalSynth): RenderOptions {
  const c = synth.config;
  return {
    height: c.H,
    width: c.W,
    seed: c.seed,
    textureStream: CLINICAL_STREAMS.texture,
    noiseStream: CLINICAL_STREAMS.noise,
    textureSigma: c.tex_sigma,
    textureEdge: c.tex_edge,
    lesionEdge: c.lesion_edge,
    noiseSigma: c.noise_sd,
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('clinical renderer', () => {
  // Texture steps 1, 2 and 3 (tex_sigma 3, 6, 10), every scanner, with and without lesions.
  for (const tex_sigma of [3, 6, 10]) {
    it(`matches the float64 reference (tex_sigma ${tex_sigma})`, async () => {
      const synth = new ClinicalSynth({ H: 24, W: 40, tex_sigma, a0: 0.5, device_blur: { A: 0, B: 1.5, C: 3 }, seed: 9 });
      const indices = [0, 1, 2, 3, 4, 5, 1000, 4294967295];
      const batch = await synth.sampleIndices(indices);
      const { rows } = drawLatents(synth.config, indices);
      const o = options(synth);
      let lesions = 0;
      for (let j = 0; j < indices.length; j++) {
        const row = rows.subarray(j * CLINICAL_STRIDE, (j + 1) * CLINICAL_STRIDE);
        lesions += row[ROW.contrast] !== 0 ? 1 : 0;
        const ref = referenceClinicalImage(o, row);
        expect(maxAbsDiff(batch.images.subarray(j * 24 * 40, (j + 1) * 24 * 40), ref)).toBeLessThan(1e-5);
      }
      expect(lesions).toBeGreaterThan(1);
    });
  }

  it('gives the parenchyma field unit variance at every pixel and a dense fraction equal to the density', async () => {
    // image = 1 + T: no tissue contrast, lesion, blur or noise.
    const n = 4000;
    for (const tex_sigma of [3, 7.5]) {
      const synth = new ClinicalSynth({ H: 32, W: 32, tex_sigma, bg_base: 1, gland_gain: 0, tex_fine: 1, tex_den: 0, noise_sd: 0, device_blur: { A: 0 }, a0: -50 });
      const b = await synth.sampleRange(0, n);
      // Corners, edges, the centre and (for step 2) points between coarse nodes.
      for (const [y, x] of [[0, 0], [0, 1], [1, 1], [0, 31], [31, 31], [16, 16], [15, 16], [7, 24]]) {
        let s2 = 0;
        for (let j = 0; j < n; j++) s2 += (b.images[j * 1024 + y * 32 + x] - 1) ** 2;
        // Var(T²) = 2 for a unit normal: 4 standard errors.
        expect(Math.abs(s2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
      }
    }
    const synth = new ClinicalSynth({ H: 64, W: 64, gland_gain: 1, tex_fine: 0, tex_den: 0, noise_sd: 0, device_blur: { A: 0 }, tex_edge: 0.01, a0: -50 });
    const b = await synth.sampleRange(0, 150);
    let fraction = 0;
    let density = 0;
    for (let j = 0; j < b.n; j++) {
      let above = 0;
      for (let k = 0; k < 64 * 64; k++) above += b.images[j * 64 * 64 + k] > 0.375 ? 1 : 0;
      fraction += above / (64 * 64);
      density += b.truth.density[j];
    }
    expect(Math.abs(fraction - density) / b.n).toBeLessThan(0.03);
  });

  it('makes sample i depend only on (seed, i): batches, ranges, indices and thread counts agree', async () => {
    const synth = new ClinicalSynth({ H: 32, W: 32, a0: 0 });
    const plane = 32 * 32;
    const all = await synth.sampleRange(0, 10);
    const first = await synth.sampleBatch(4);
    const second = await synth.sampleBatch(6);
    expect(synth.position).toBe(10);
    expect(Buffer.from(first.images.buffer).equals(Buffer.from(all.images.buffer, 0, 4 * plane * 4))).toBe(true);
    expect(Buffer.from(second.images.buffer).equals(Buffer.from(all.images.buffer, 4 * plane * 4))).toBe(true);
    expect([...second.y]).toEqual([...all.y.subarray(4)]);
    expect([...second.tabular]).toEqual([...all.tabular.subarray(4 * synth.columns.length)]);
    const picked = await synth.sampleIndices([7, 2]);
    expect([...picked.images.subarray(0, plane)]).toEqual([...all.images.subarray(7 * plane, 8 * plane)]);
    expect([...picked.images.subarray(plane)]).toEqual([...all.images.subarray(2 * plane, 3 * plane)]);
    try {
      setThreads(1);
      const one = await synth.sampleRange(0, 10);
      setThreads(2);
      const two = await synth.sampleRange(0, 10);
      expect(Buffer.from(one.images.buffer).equals(Buffer.from(two.images.buffer))).toBe(true);
      expect(Buffer.from(one.images.buffer).equals(Buffer.from(all.images.buffer))).toBe(true);
    } finally {
      setThreads();
    }
    const other = await new ClinicalSynth({ H: 32, W: 32, a0: 0, seed: 43 }).sampleRange(0, 1);
    expect(maxAbsDiff(other.images, all.images.subarray(0, plane))).toBeGreaterThan(0.1);
  });

  it('reuses an images buffer and rejects bad requests with MedsynthError', async () => {
    const synth = new ClinicalSynth({ H: 16, W: 16 });
    const buf = new Float32Array(3 * 256);
    const b = await synth.sampleRange(0, 3, { images: buf });
    expect(b.images).toBe(buf);
    await expect(synth.sampleRange(0, 2, { images: buf })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(synth.sampleBatch(2, { images: buf })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(synth.position).toBe(0);
    await expect(synth.sampleBatch(-1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(synth.sampleRange(2 ** 32, 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(synth.sampleIndices([1.5])).rejects.toThrow(/indices\[0\]/);
    await expect(new ClinicalSynth({ H: 4096, W: 4096 }).sampleBatch(200)).rejects.toThrow(/per batch/);
    const empty = await synth.sampleBatch(0);
    expect(empty.images.length).toBe(0);
  });

  it('binding re-checks its arguments', async () => {
    const synth = new ClinicalSynth({ H: 16, W: 16 });
    const o = options(synth);
    const { rows } = drawLatents(synth.config, [0, 1]);
    const out = new Float32Array(2 * 256);
    await expect(renderRows(rows, o, new Float32Array(10))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(renderRows(rows.subarray(1), o, out)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const bad = Float64Array.from(rows);
    bad[ROW.threshold] = NaN;
    await expect(renderRows(bad, o, out)).rejects.toThrow(/finite/);
    bad[ROW.threshold] = 0;
    bad[ROW.index] = 1.5;
    await expect(renderRows(bad, o, out)).rejects.toThrow(/index/);
    const raw = nativeAddon<{ renderClinical2d(o: Float32Array, p: unknown, opt: unknown): Promise<void> }>();
    expect(() => raw.renderClinical2d(out, new Float32Array(36), o)).toThrow(/Float64Array/);
    expect(() => raw.renderClinical2d(out, rows, { ...o, textureSigma: -1 })).toThrow(/textureSigma/);
    expect(() => raw.renderClinical2d(out, rows, { ...o, lesionEdge: 0 })).toThrow(/lesionEdge/);
  });
});
