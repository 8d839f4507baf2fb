/**
 * warp: the augmentation kernels (native/warp/) on a 128×256×256 float32 volume — rotation (15°
 * about z, TorchIO-style about the centre), scaling (1.1), elastic deformation from a 7³ control
 * grid (the displacement's construction included: it runs inside the kernel), all three together,
 * and the nearest-neighbour label warp — against the copy floor of one volume measured in the
 * same run. The 64³ rotation is timed too (a nodule patch). The TS reference runs for the
 * rotation only (the elastic reference sums 64 control points per voxel: minutes at this size).
 *
 * scipy.ndimage is timed in the same run when Debian's /usr/bin/python3 has it (order-1
 * interpolation, as ours): rotate(15°, axes (1, 2), reshape False), zoom(1.1) and the elastic
 * recipe of most augmentation code — zoom the 7³ grid to the volume (order 3) per component,
 * then map_coordinates.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { Rng } from '../../core/philox.js';
import { physicalAffine, warpLabels, warpVolume, type Displacement } from '../../ops/warp.js';
import { referenceWarpLinear } from '../../reference/warp.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

type Dims3 = [number, number, number];
const BIG: Dims3 = [128, 256, 256];
const PATCH: Dims3 = [64, 64, 64];
const SPACING: Dims3 = [1, 1, 1];

function cases(dims: Dims3, all: boolean, withReference = !all): BenchCase[] {
  const size = dims.join('×');
  const count = dims[0] * dims[1] * dims[2];
  let input = new Float32Array(0);
  let labels = new Uint8Array(0);
  let out = new Float32Array(0);
  let outLabels = new Uint8Array(0);
  const setup = () => {
    const rng = new Rng(1, 0, 0);
    input = Float32Array.from({ length: count }, () => rng.uniform());
    labels = Uint8Array.from({ length: count }, (_, i) => (i >> 10) & 3);
    out = new Float32Array(count).fill(1);
    outLabels = new Uint8Array(count).fill(1);
  };
  const teardown = () => {
    input = new Float32Array(0);
    out = new Float32Array(0);
    labels = new Uint8Array(0);
    outLabels = new Uint8Array(0);
  };
  const rotate = physicalAffine(dims, SPACING, { degrees: [15, 0, 0] });
  const scale = physicalAffine(dims, SPACING, { scales: [1.1, 1.1, 1.1] });
  const both = physicalAffine(dims, SPACING, { degrees: [15, -7, 9], scales: [1.1, 0.95, 1.05] });
  const identity = physicalAffine(dims, SPACING, {});
  const cd: Dims3 = [7, 7, 7];
  const rng = new Rng(2, 0, 0);
  const displacement: Displacement = { control: Float32Array.from({ length: 3 * 343 }, () => rng.range(-3, 3)), controlDims: cd };
  const base = { size, floorBytes: count * 4, setup, teardown };
  const rows: BenchCase[] = [
    {
      ...base,
      name: 'warp: rotate 15°',
      run: () => warpVolume(input, dims, rotate, {}, out),
      reference: withReference ? () => referenceWarpLinear(input, dims, { affine: rotate, fill: 0 }) : undefined,
    },
  ];
  if (!all) return rows;
  rows.push(
    { ...base, name: 'warp: scale 1.1', run: () => warpVolume(input, dims, scale, {}, out) },
    { ...base, name: 'warp: elastic 7³ (field incl.)', run: () => warpVolume(input, dims, identity, { displacement }, out) },
    { ...base, name: 'warp: rotate+scale+elastic', run: () => warpVolume(input, dims, both, { displacement }, out) },
    { ...base, name: 'warp: labels rotate 15° (nearest)', floorBytes: count, run: () => warpLabels(labels, dims, rotate, {}, outLabels) },
  );
  return rows;
}

const SCIPY = `
import sys, time, json
import numpy as np
from scipy import ndimage
z, y, x = map(int, sys.argv[1:4])
v = np.random.default_rng(1).random((z, y, x), dtype=np.float32)
def best(f, n=2):
    t = []
    for _ in range(n):
        s = time.perf_counter(); f(); t.append(time.perf_counter() - s)
    return min(t) * 1000
def elastic():
    c = np.random.default_rng(2).uniform(-3, 3, (3, 7, 7, 7))
    field = [ndimage.zoom(c[i], (z / 7, y / 7, x / 7), order=3) for i in range(3)]
    grid = np.meshgrid(np.arange(z), np.arange(y), np.arange(x), indexing='ij')
    ndimage.map_coordinates(v, [grid[i] + field[i] for i in range(3)], order=1)
out = np.empty_like(v)
print(json.dumps({
  'copy': best(lambda: np.copyto(out, v), 5),
  'rotate': best(lambda: ndimage.rotate(v, 15, axes=(1, 2), reshape=False, order=1)),
  'zoom': best(lambda: ndimage.zoom(v, 1.1, order=1)),
  'elastic': best(elastic, 1),
}))
`;

function scipyTimes(dims: Dims3): Record<string, number> | null {
  if (!existsSync('/usr/bin/python3')) return null;
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCIPY, ...dims.map(String)], { encoding: 'utf8', timeout: 600_000 }));
  } catch {
    return null;
  }
}

export const suite: BenchSuite = {
  name: 'warp',
  // --quick: every warp at the patch size, the rotation with its reference.
  cases: ({ quick }) => (quick ? cases(PATCH, true, true) : [...cases(BIG, true), ...cases(PATCH, false)]),
  summarize: (rows: readonly BenchRow[]) => {
    const big = rows.filter((r) => r.size === BIG.join('×'));
    const lines = [
      `Target: each warp at ${BIG.join('×')} within 10× a copy of the volume (same run).`,
      '',
      '| kernel | ms | × copy | within 10×? |',
      '|---|---:|---:|---|',
      ...big.map((r) => `| ${r.name} | ${r.nativeMs.toFixed(1)} | ${r.copyMs ? (r.nativeMs / r.copyMs).toFixed(1) : '–'} | ${r.copyMs && r.nativeMs <= 10 * r.copyMs ? 'yes' : 'no'} |`),
    ];
    const py = scipyTimes(BIG);
    if (py) {
      const ours = (prefix: string) => big.find((r) => r.name.startsWith(prefix))?.nativeMs ?? NaN;
      lines.push(
        '',
        `scipy.ndimage (Debian's python3, one thread, order 1) in the same run at ${BIG.join('×')}: numpy copy ${py.copy.toFixed(1)} ms;`,
        '',
        '| operation | scipy ms | medsynth ms | speed-up |',
        '|---|---:|---:|---:|',
        `| rotate 15° | ${py.rotate.toFixed(0)} | ${ours('warp: rotate 15°').toFixed(1)} | ${(py.rotate / ours('warp: rotate 15°')).toFixed(0)}× |`,
        `| zoom 1.1 (scipy's output is 1.1³ larger) | ${py.zoom.toFixed(0)} | ${ours('warp: scale').toFixed(1)} | ${(py.zoom / ours('warp: scale')).toFixed(0)}× |`,
        `| elastic 7³ (field + map_coordinates) | ${py.elastic.toFixed(0)} | ${ours('warp: elastic').toFixed(1)} | ${(py.elastic / ours('warp: elastic')).toFixed(0)}× |`,
      );
    } else {
      lines.push('', 'scipy.ndimage not available (/usr/bin/python3 with scipy): no same-run comparison.');
    }
    return lines;
  },
};
