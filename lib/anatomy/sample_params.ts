/**
 * Sampling the parameters of one anatomy sample: scenario, each structure's shape, position,
 * size and intensity, and the imaging artifacts. Plain, JSON-serialisable output; every random
 * choice comes from Philox keyed by (seed, sample index), so sample i is the same whether it is
 * generated alone, in a batch, in another process or on another thread count.
 */
import { Rng } from '../core/philox.js';
import { biasFieldTermCount } from '../ops/bias_field.js';
import type { Shape } from '../ops/rasterize.js';
import { SIZE_TO_EXTENT, type StructureSpec } from './catalogue.js';
import type { ResolvedAnatomyOptions } from './options.js';
import { drawScenario, scenarioProbabilities } from './scenarios.js';

/** Philox streams of one sample (the counter runs within each). */
export const STREAM = { scenario: 0, anatomy: 1, artifacts: 2, voxelNoise: 3 } as const;

export interface StructureParams {
  name: string;
  label: number;
  present: boolean;
  /** Scale factor applied to the catalogue size. */
  scale: number;
  intensity: number;
  /** The shape in voxel coordinates; absent structures keep theirs (for explanation only). */
  shape: Shape;
}

export interface AnatomySampleParams {
  index: number;
  scenario: string;
  structures: StructureParams[];
  body: Shape;
  blurSigmaMm: [number, number, number];
  bias: { order: number; coefficients: number[] };
  noise: { kind: 'gaussian' | 'rician' | 'poisson'; sigma: number };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Voxel coordinate of the centre of a fractional position along an axis of n voxels. */
const toVoxel = (fraction: number, n: number) => fraction * n - 0.5;

// 180° about z in [z, y, x] coordinates: its own inverse, so it reads the same as a world→local
// or local→world matrix. Turns a bean's hilum from +x to -x.
const FLIP_X_Y: readonly number[] = [1, 0, 0, 0, -1, 0, 0, 0, -1];

function structureShape(
  spec: StructureSpec,
  center: [number, number, number],
  scale: number,
  dims: readonly [number, number, number],
  intensity: number,
  label: number,
): Shape {
  const radii = spec.size.map((s, i) => 0.5 * s * SIZE_TO_EXTENT[i] * scale * dims[i]) as [number, number, number];
  const common = { intensity, label, priority: spec.priority, blend: 'replace' as const };
  switch (spec.shape) {
    case 'ellipsoid':
      return { type: 'ellipsoid', center, radii, ...common };
    case 'bean':
      return {
        type: 'bean',
        center,
        radii,
        rotation: spec.hilumSide === -1 ? [...FLIP_X_Y] : undefined,
        hilumDepth: 0.45,
        hilumWidth: 0.45,
        ...common,
      };
    case 'cylinder': {
      // Along z; the axial radius is the geometric mean of the y and x semi-axes.
      const r = Math.sqrt(radii[1] * radii[2]);
      return {
        type: 'cylinder',
        a: [center[0] - radii[0], center[1], center[2]],
        b: [center[0] + radii[0], center[1], center[2]],
        radius: r,
        ...common,
      };
    }
  }
}

/** Keeps an axial centre inside the body ellipse, shrunk by the structure's own half size. */
function insideBody(
  center: [number, number, number],
  half: readonly [number, number, number],
  o: ResolvedAnatomyOptions,
): [number, number, number] {
  const [cy, cx] = o.body.center;
  const [ay, ax] = o.body.semiAxes;
  const ry = Math.max(ay - half[1], 0.01);
  const rx = Math.max(ax - half[2], 0.01);
  const dy = (center[1] - cy) / ry;
  const dx = (center[2] - cx) / rx;
  const r = Math.hypot(dy, dx);
  const z = clamp(center[0], half[0], 1 - half[0]);
  if (r <= 1) return [z, center[1], center[2]];
  return [z, cy + (dy / r) * ry, cx + (dx / r) * rx];
}

const MAX_SCALE = 1.6;

/**
 * The spine moves as one column: its z shift is limited so that no vertebra, even at the largest
 * scale, would be pushed against the volume's end (where clamping would break the L1…L5 order).
 */
function clampSpineShift(structures: readonly StructureSpec[], shift: number): number {
  let lo = -Infinity;
  let hi = Infinity;
  for (const s of structures) {
    if (s.region !== 'skeletal') continue;
    const half = 0.5 * s.size[0] * SIZE_TO_EXTENT[0] * MAX_SCALE;
    lo = Math.max(lo, half - s.center[0]);
    hi = Math.min(hi, 1 - half - s.center[0]);
  }
  return lo <= hi ? clamp(shift, lo, hi) : shift;
}

export function sampleAnatomyParams(o: ResolvedAnatomyOptions, index: number): AnatomySampleParams {
  const dims = o.imageSize;
  const scenarioRng = new Rng(o.seed, index, STREAM.scenario);
  const scenario = o.scenarios[drawScenario(scenarioRng, scenarioProbabilities(o.scenarios))];
  const present = new Set(scenario.present);

  // Every structure draws its jitter whether present or not, so removing an organ does not
  // change the rest of the patient.
  const rng = new Rng(o.seed, index, STREAM.anatomy);
  const spineShift = [rng.normal(0, o.positionNoise), rng.normal(0, o.positionNoise), rng.normal(0, o.positionNoise)];
  spineShift[0] = clampSpineShift(o.structures, spineShift[0]);
  const structures = o.structures.map((spec, i): StructureParams => {
    const jitter = [rng.normal(), rng.normal(), rng.normal()];
    const scale = clamp(1 + o.sizeNoise * rng.normal(), 0.5, MAX_SCALE);
    const intensity = spec.intensity * clamp(1 + o.intensityNoise * rng.normal(), 0.2, 2);
    // Vertebrae move together (a small own jitter keeps them stacked in order).
    const shift = spec.region === 'skeletal'
      ? spineShift.map((s, a) => s + 0.15 * o.positionNoise * jitter[a])
      : jitter.map((j) => o.positionNoise * j);
    const half = spec.size.map((s, a) => 0.5 * s * SIZE_TO_EXTENT[a] * scale) as [number, number, number];
    const fraction = insideBody(
      [spec.center[0] + shift[0], spec.center[1] + shift[1], spec.center[2] + shift[2]],
      half,
      o,
    );
    const center = fraction.map((f, a) => toVoxel(f, dims[a])) as [number, number, number];
    return {
      name: spec.name,
      label: i + 1,
      present: present.has(spec.name),
      scale,
      intensity,
      shape: structureShape(spec, center, scale, dims, intensity, i + 1),
    };
  });

  // The body: an elliptic cylinder, as an ellipsoid far longer than the volume.
  const body: Shape = {
    type: 'ellipsoid',
    center: [toVoxel(0.5, dims[0]), toVoxel(o.body.center[0], dims[1]), toVoxel(o.body.center[1], dims[2])],
    radii: [10 * dims[0], o.body.semiAxes[0] * dims[1], o.body.semiAxes[1] * dims[2]],
    intensity: o.body.intensity,
    priority: 0,
    blend: 'replace',
  };

  const a = o.artifacts;
  const art = new Rng(o.seed, index, STREAM.artifacts);
  const coefficients = Array.from({ length: biasFieldTermCount(a.biasOrder) }, () =>
    a.biasMagnitude === 0 ? 0 : art.range(-a.biasMagnitude, a.biasMagnitude),
  );
  return {
    index,
    scenario: scenario.name,
    structures,
    body,
    blurSigmaMm: [...a.blurSigmaMm],
    bias: { order: a.biasOrder, coefficients },
    noise: { kind: a.noiseKind, sigma: a.noiseSigma },
  };
}
