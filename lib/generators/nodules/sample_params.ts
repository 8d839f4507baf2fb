/**
 * Sampling one procedural nodule's parameters: kind, size, density, margin, shape, location and
 * its malignancy label. Plain, JSON-serialisable output; every draw comes from Philox keyed by
 * (seed, index) on its own stream, so nodule i is the same whether generated alone or in a batch,
 * and the label's stream is separate from the shape's.
 */
import { Rng } from '../../core/philox.js';
import type { Vec3 } from '../../ops/rasterize.js';
import { sigmoid } from '../clinical2d/distributions.js';
import { lobulatedVolume } from '../petct/lesions.js';
import {
  AXIS_RATIO,
  GROUND_GLASS_HU,
  KIND_SPECS,
  LOBULATION,
  PART_SOLID_CORE_FRACTION,
  RIGHT_LUNG_SHARE,
  SOLID_HU,
  SPICULATION,
  UPPER_LOBE_SHARE,
  type NoduleKind,
} from './kinds.js';
import { patchReachMm, type ResolvedNoduleOptions } from './options.js';
import { diameterAtQuantile, riskCovariates, riskScore } from './risk_model.js';

/** Philox streams of one nodule. */
export const NODULE_STREAM = { attributes: 0, shape: 1, label: 2, voxelNoise: 3, augment: 4, placement: 5, augmentNoise: 6 } as const;

export interface NoduleHarmonic {
  amplitude: number;
  degree: number;
  axis: Vec3;
}

export interface NoduleSpicule {
  direction: Vec3;
  lengthMm: number;
  widthMm: number;
}

export interface NoduleParams {
  index: number;
  kind: NoduleKind;
  /** Equivalent-sphere diameter of the body (mm): its volume is π d³ / 6. */
  diameterMm: number;
  /** Body density (HU): the solid tissue, or the ground-glass halo of part-solid nodules. */
  densityHu: number;
  /** Part-solid only: the solid core's density (HU) and diameter as a fraction of d. */
  coreHu: number | null;
  coreFraction: number | null;
  /** Part-solid only: the core's centre offset from the body's (mm). */
  coreOffsetMm: Vec3 | null;
  /** Edge blur (Gaussian σ, mm): sharp margins small, ground glass large. */
  marginSigmaMm: number;
  /** Body orientation: eulerZYX radians. */
  eulerZYX: Vec3;
  /** Ellipsoid kinds: radii along the local axes as multiples of d / 2 (product 1). */
  axisRatios: Vec3 | null;
  /** Lobulated and spiculated kinds: r0 (mm, chosen so the body volume is π d³ / 6) and harmonics. */
  radiusMm: number | null;
  harmonics: NoduleHarmonic[];
  spicules: NoduleSpicule[];
  side: 'left' | 'right';
  upperLobe: boolean;
  /** Risk model covariates (RISK_COVARIATES order), P(malignant) and the drawn label. */
  riskCovariates: number[];
  malignancyProbability: number;
  malignant: boolean;
}

function unitVector(rng: Rng): Vec3 {
  for (;;) {
    const v = [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)];
    const n = Math.hypot(v[0], v[1], v[2]);
    if (n > 1e-3 && n <= 1) return [v[0] / n, v[1] / n, v[2] / n];
  }
}

function clippedNormal(rng: Rng, spec: { mean: number; sd: number; min: number; max: number }): number {
  return Math.min(Math.max(rng.normal(spec.mean, spec.sd), spec.min), spec.max);
}

function harmonicSet(rng: Rng, terms: readonly number[], degrees: readonly number[], amplitudeSum: readonly number[]): NoduleHarmonic[] {
  const count = terms[0] + rng.int(terms[1] - terms[0] + 1);
  const total = rng.range(amplitudeSum[0], amplitudeSum[1]);
  const parts = Array.from({ length: count }, () => rng.range(0.5, 1.5));
  const sum = parts.reduce((a, b) => a + b, 0);
  return parts.map((p) => ({
    amplitude: ((rng.bernoulli(0.5) ? 1 : -1) * total * p) / sum,
    degree: degrees[0] + rng.int(degrees[1] - degrees[0] + 1),
    axis: unitVector(rng),
  }));
}

/** Draws a kind with the options' weights. */
function drawKind(rng: Rng, o: ResolvedNoduleOptions): NoduleKind {
  return o.kinds[rng.categorical(o.kinds.map((k) => o.kindWeights[k] ?? 0))];
}

export function sampleNoduleParams(o: ResolvedNoduleOptions, index: number): NoduleParams {
  const a = new Rng(o.seed, index, NODULE_STREAM.attributes);
  const kind = drawKind(a, o);
  const spec = KIND_SPECS[kind];
  const diameterMm = diameterAtQuantile(kind, a.uniform(), o.diameterMm[0], o.diameterMm[1]);
  const side = a.bernoulli(RIGHT_LUNG_SHARE) ? 'right' : 'left';
  const upperLobe = a.bernoulli(UPPER_LOBE_SHARE);
  const ggo = kind === 'ground-glass' || kind === 'part-solid';
  const densityHu = clippedNormal(a, ggo ? GROUND_GLASS_HU : SOLID_HU);
  const marginSigmaMm = a.range(spec.marginSigmaMm[0], spec.marginSigmaMm[1]);

  const s = new Rng(o.seed, index, NODULE_STREAM.shape);
  const eulerZYX: Vec3 = [s.range(-Math.PI, Math.PI), Math.asin(s.range(-1, 1)), s.range(-Math.PI, Math.PI)];
  let axisRatios: Vec3 | null = null;
  let radiusMm: number | null = null;
  let harmonics: NoduleHarmonic[] = [];
  const spicules: NoduleSpicule[] = [];
  let coreHu: number | null = null, coreFraction: number | null = null, coreOffsetMm: Vec3 | null = null;
  if (kind === 'lobulated' || kind === 'spiculated') {
    harmonics = kind === 'lobulated'
      ? harmonicSet(s, LOBULATION.terms, LOBULATION.degrees, LOBULATION.amplitudeSum)
      : harmonicSet(s, SPICULATION.terms, LOBULATION.degrees, SPICULATION.amplitudeSum);
    // r0 gives the body the volume π d³ / 6 (lobulatedVolume(1, ·) is the volume per r0³). Lobes
    // that would reach past the patch are flattened until they fit.
    const reach = patchReachMm(o.patchSize, o.spacing);
    let bodyReach = 0;
    for (let k = 0; k < 50; k++) {
      radiusMm = (diameterMm / 2) * Math.cbrt(((4 / 3) * Math.PI) / lobulatedVolume(1, harmonics));
      bodyReach = radiusMm * (1 + harmonics.reduce((t, h) => t + Math.abs(h.amplitude), 0));
      if (bodyReach <= reach) break;
      harmonics = harmonics.map((h) => ({ ...h, amplitude: 0.8 * h.amplitude }));
    }
    if (kind === 'spiculated') {
      // Spicules are shortened to end inside the patch.
      const room = Math.max(reach - bodyReach, 0.25);
      const n = SPICULATION.count[0] + s.int(SPICULATION.count[1] - SPICULATION.count[0] + 1);
      for (let j = 0; j < n; j++) {
        spicules.push({
          direction: unitVector(s),
          lengthMm: Math.min(radiusMm! * s.range(SPICULATION.lengthFraction[0], SPICULATION.lengthFraction[1]), room),
          widthMm: s.range(SPICULATION.widthMm[0], SPICULATION.widthMm[1]),
        });
      }
    }
  } else {
    const r = [s.range(AXIS_RATIO[0], AXIS_RATIO[1]), s.range(AXIS_RATIO[0], AXIS_RATIO[1]), s.range(AXIS_RATIO[0], AXIS_RATIO[1])];
    const g = Math.cbrt(r[0] * r[1] * r[2]);
    axisRatios = [r[0] / g, r[1] / g, r[2] / g];
    if (kind === 'part-solid') {
      coreFraction = s.range(PART_SOLID_CORE_FRACTION[0], PART_SOLID_CORE_FRACTION[1]);
      coreHu = clippedNormal(s, SOLID_HU);
      const u = unitVector(s);
      const reach = 0.15 * diameterMm * (1 - coreFraction) * s.uniform();
      coreOffsetMm = [u[0] * reach, u[1] * reach, u[2] * reach];
    }
  }

  const x = riskCovariates(kind, diameterMm, upperLobe);
  const p = sigmoid(o.intercept + riskScore(x));
  const malignant = new Rng(o.seed, index, NODULE_STREAM.label).uniform() < p;
  return {
    index,
    kind,
    diameterMm,
    densityHu,
    coreHu,
    coreFraction,
    coreOffsetMm,
    marginSigmaMm,
    eulerZYX,
    axisRatios,
    radiusMm,
    harmonics,
    spicules,
    side,
    upperLobe,
    riskCovariates: x,
    malignancyProbability: p,
    malignant,
  };
}
