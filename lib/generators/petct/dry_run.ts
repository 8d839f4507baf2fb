/**
 * `medsynth petct --dry-run`: the patients a run (or one shard) would write, its disk and memory
 * needs (generatePetCtDataset refuses a run whose disk figure here exceeds the free space) and
 * its time on this machine:
 * a few patients rendered now at a reduced size over the same field of view, plus the gzip of
 * their NIfTI payloads, scaled by voxel count. Writes nothing.
 */
import { gzipSync } from 'node:zlib';

import { checkInteger } from '../../validate.js';
import { shardBlock } from '../../shard/partition.js';
import type { PetCtDatasetOptions } from './dataset.js';
import { planSurvival } from './latent.js';
import { resolvePetCtOptions } from './options.js';
import { renderPetCtPatient } from './patient.js';
import { PetCtRenderer } from './render.js';

const PROBE_VOXELS = 48 ** 3;
const PROBE_PATIENTS = 3;

export async function planPetCtRun(options: PetCtDatasetOptions) {
  const o = resolvePetCtOptions(options);
  const run = { first: checkInteger('first', options.first ?? 0, 0, 0xfffffffe), count: checkInteger('patients', options.patients, 1, 1_000_000) };
  const block = options.shard ? shardBlock(run, options.shard) : run;
  const gzipLevel = checkInteger('gzipLevel', options.gzipLevel ?? 4, 1, 9);
  const [z, y, x] = o.imageSize;
  const voxels = z * y * x;
  // The same per-patient numbers generatePetCtDataset checks: ct int16 + pet float32 + seg uint8, 2 MB of previews and JSON.
  const rawPerPatient = voxels * (2 + 4 + 1) + 2_000_000;
  const f = o.mode === '3d' && voxels > PROBE_VOXELS ? Math.cbrt(PROBE_VOXELS / voxels) : 1;
  const size = o.imageSize.map((d) => Math.max(8, Math.round(d * f))) as [number, number, number];
  const probe = f === 1 ? o : resolvePetCtOptions({ ...options, imageSize: size, spacing: o.spacing.map((s, i) => (s * o.imageSize[i]) / size[i]) as [number, number, number] });
  const renderer = new PetCtRenderer(probe);
  const plan = planSurvival(probe);
  const times: number[] = [];
  let packed = 0;
  let gzipSeconds = 0;
  for (let i = 0; i <= PROBE_PATIENTS; i++) {
    const t = performance.now();
    const patient = await renderPetCtPatient(renderer, plan, run.first + i);
    if (i === 0) continue; // warm-up
    times.push((performance.now() - t) / 1000);
    const g = performance.now();
    for (const a of [patient.ct, patient.pet, patient.seg]) packed += gzipSync(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), { level: gzipLevel }).byteLength;
    gzipSeconds += (performance.now() - g) / 1000;
  }
  const probeVoxels = size[0] * size[1] * size[2];
  const scale = o.mode === '3d' ? voxels / probeVoxels : 1;
  const ratio = packed / (PROBE_PATIENTS * probeVoxels * 7);
  const render = times.sort((a, b) => a - b)[times.length >> 1] * scale;
  const compress = (gzipSeconds / PROBE_PATIENTS) * scale;
  return {
    splits: [{ name: 'patients', first: block.first, count: block.count }],
    rawBytes: rawPerPatient * block.count,
    diskBytes: (voxels * 7 * ratio + 2_000_000) * block.count,
    compressionRatio: ratio,
    memoryBytes: 2 * voxels * 24,
    renderSecondsPerSample: render,
    compressSecondsPerSample: compress,
    secondsPerSample: Math.max(render, compress),
    seconds: Math.max(render, compress) * block.count,
    probe: `${PROBE_PATIENTS} patients of ${size.join('×')} (same field of view) rendered${scale === 1 ? '' : ' and scaled by voxel count'}`,
  };
}
