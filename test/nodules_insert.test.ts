import { describe, expect, it } from 'vitest';

import { anatomyHostCt } from '../lib/generators/nodules/host_ct.js';
import { insertNodule, lungBoxes } from '../lib/generators/nodules/insert.js';
import { resolveNoduleOptions } from '../lib/generators/nodules/options.js';
import { renderNodule } from '../lib/generators/nodules/render.js';
import { sampleNoduleParams } from '../lib/generators/nodules/sample_params.js';

const HOST = { size: [80, 128, 128] as [number, number, number], spacing: [4, 3.28125, 3.28125] as [number, number, number], seed: 5 };

describe('insertion into an anatomy CT', () => {
  it('changes voxels only inside the lung and near the nodule, and labels the nodule', async () => {
    const o = resolveNoduleOptions({ kinds: ['solid'], diameterMm: [18, 22], seed: 6 });
    const p = sampleNoduleParams(o, 1);
    const { patch, volumeMm3 } = await renderNodule(p, o);
    const host = await anatomyHostCt(HOST, 0);
    const ct0 = Float32Array.from(host.ct);
    const labels0 = Uint8Array.from(host.labels);
    const lungs = new Set([...host.lungLabels.left, ...host.lungLabels.right]);
    const lung = (await lungBoxes(host))[p.side]!;
    const ins = await insertNodule(host, patch, { side: p.side, upperLobe: p.upperLobe }, { seed: o.seed, index: 1 }, { softEdgeMm: 0.7 });
    const [, Y, X] = host.dims;
    const sh = host.spacing;
    let changed = 0;
    const reachMm = p.diameterMm / 2 * 1.3 + 3 * 0.7 + 2 * Math.max(...sh);
    for (let v = 0; v < ct0.length; v++) {
      if (host.ct[v] === ct0[v] && host.labels[v] === labels0[v]) continue;
      changed++;
      expect(lungs.has(labels0[v])).toBe(true);
      const z = Math.floor(v / (Y * X)), y = Math.floor(v / X) % Y, x = v % X;
      const d = Math.hypot((z - ins.centerVoxel[0]) * sh[0], (y - ins.centerVoxel[1]) * sh[1], (x - ins.centerVoxel[2]) * sh[2]);
      expect(d).toBeLessThan(reachMm);
    }
    expect(changed).toBeGreaterThan(0);
    expect(ins.side).toBe(p.side);
    // Upper-lobe nodules sit in the upper half of their lung (z grows towards the head).
    const zMid = (lung[0] + lung[3] - 1) / 2;
    expect(p.upperLobe ? ins.centerVoxel[0] >= zMid : ins.centerVoxel[0] <= zMid).toBe(true);
    let labelled = 0;
    for (let v = 0; v < host.labels.length; v++) labelled += host.labels[v] === host.noduleLabel ? 1 : 0;
    expect(labelled).toBe(ins.labelledVoxels);
    const voxel = sh[0] * sh[1] * sh[2];
    expect(Math.abs(labelled * voxel / volumeMm3 - 1)).toBeLessThan(0.35);
    expect(Math.abs(ins.insertedVolumeMm3 / volumeMm3 - 1)).toBeLessThan(0.1);
    // The nodule is brighter than the lung it replaced.
    const c = (Math.round(ins.centerVoxel[0]) * Y + Math.round(ins.centerVoxel[1])) * X + Math.round(ins.centerVoxel[2]);
    expect(host.ct[c] - ct0[c]).toBeGreaterThan(300);
  });

  it('a CT without lung is a one-line error and nothing changes', async () => {
    const o = resolveNoduleOptions({ kinds: ['solid'], diameterMm: [8, 10], seed: 6 });
    const { patch } = await renderNodule(sampleNoduleParams(o, 0), o);
    const host = await anatomyHostCt({ ...HOST, size: [40, 64, 64], spacing: [8, 6.5, 6.5] }, 0);
    for (const l of [...host.lungLabels.left, ...host.lungLabels.right]) for (let v = 0; v < host.labels.length; v++) if (host.labels[v] === l) host.labels[v] = 0;
    const before = Float32Array.from(host.ct);
    let caught: unknown;
    try {
      await insertNodule(host, patch, { side: 'left', upperLobe: true }, { seed: 1, index: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((caught as Error).message).toMatch(/no lung/);
    expect((caught as Error).message).not.toContain('\n');
    expect(Buffer.from(host.ct.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });
});
