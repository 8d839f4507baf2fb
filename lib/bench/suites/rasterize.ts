/**
 * rasterize: an abdomen/thorax scene of 13 organ-sized shapes (2 lungs, heart, liver, spleen,
 * pancreas as ellipsoids, 2 kidneys as beans, 5 vertebral bodies as cylinders) drawn into an
 * intensity and a label volume. The reference is the plain TS rasterizer (test/reference/), which
 * sub-samples every voxel of each shape's box: slow by design.
 */
import { pinnedArray } from '../../core/pinned.js';
import { type Shape, rasterize } from '../../ops/rasterize.js';
import { referenceRasterize } from '../../reference/rasterize.js';
import type { BenchCase, BenchSuite } from '../suite.js';

type Dims3 = [number, number, number];

/** The scene laid out for a 256×512×512 volume, scaled by `s` (0.5 for 128×256×256). */
export function organScene(s = 1): Shape[] {
  const p = (v: readonly [number, number, number]) => [v[0] * s, v[1] * s, v[2] * s] as [number, number, number];
  const organs: Shape[] = [
    { type: 'ellipsoid', center: p([150, 230, 330]), radii: p([50, 80, 55]), intensity: -800, label: 1 },
    { type: 'ellipsoid', center: p([150, 230, 180]), radii: p([52, 82, 58]), intensity: -800, label: 2 },
    { type: 'ellipsoid', center: p([125, 265, 265]), radii: p([40, 50, 45]), eulerZYX: [0.5, 0.2, 0], intensity: 40, label: 3 },
    { type: 'ellipsoid', center: p([80, 250, 170]), radii: p([45, 90, 80]), eulerZYX: [-0.2, 0, 0.1], intensity: 60, label: 4 },
    { type: 'ellipsoid', center: p([85, 290, 360]), radii: p([30, 25, 35]), eulerZYX: [0.6, 0, 0], intensity: 50, label: 5 },
    { type: 'ellipsoid', center: p([70, 280, 260]), radii: p([12, 18, 60]), eulerZYX: [0.3, 0.1, 0], intensity: 45, label: 6 },
    // Kidneys: hilum (local +x) turned toward the midline.
    { type: 'bean', center: p([55, 330, 340]), radii: p([40, 20, 28]), eulerZYX: [Math.PI - 0.3, 0, 0], intensity: 35, label: 7 },
    { type: 'bean', center: p([55, 330, 175]), radii: p([40, 20, 28]), eulerZYX: [0.3, 0, 0], intensity: 35, label: 8 },
  ];
  for (let i = 0; i < 5; i++) {
    const z = 20 + 24 * i;
    organs.push({ type: 'cylinder', a: p([z - 10, 385, 256]), b: p([z + 10, 380, 256]), radius: 22 * s, intensity: 400, label: 9 + i, priority: 2 });
  }
  return organs;
}

function sceneCase(dims: Dims3, scale: number): BenchCase {
  const count = dims[0] * dims[1] * dims[2];
  const shapes = organScene(scale);
  let intensity: Float32Array | undefined;
  let labels: Uint8Array | undefined;
  return {
    name: '13 organ shapes (intensity + labels)',
    size: dims.join('×'),
    floorBytes: count * 5,
    setup: () => {
      intensity = pinnedArray(Float32Array, count).fill(-1000); // pinned, as the generators' buffers
      labels = pinnedArray(Uint8Array, count);
    },
    run: () => rasterize(shapes, { dims, intensity, labels }),
    reference: () => referenceRasterize(shapes, { dims, intensity, labels }),
    teardown: () => {
      intensity = undefined;
      labels = undefined;
    },
  };
}

export const suite: BenchSuite = {
  name: 'rasterize',
  // --quick: an eighth of the scene (the reference sub-samples every voxel of each shape's box: ~1 s at a quarter).
  cases: ({ quick }) => (quick ? [sceneCase([32, 64, 64], 0.125)] : [sceneCase([128, 256, 256], 0.5), sceneCase([256, 512, 512], 1)]),
};
