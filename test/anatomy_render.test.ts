import { describe, expect, it } from 'vitest';

import { cudaInfo } from '../lib/core/device.js';
import { setThreads } from '../lib/core/threads.js';
import { DEFAULT_STRUCTURE_NAMES, generateSample } from '../lib/generators/anatomy3d/index.js';

const small = { imageSize: [24, 48, 48] as [number, number, number], seed: 11 };

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('anatomy sample rendering', () => {
  it('same seed and index give identical bytes, on 1 thread and on all', async () => {
    setThreads(1);
    const one = await generateSample(small, 5, 'float32');
    setThreads(2);
    const two = await generateSample(small, 5, 'float32');
    setThreads();
    expect(sameBytes(one.image, two.image)).toBe(true);
    expect(sameBytes(one.labels, two.labels)).toBe(true);
    const other = await generateSample(small, 6, 'float32');
    expect(sameBytes(one.image, other.image)).toBe(false);
  });

  it('labels agree with presence: present structures have voxels, absent ones none', async () => {
    for (let i = 0; i < 12; i++) {
      const s = await generateSample(small, i, 'uint8');
      const counts = new Array(DEFAULT_STRUCTURE_NAMES.length + 1).fill(0);
      for (const l of s.labels) counts[l]++;
      s.structureNames.forEach((name, k) => {
        if (s.presence[k]) expect(counts[k + 1], `${s.scenario}: ${name} present`).toBeGreaterThan(0);
        else expect(counts[k + 1], `${s.scenario}: ${name} absent`).toBe(0);
      });
    }
  });

  it('organs are brighter than the body and the outside is dark (before noise)', async () => {
    const s = await generateSample(
      { ...small, artifacts: { noiseSigma: 0, biasMagnitude: 0, blurSigmaMm: 0 }, intensityNoise: 0 },
      0,
      'float32',
    );
    const image = s.image as Float32Array;
    const [Z, Y, X] = s.dims;
    expect(image[0]).toBe(0); // corner: outside the body
    const centre = ((Z >> 1) * Y + (Y >> 1)) * X + (X >> 1);
    expect(image[centre]).toBeGreaterThan(50);
    const liver = s.structureNames.indexOf('liver') + 1;
    if (s.presence[liver - 1]) {
      // Inside the liver (away from partial-volume edges, so at the median) the intensity is the catalogue's.
      const values = [...image].filter((_, i) => s.labels[i] === liver).sort((a, b) => a - b);
      expect(values[values.length >> 1]).toBeCloseTo(180, 3);
    }
  });

  it('casts to the requested dtype', async () => {
    const f = await generateSample(small, 2, 'float32');
    const u = await generateSample(small, 2, 'uint8');
    const h = await generateSample(small, 2, 'int16');
    expect(u.image).toBeInstanceOf(Uint8Array);
    expect(h.image).toBeInstanceOf(Int16Array);
    for (let i = 0; i < f.image.length; i += 97) {
      const v = f.image[i];
      expect(h.image[i]).toBe(Math.sign(v) * Math.floor(Math.abs(v) + 0.5) + 0);
      expect(u.image[i]).toBe(Math.min(255, Math.max(0, Math.floor(v + 0.5))));
    }
  });

  it("device 'auto' falls back to the CPU with a reason where there is no CUDA; 'cuda' then refuses", async () => {
    if (cudaInfo().available) return; // test/gpu/ covers the device itself
    const cpu = await generateSample(small, 3, 'uint8', 'cpu');
    const auto = await generateSample(small, 3, 'uint8', 'auto');
    expect(sameBytes(cpu.image, auto.image)).toBe(true);
    await expect(generateSample(small, 3, 'uint8', 'cuda')).rejects.toMatchObject({ code: 'CUDA_UNAVAILABLE' });
    await expect(generateSample(small, 3, 'uint8', 'gpu' as never)).rejects.toThrow(/device/);
  });

  it('rejects bad arguments', async () => {
    await expect(generateSample(small, -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(generateSample(small, 0, 'float64' as never)).rejects.toThrow(/dtype/);
    await expect(generateSample({ imageSize: [2048, 2048, 2048] }, 0)).rejects.toThrow(/voxels/);
  });
});
