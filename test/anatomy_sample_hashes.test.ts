/**
 * The anatomy generator's CPU output, pinned: sha256 of the image and label bytes of a few small
 * samples that cover every artifact kind (blur with anisotropic spacing, bias, gaussian, rician and
 * poisson noise) and every image dtype. The fixture was written before the render chain moved into
 * one native call (issue 10); a restructuring must leave these bytes unchanged.
 * Regenerate only for an intended change of output: MEDSYNTH_WRITE_SAMPLE_HASHES=1 npx vitest run <this file>.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { generateSample, type AnatomyOptions, type ImageDtype } from '../lib/generators/anatomy3d/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/anatomy_sample_hashes.json', import.meta.url));

interface Case {
  name: string;
  options: AnatomyOptions;
  index: number;
  dtype: ImageDtype;
}

const CASES: Case[] = [
  { name: 'defaults-gaussian-uint8', options: { imageSize: [16, 40, 36], seed: 7 }, index: 3, dtype: 'uint8' },
  {
    name: 'anisotropic-blur-rician-float32',
    options: { imageSize: [12, 32, 40], spacing: [2.5, 0.8, 1.1], seed: 123, artifacts: { noiseKind: 'rician', noiseSigma: 6, blurSigmaMm: [1.5, 0.6, 0.9] } },
    index: 11,
    dtype: 'float32',
  },
  {
    name: 'poisson-bias1-float32',
    options: { imageSize: [10, 24, 28], seed: 2n ** 40n + 5n, artifacts: { noiseKind: 'poisson', noiseSigma: 0.5, biasOrder: 1, biasMagnitude: 0.3 } },
    index: 0,
    dtype: 'float32',
  },
  {
    name: 'poisson-noblur-int16',
    options: { imageSize: [9, 30, 22], seed: 99, artifacts: { noiseKind: 'poisson', noiseSigma: 2, blurSigmaMm: 0 } },
    index: 4,
    dtype: 'int16',
  },
  {
    name: 'clean-uint8',
    options: { imageSize: [8, 20, 24], seed: 5, artifacts: { noiseSigma: 0, biasMagnitude: 0, blurSigmaMm: 0 } },
    index: 2,
    dtype: 'uint8',
  },
];

function sha256(a: ArrayBufferView): string {
  return createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

async function hashes(): Promise<Record<string, { image: string; labels: string }>> {
  const out: Record<string, { image: string; labels: string }> = {};
  for (const c of CASES) {
    const s = await generateSample(c.options, c.index, c.dtype, 'cpu');
    out[c.name] = { image: sha256(s.image), labels: sha256(s.labels) };
  }
  return out;
}

describe('anatomy samples match the pinned hashes (CPU)', () => {
  it('image and label bytes are unchanged', async () => {
    const got = await hashes();
    if (process.env.MEDSYNTH_WRITE_SAMPLE_HASHES === '1') writeFileSync(FIXTURE, JSON.stringify(got, null, 2) + '\n');
    const want = JSON.parse(readFileSync(FIXTURE, 'utf8')) as typeof got;
    expect(got).toEqual(want);
  });
});
