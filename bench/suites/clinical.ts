/**
 * ClinicalSynth (seed 000): whole batches through the public API (latents, radiomics and native
 * rendering: parenchyma texture, lesion, scanner PSF, noise), at the sizes the issue names:
 * 64×64 (target: 100,000 samples in under 10 s, i.e. a 1000-sample batch under 100 ms) and
 * 256×256 (target: over 1,000 samples/s, i.e. a 256-sample batch under 256 ms). The TS reference
 * (test/reference/clinical2d.ts, float64) renders a small batch for the ratio.
 */
import { ClinicalSynth, CLINICAL_STREAMS } from '../../lib/generators/clinical2d/index.js';
import { drawLatents } from '../../lib/generators/clinical2d/latents.js';
import { CLINICAL_STRIDE, renderRows, type RenderOptions } from '../../lib/generators/clinical2d/render_rows.js';
import { referenceClinicalImage } from '../../test/reference/clinical2d.js';
import type { BenchCase, BenchSuite } from '../suite.js';

function batchCase(size: number, n: number): BenchCase {
  let synth: ClinicalSynth | undefined;
  let images: Float32Array | undefined;
  return {
    name: `clinical: sampleBatch(${n}) images+tabular+labels`,
    size: `${n}×${size}×${size}`,
    floorBytes: n * size * size * 4,
    setup: async () => {
      synth = new ClinicalSynth({ H: size, W: size });
      images = new Float32Array(n * size * size);
      await synth.sampleBatch(n, { images }); // first touch of the buffers and thread scratch
    },
    run: () => synth!.sampleBatch(n, { images }),
    teardown: () => {
      synth = undefined;
      images = undefined;
    },
  };
}

function latentCase(n: number): BenchCase {
  const synth = new ClinicalSynth();
  let start = 0;
  return {
    name: `clinical: sampleLatents(${n}) (no images)`,
    size: `${n}`,
    floorBytes: 0,
    run: () => synth.sampleLatents((start += n), n),
  };
}

/** The native renderer alone against the float64 reference on the same rows. */
function renderCase(size: number, n: number): BenchCase {
  const synth = new ClinicalSynth({ H: size, W: size, a0: 0 });
  const c = synth.config;
  const options: RenderOptions = {
    height: size,
    width: size,
    seed: c.seed,
    textureStream: CLINICAL_STREAMS.texture,
    noiseStream: CLINICAL_STREAMS.noise,
    textureSigma: c.tex_sigma,
    textureEdge: c.tex_edge,
    lesionEdge: c.lesion_edge,
    noiseSigma: c.noise_sd,
  };
  let rows: Float64Array | undefined;
  let out: Float32Array | undefined;
  return {
    name: 'clinical: native render (texture, lesion, PSF, noise)',
    size: `${n}×${size}×${size}`,
    floorBytes: n * size * size * 4,
    setup: () => {
      rows = drawLatents(c, Array.from({ length: n }, (_, i) => i)).rows;
      out = new Float32Array(n * size * size);
    },
    run: () => renderRows(rows!, options, out!),
    reference: () => {
      for (let j = 0; j < n; j++) referenceClinicalImage(options, rows!.subarray(j * CLINICAL_STRIDE, (j + 1) * CLINICAL_STRIDE));
    },
    teardown: () => {
      rows = undefined;
      out = undefined;
    },
  };
}

export const suite: BenchSuite = {
  name: 'clinical',
  cases: () => [batchCase(64, 1000), batchCase(256, 256), latentCase(10_000), renderCase(64, 16)],
  summarize: (rows) => {
    const ms = (size: string) => rows.find((r) => r.size === size)?.nativeMs ?? NaN;
    const small = ms('1000×64×64');
    const large = ms('256×256×256');
    return [
      'Targets: 100,000 samples of 64×64 in under 10 s; over 1,000 samples/s at 256×256 (each batch includes the TS latents and radiomics).',
      '',
      `- 64×64: ${((small / 1000) * 100_000 / 1000).toFixed(2)} s per 100,000 samples (${(1000 / (small / 1000)).toFixed(0)} samples/s)`,
      `- 256×256: ${(256 / (large / 1000)).toFixed(0)} samples/s`,
    ];
  },
};
