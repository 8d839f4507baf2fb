/**
 * warp: the augmentation kernels (native/warp/) on pinned float32 volumes at 128×256×256 and 64³
 * — rotation (15° about z, TorchIO-style about the centre; and 15°/−7°/9° about all three axes),
 * scaling (1.1), elastic deformation from a 7³ control grid (the displacement's construction
 * included: it runs inside the kernel), all three together, and the nearest-neighbour label warp —
 * against the copy floor of one volume measured in the same run. Rotation, scaling and elastic
 * also run on one native thread, the fair match for scipy. The TS reference runs for the 64³
 * rotation only (the elastic reference sums 64 control points per voxel: minutes at these sizes).
 *
 * Wall-clock ratios mean little on a loaded machine (a long kernel is preempted many times, a
 * short copy rarely), so every call's process CPU time is recorded too and the summary adds a
 * CPU-time table: the fastest call of each case against the fastest of 11 copies, also by CPU time.
 *
 * scipy.ndimage is timed in the same run when Debian's /usr/bin/python3 has it (a subprocess,
 * one thread, order-1 interpolation as ours, mode 'grid-constant' as ours): affine_transform with
 * our very matrices for rotation and scaling, and for elastic the recipe of most augmentation
 * code — zoom the 7³ grid to the volume (order 3) per component, then map_coordinates.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { pinnedArray } from '../../core/pinned.js';
import { Rng } from '../../core/philox.js';
import { getThreads, setThreads } from '../../core/threads.js';
import { physicalAffine, warpIsa, warpLabels, warpVolume, type Displacement } from '../../ops/warp.js';
import { referenceWarpLinear } from '../../reference/warp.js';
import type { BenchCase, BenchRow, BenchSuite } from '../suite.js';

type Dims3 = [number, number, number];
const SIZES: Dims3[] = [
  [128, 256, 256],
  [64, 64, 64],
];
const SPACING: Dims3 = [1, 1, 1];
const CONTROL: Dims3 = [7, 7, 7];

const transforms = (dims: Dims3) => ({
  rotate: physicalAffine(dims, SPACING, { degrees: [15, 0, 0] }),
  rotate3: physicalAffine(dims, SPACING, { degrees: [15, -7, 9] }),
  scale: physicalAffine(dims, SPACING, { scales: [1.1, 1.1, 1.1] }),
  both: physicalAffine(dims, SPACING, { degrees: [15, -7, 9], scales: [1.1, 0.95, 1.05] }),
  identity: physicalAffine(dims, SPACING, {}),
});

/** Process CPU milliseconds of every call, per case ('name@size'); all threads' time summed. */
const cpuMs = new Map<string, number[]>();

function cpuTimed(key: string, fn: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    const start = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(start);
    const list = cpuMs.get(key) ?? [];
    list.push((d.user + d.system) / 1000);
    cpuMs.set(key, list);
  };
}

/** The fastest of 11 `TypedArray.set` copies of `bytes`, in process CPU milliseconds. */
function copyCpuMs(bytes: number): number {
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes).fill(2);
  let best = Infinity;
  for (let i = 0; i < 11; i++) {
    const start = process.cpuUsage();
    dst.set(src);
    const d = process.cpuUsage(start);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

function cases(dims: Dims3): BenchCase[] {
  const size = dims.join('×');
  const count = dims[0] * dims[1] * dims[2];
  // Pinned (SharedArrayBuffer) volumes, as the generators use: no staging copies in the timing.
  let input = new Float32Array(0);
  let labels = new Uint8Array(0);
  let out = new Float32Array(0);
  let outLabels = new Uint8Array(0);
  const setup = () => {
    const rng = new Rng(1, 0, 0);
    input = pinnedArray(Float32Array, count);
    for (let i = 0; i < count; i++) input[i] = rng.uniform();
    labels = pinnedArray(Uint8Array, count);
    for (let i = 0; i < count; i++) labels[i] = (i >> 10) & 3;
    out = pinnedArray(Float32Array, count).fill(1); // touched: no first-write page faults in the timing
    outLabels = pinnedArray(Uint8Array, count).fill(1);
  };
  const teardown = () => {
    input = new Float32Array(0);
    out = new Float32Array(0);
    labels = new Uint8Array(0);
    outLabels = new Uint8Array(0);
  };
  const t = transforms(dims);
  const rng = new Rng(2, 0, 0);
  const displacement: Displacement = { control: Float32Array.from({ length: 3 * 343 }, () => rng.range(-3, 3)), controlDims: CONTROL };
  const base = { size, floorBytes: count * 4, setup, teardown };
  const oneThread = (c: BenchCase): BenchCase => ({
    ...c,
    name: `${c.name} (1 thread)`,
    setup: () => {
      setup();
      setThreads(1);
    },
    teardown: () => {
      teardown();
      setThreads();
    },
  });
  const rotate: BenchCase = {
    ...base,
    name: 'warp: rotate 15°',
    run: () => warpVolume(input, dims, t.rotate, {}, out),
    reference: count <= 64 ** 3 ? () => referenceWarpLinear(input, dims, { affine: t.rotate, fill: 0 }) : undefined,
  };
  // About all three axes, as random augmentation rotates: rows then cross source planes too.
  const rotate3: BenchCase = { ...base, name: 'warp: rotate 15°/−7°/9° (3 axes)', run: () => warpVolume(input, dims, t.rotate3, {}, out) };
  const scale: BenchCase = { ...base, name: 'warp: scale 1.1', run: () => warpVolume(input, dims, t.scale, {}, out) };
  const elastic: BenchCase = { ...base, name: 'warp: elastic 7³ (field incl.)', run: () => warpVolume(input, dims, t.identity, { displacement }, out) };
  const all: BenchCase[] = [
    rotate,
    rotate3,
    scale,
    elastic,
    { ...base, name: 'warp: rotate+scale+elastic', run: () => warpVolume(input, dims, t.both, { displacement }, out) },
    { ...base, name: 'warp: labels rotate 15° (nearest)', floorBytes: count, run: () => warpLabels(labels, dims, t.rotate, {}, outLabels) },
    { ...base, name: 'warp: labels elastic 7³ (nearest)', floorBytes: count, run: () => warpLabels(labels, dims, t.identity, { displacement }, outLabels) },
    oneThread({ ...rotate, reference: undefined }),
    oneThread(scale),
    oneThread(elastic),
  ];
  return all.map((c) => ({ ...c, run: cpuTimed(`${c.name}@${size}`, c.run as () => Promise<unknown>) }));
}

// scipy.ndimage on the same transforms: argv = Z Y X, then JSON {rotate, scale} (our 3×4 maps,
// output voxel → input voxel, which is affine_transform's convention too).
const SCIPY = `
import sys, time, json
import numpy as np
from scipy import ndimage
z, y, x = map(int, sys.argv[1:4])
maps = json.loads(sys.argv[4])
v = np.random.default_rng(1).random((z, y, x), dtype=np.float32)
out = np.empty_like(v)
def best(f, n):
    wall, cpu = [], []
    for _ in range(n):
        s, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - s); cpu.append(time.process_time() - c)
    return {'wall': min(wall) * 1000, 'cpu': min(cpu) * 1000}
def affine(a):
    m = np.array(a, dtype=np.float64).reshape(3, 4)
    return lambda: ndimage.affine_transform(v, m[:, :3], offset=m[:, 3], output=out, order=1, mode='grid-constant', cval=0.0, prefilter=False)
def elastic():
    c = np.random.default_rng(2).uniform(-3, 3, (3, 7, 7, 7))
    field = [ndimage.zoom(c[i], (z / 7, y / 7, x / 7), order=3) for i in range(3)]
    grid = np.meshgrid(np.arange(z), np.arange(y), np.arange(x), indexing='ij')
    ndimage.map_coordinates(v, [grid[i] + field[i] for i in range(3)], output=out, order=1, mode='grid-constant', cval=0.0, prefilter=False)
small = z * y * x <= 64 ** 3
print(json.dumps({
  'copy': best(lambda: np.copyto(out, v), 9),
  'rotate': best(affine(maps['rotate']), 5 if small else 2),
  'scale': best(affine(maps['scale']), 5 if small else 2),
  'elastic': best(elastic, 3 if small else 1),
}))
`;

type ScipyTimes = Record<'copy' | 'rotate' | 'scale' | 'elastic', { wall: number; cpu: number }>;

function scipyTimes(dims: Dims3): ScipyTimes | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const t = transforms(dims);
  try {
    const args = ['-c', SCIPY, ...dims.map(String), JSON.stringify({ rotate: t.rotate, scale: t.scale })];
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
    return JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 600_000, env }));
  } catch {
    return null;
  }
}

function sizeLines(rows: readonly BenchRow[], dims: Dims3): string[] {
  const size = dims.join('×');
  const mine = rows.filter((r) => r.size === size);
  const ms = (name: string) => mine.find((r) => r.name === name)?.nativeMs ?? NaN;
  const cpuOf = (name: string) => Math.min(...(cpuMs.get(`${name}@${size}`) ?? [NaN]));
  const lines: string[] = [
    `#### ${size}`,
    '',
    `| kernel | ms | copy ms | × copy | within 10×? |`,
    '|---|---:|---:|---:|---|',
    ...mine.map(
      (r) =>
        `| ${r.name} | ${r.nativeMs.toFixed(1)} | ${r.copyMs?.toFixed(2) ?? '–'} | ${r.copyMs ? (r.nativeMs / r.copyMs).toFixed(1) : '–'} | ` +
        `${r.copyMs ? (r.nativeMs <= 10 * r.copyMs ? 'yes' : 'no') : '–'} |`,
    ),
  ];
  const floor = copyCpuMs(dims[0] * dims[1] * dims[2] * 4);
  const floor8 = copyCpuMs(dims[0] * dims[1] * dims[2]);
  lines.push(
    '',
    `Process CPU time (fastest call; ${getThreads()}-thread rows sum both threads, so their quiet-machine wall time is about half): ` +
      `copy of the float32 volume ${floor.toFixed(2)} ms, of a uint8 volume ${floor8.toFixed(2)} ms.`,
    '',
    '| kernel | CPU ms | × copy (CPU) | within 10×? |',
    '|---|---:|---:|---|',
    ...mine.map((r) => {
      const t = cpuOf(r.name);
      const f = r.name.includes('labels') ? floor8 : floor;
      return `| ${r.name} | ${t.toFixed(1)} | ${(t / f).toFixed(1)} | ${t <= 10 * f ? 'yes' : 'no'} |`;
    }),
  );
  const py = scipyTimes(dims);
  if (!py) return [...lines, '', 'scipy.ndimage not available (/usr/bin/python3 with scipy): no same-run comparison.', ''];
  const row = (label: string, theirs: { wall: number; cpu: number }, name: string) => {
    const one = `${name} (1 thread)`;
    return (
      `| ${label} | ${theirs.wall.toFixed(1)} | ${theirs.cpu.toFixed(1)} | ${ms(one).toFixed(1)} | ${cpuOf(one).toFixed(1)} | ` +
      `${(theirs.cpu / cpuOf(one)).toFixed(1)}× | ${ms(name).toFixed(1)} | ${(theirs.wall / ms(name)).toFixed(1)}× |`
    );
  };
  return [
    ...lines,
    '',
    `scipy.ndimage in the same run (one thread, order 1, mode grid-constant; numpy copy ${py.copy.wall.toFixed(2)} ms wall, ` +
      `${py.copy.cpu.toFixed(2)} ms CPU). Wall and process CPU time, the fastest of its repeats each; "scipy / medsynth (CPU)" ` +
      `compares one thread with one thread by CPU time, the load-robust ratio:`,
    '',
    `| operation | scipy ms | scipy CPU ms | medsynth 1 thread ms | medsynth 1 thread CPU ms | scipy / medsynth (CPU) | medsynth ${getThreads()} threads ms | scipy / medsynth (wall) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    row('rotate 15° (affine_transform)', py.rotate, 'warp: rotate 15°'),
    row('scale 1.1 (affine_transform)', py.scale, 'warp: scale 1.1'),
    row('elastic 7³ (zoom order 3 + map_coordinates)', py.elastic, 'warp: elastic 7³ (field incl.)'),
    '',
  ];
}

/** The row sampler in use ('–' for an addon without warpIsa, e.g. an older build timed for comparison). */
function samplerIsa(): string {
  try {
    return warpIsa();
  } catch {
    return '–';
  }
}

export const suite: BenchSuite = {
  name: 'warp',
  // --quick: every warp at the patch size only.
  cases: ({ quick }) => (quick ? cases(SIZES[1]) : SIZES.flatMap((d) => cases(d))),
  summarize: (rows: readonly BenchRow[]) => [
    `Target: rotation, scaling and elastic (field included) at ${SIZES[0].join('×')} within 10× a copy of the volume`,
    `(\`TypedArray.set\`, same run). Native threads: ${getThreads()}; row sampler: ${samplerIsa()}.`,
    '',
    ...SIZES.filter((d) => rows.some((r) => r.size === d.join('×'))).flatMap((d) => sizeLines(rows, d)),
  ],
};
