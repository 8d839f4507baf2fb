// Shared by the GPU tests: whether they run here (and why not), random inputs, and comparisons
// with the tolerances. Every GPU test is skipped, with the reason in its title, where
// no CUDA device exists.
import { describe } from 'vitest';

import { cudaInfo } from '../../lib/core/device.js';
import { Rng } from '../../lib/core/philox.js';
import type { Shape, Vec3 } from '../../lib/ops/rasterize.js';

const info = cudaInfo();
export const gpu = info.available;

/** describe() that runs only with a CUDA device; otherwise skipped with the reason as title. */
export function describeGpu(name: string, fn: () => void): void {
  describe.skipIf(!gpu)(gpu ? name : `${name} — skipped: ${info.reason}`, fn);
}

export function randomVolume(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = new Rng(seed, 0, 0);
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

/** max |a − b| / max(|b|, floor); NaN only where both are NaN. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  }
  return worst;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function countDifferent(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

const BLENDS = ['replace', 'add', 'max'] as const;

/** Every kind, blend and label rule; centres a little outside the volume too. */
export function randomShapes(seed: number, dims: [number, number, number], count: number, planes = false): Shape[] {
  const rng = new Rng(seed, 1, 0);
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const point = (): Vec3 => [rng.range(-3, dims[0] + 3), rng.range(-3, dims[1] + 3), rng.range(-3, dims[2] + 3)];
    const radii = (): Vec3 => [rng.range(1.5, 9), rng.range(1.5, 9), rng.range(1.5, 9)];
    const eulerZYX: Vec3 = [rng.range(-3, 3), rng.range(-3, 3), rng.range(-3, 3)];
    const common = {
      intensity: rng.range(-50, 250),
      label: rng.int(5) === 0 ? undefined : 1 + rng.int(8),
      priority: rng.int(3),
      blend: BLENDS[rng.int(3)],
      plane: planes && rng.int(3) === 0 ? rng.int(dims[0]) : undefined,
    };
    switch (i % 5) {
      case 0:
        shapes.push({ type: 'ellipsoid', center: point(), radii: radii(), eulerZYX, ...common });
        break;
      case 1:
      case 2: {
        const a = point();
        const b: Vec3 = [a[0] + rng.range(-9, 9), a[1] + rng.range(-9, 9), a[2] + rng.range(-9, 9)];
        shapes.push({ type: i % 5 === 1 ? 'capsule' : 'cylinder', a, b, radius: rng.range(1, 5), ...common });
        break;
      }
      case 3:
        shapes.push({ type: 'bean', center: point(), radii: radii(), eulerZYX, hilumDepth: rng.range(0, 0.5), hilumWidth: rng.range(0.3, 1), ...common });
        break;
      default:
        shapes.push({
          type: 'lobulated', center: point(), radius: rng.range(2, 7), eulerZYX,
          harmonics: [
            { amplitude: rng.range(-0.2, 0.2), degree: 2 + rng.int(5), axis: [rng.normal(), rng.normal(), rng.normal()] },
            { amplitude: rng.range(-0.15, 0.15), degree: 1 + rng.int(8), axis: [rng.normal(), rng.normal(), 1] },
          ],
          spicules: [{ direction: [rng.normal(), rng.normal(), rng.normal()], length: rng.range(1, 5), width: rng.range(0.5, 2) }],
          ...common,
        });
    }
  }
  return shapes;
}
