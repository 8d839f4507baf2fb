/**
 * Seed 003 (`medsynth longitudinal`): the native OCT renderer against its float64 TS reference
 * (test/reference/oct_layers.ts) on the same rows, the whole decode (latent map + render), and
 * the NLME simulation alone (TS, no images).
 */
import { ParametricOctDecoder } from '../../lib/generators/longitudinal/decoder.js';
import { LATENT_DIM, octRows } from '../../lib/generators/longitudinal/latent_map.js';
import { NlmeModel } from '../../lib/generators/longitudinal/nlme.js';
import { OCT_STRIDE, renderOctRows } from '../../lib/generators/longitudinal/oct_render.js';
import { referenceOctImage } from '../../test/reference/oct_layers.js';
import type { BenchCase, BenchSuite } from '../suite.js';

/** Latents of subjects 0 … n − 1 as the dataset draws them. */
function latents(n: number): Float64Array {
  const model = new NlmeModel({ seed: 42 });
  const z = new Float64Array(n * LATENT_DIM);
  for (let i = 0; i < n; i++) model.latent(i, z.subarray(i * LATENT_DIM, (i + 1) * LATENT_DIM));
  return z;
}

function renderCase(H: number, W: number, n: number, referenceImages: number): BenchCase {
  const decoder = new ParametricOctDecoder({ seed: 42, height: H, width: W });
  let rows: Float64Array | undefined;
  let out: Float32Array | undefined;
  return {
    name: `longitudinal: native OCT render (reference: ${referenceImages} rows × ${n / referenceImages})`,
    size: `${n}×${H}×${W}`,
    floorBytes: n * H * W * 4,
    setup: async () => {
      rows = octRows(42, Array.from({ length: n }, (_, i) => i), latents(n), H, W).rows;
      out = new Float32Array(n * H * W);
      await renderOctRows(rows, decoder.render, out);
    },
    run: () => renderOctRows(rows!, decoder.render, out!),
    // The reference renders a subset; its time is scaled to the batch.
    reference: () => {
      for (let r = 0; r < n / referenceImages; r++) {
        for (let j = 0; j < referenceImages; j++) referenceOctImage(decoder.render, rows!.subarray(j * OCT_STRIDE, (j + 1) * OCT_STRIDE));
      }
    },
    teardown: () => {
      rows = undefined;
      out = undefined;
    },
  };
}

function decodeCase(H: number, W: number, n: number): BenchCase {
  const decoder = new ParametricOctDecoder({ seed: 42, height: H, width: W });
  const subjects = Array.from({ length: n }, (_, i) => i);
  const z = latents(n);
  return {
    name: 'longitudinal: decode (latent map + render)',
    size: `${n}×${H}×${W}`,
    floorBytes: n * H * W * 4,
    run: () => decoder.decode(z, subjects),
  };
}

function nlmeCase(n: number, visits: number): BenchCase {
  const model = new NlmeModel({ seed: 42, visits, dropout: 'informative' });
  let start = 0;
  return {
    name: `longitudinal: NLME subjects (${visits} visits, no images)`,
    size: `${n}`,
    floorBytes: 0,
    run: () => {
      for (let i = 0; i < n; i++) model.subject(start + i);
      start += n;
    },
  };
}

export const suite: BenchSuite = {
  name: 'longitudinal',
  cases: () => [renderCase(128, 256, 64, 4), decodeCase(128, 256, 64), nlmeCase(1000, 8)],
};
