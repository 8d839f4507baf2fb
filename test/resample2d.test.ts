import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';


import { Rng } from '../lib/core/philox.js';
import { setThreads } from '../lib/core/threads.js';
import { composeMaps, resizeMap, rotationFlipMap, warpAffine2d, type AffineMap2d } from '../lib/ops/resample2d.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';
import { warpAffine2dRef } from './reference/resample2d.js';

const tmp = tempDir('medsynth-resample2d-');
afterAll(tmp.cleanup);

afterEach(() => setThreads());

function randomPlanes(n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 0, 1);
  return Float32Array.from({ length: n }, () => rng.range(-1, 1));
}

function expectNear(a: Float32Array, ref: Float64Array, tol = 2e-5): void {
  expect(a.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - ref[i]) / (1 + Math.abs(ref[i])));
  expect(worst).toBeLessThan(tol);
}

describe('2-D affine warp (native/warp/resample2d)', () => {
  const src = randomPlanes(3 * 37 * 53, 1);
  const shape = { planes: 3, height: 37, width: 53 };

  it('matches the float64 reference for resizes, rotations and both paddings and interpolations', async () => {
    const maps: Array<[AffineMap2d, [number, number]]> = [
      [resizeMap([37, 53], [64, 80]), [64, 80]],
      [resizeMap([37, 53], [19, 20]), [19, 20]],
      [rotationFlipMap([37, 53], 17, { horizontal: true }), [37, 53]],
      [composeMaps(rotationFlipMap([37, 53], -33), resizeMap([37, 53], [41, 29])), [41, 29]],
    ];
    for (const [m, size] of maps) {
      for (const interpolation of ['linear', 'nearest'] as const) {
        for (const padding of ['constant', 'edge'] as const) {
          const o = { interpolation, padding, fill: 0.25 };
          const out = await warpAffine2d(src, shape, size, m, o);
          expectNear(out, warpAffine2dRef(src, 3, 37, 53, size[0], size[1], m, o));
        }
      }
    }
  });

  it('a resize is PyTorch-style bilinear (align_corners=False): a halving is the 2×2 mean', async () => {
    const img = randomPlanes(8 * 8, 2);
    const half = await warpAffine2d(img, { planes: 1, height: 8, width: 8 }, [4, 4], resizeMap([8, 8], [4, 4]), { padding: 'edge' });
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        const m = (img[2 * y * 8 + 2 * x] + img[2 * y * 8 + 2 * x + 1] + img[(2 * y + 1) * 8 + 2 * x] + img[(2 * y + 1) * 8 + 2 * x + 1]) / 4;
        expect(half[y * 4 + x]).toBeCloseTo(m, 6);
      }
    }
    // Identity and flips copy exactly.
    expect(await warpAffine2d(src, shape, [37, 53], resizeMap([37, 53], [37, 53]))).toEqual(src);
    const flipped = await warpAffine2d(src, shape, [37, 53], rotationFlipMap([37, 53], 0, { horizontal: true }));
    expect(flipped[5 * 53 + 0]).toBe(src[5 * 53 + 52]);
    const twice = await warpAffine2d(flipped, shape, [37, 53], rotationFlipMap([37, 53], 0, { horizontal: true }));
    expect(twice).toEqual(src);
  });

  it('a resize equals torch.nn.functional.interpolate(bilinear, align_corners=False)', async () => {
    const out = await warpAffine2d(src, shape, [64, 29], resizeMap([37, 53], [64, 29]), { padding: 'edge' });
    const file = path.join(tmp.dir, 'src.bin');
    writeFileSync(file, Buffer.from(src.buffer, src.byteOffset, src.byteLength));
    const code = [
      'import sys, json, numpy as np, torch',
      'torch.set_num_threads(1)',
      's = np.fromfile(sys.argv[1], dtype=np.float32).reshape(1, 3, 37, 53)',
      'r = torch.nn.functional.interpolate(torch.from_numpy(s), size=(64, 29), mode="bilinear", align_corners=False)',
      'print(json.dumps(r.numpy().ravel().tolist()))',
    ].join('\n');
    const ref = Float64Array.from(JSON.parse(runPython(code, [file], ['torch'])));
    expectNear(out, ref, 1e-5);
  });

  it('binarises masks with a threshold', async () => {
    const mask = Float32Array.from({ length: 16 * 16 }, (_, i) => ((i % 16) - 7.5) ** 2 + (Math.floor(i / 16) - 7.5) ** 2 < 25 ? 1 : 0);
    const o = { padding: 'edge' as const, threshold: 0.5, interpolation: 'linear' as const, fill: 0 };
    const m = rotationFlipMap([16, 16], 30);
    const out = await warpAffine2d(mask, { planes: 1, height: 16, width: 16 }, [16, 16], m, o);
    expect(new Set(out)).toEqual(new Set([0, 1]));
    expect(out).toEqual(Float32Array.from(warpAffine2dRef(mask, 1, 16, 16, 16, 16, m, o)));
  });

  it('gives the same bytes on 1 and 2 threads', async () => {
    const big = randomPlanes(4 * 200 * 210, 3);
    const m = composeMaps(rotationFlipMap([200, 210], 11), resizeMap([200, 210], [256, 256]));
    setThreads(1);
    const a = await warpAffine2d(big, { planes: 4, height: 200, width: 210 }, [256, 256], m);
    setThreads(2);
    const b = await warpAffine2d(big, { planes: 4, height: 200, width: 210 }, [256, 256], m);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('extreme maps read only padding, without undefined behaviour', async () => {
    const far = await warpAffine2d(src, shape, [4, 4], [1e300, 1e300, 0, -1e300, 1e300, 0], { fill: 7 });
    expect(far.every((v, i) => v === 7 || (i % 16 === 0 && v === src[(Math.floor(i / 16)) * 37 * 53]))).toBe(true);
    const edge = await warpAffine2d(src, shape, [2, 2], [0, 0, 1e12, 0, 0, -1e12], { padding: 'edge' });
    expect(edge[0]).toBe(src[52]); // top-right corner of plane 0
  });

  it('rejects bad input with MedsynthError', async () => {
    await expect(warpAffine2d(src, { planes: 3, height: 37, width: 52 }, [8, 8], resizeMap([37, 53], [8, 8]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(warpAffine2d(src, shape, [8, 8], [1, 0, NaN, 0, 1, 0])).rejects.toThrow(/map\[2\]/);
    await expect(warpAffine2d(src, shape, [0, 8], resizeMap([37, 53], [8, 8]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(warpAffine2d(src, shape, [37, 53], resizeMap([37, 53], [37, 53]), {}, src)).rejects.toThrow(/share memory/);
    await expect(warpAffine2d(src, shape, [8, 8], resizeMap([37, 53], [8, 8]), { interpolation: 'cubic' as 'linear' })).rejects.toThrow(/interpolation/);
  });
});
