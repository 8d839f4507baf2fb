/**
 * Tumour burden of one patient, as a lung-cancer FDG PET/CT story: a primary in one lung, hilar
 * and mediastinal nodes from stage II–III, distant metastases (liver, bone, contralateral lung)
 * in stage IV; 1–3 lesions in all. Everything here is size, shape and uptake — no position — so
 * the image-derived covariates of the survival model (total volume, SUVmax, lesion count) are
 * known without rendering a voxel. Positions are drawn later (placement.ts) from the anatomy.
 *
 * A lesion is a lobulated sphere (lib/ops/rasterize.ts 'lobulated'): radius
 * r(d) = r0·(1 + Σ aₘ·P_lₘ(d·axisₘ)). Its true volume is ∫ r(d)³/3 dΩ (lobulatedVolume). Uptake is
 * heterogeneous: the body at bodyFraction·SUVmax, 1–2 hot spots at SUVmax inside it, and in some
 * (more often in large tumours) a necrotic core of low uptake. SUVmax is the object's peak
 * activity before partial volume, blur and noise — the truth a measured SUVmax estimates.
 *
 * Sizes are physical (mm): r0 between 4.5 and 16 mm, so on the 256 × 256 axial slice through a
 * lesion (1.64 mm pixels, the 2D default) one lesion covers about 0.03–0.5% of the pixels, the
 * range the seed gives for tumours.
 */
import type { Rng } from '../../core/philox.js';
import type { Vec3 } from '../../ops/rasterize.js';

export type LesionRole = 'primary' | 'node' | 'metastasis';
export type LesionSite = 'right_lung' | 'left_lung' | 'hilar' | 'mediastinal' | 'liver' | 'bone';
export type Stage = 1 | 2 | 3 | 4;

export interface LesionHarmonic {
  amplitude: number;
  degree: number;
  axis: Vec3;
}

export interface LesionSpec {
  role: LesionRole;
  site: LesionSite;
  /** Mask label: 1 for the primary tumour, 2 for nodes and metastases (HECKTOR's GTVp / GTVn). */
  label: 1 | 2;
  /** Base radius r0 in mm. */
  radiusMm: number;
  harmonics: LesionHarmonic[];
  /** Outer bound of the radius, r0·(1 + Σ|aₘ|), mm. */
  outerRadiusMm: number;
  /** True volume of the lobulated body in ml. */
  volumeMl: number;
  /** Peak SUV of the lesion (hot spots). */
  suvMax: number;
  /** The body's SUV as a fraction of suvMax. */
  bodyFraction: number;
  /** Hot spots: spheres at suvMax; centre at distance·r0 along the unit direction, radius·r0. */
  hotSpots: Array<{ direction: Vec3; distance: number; radius: number }>;
  /** Necrotic core, or null: a sphere of radius·r0 offset by offset·r0, at suv. */
  necrosis: { radius: number; offset: Vec3; suv: number } | null;
}

export const LESION_LIMITS = {
  primaryRadiusMm: [4.5, 16],
  nodeRadiusMm: [4.5, 11],
  metastasisRadiusMm: [4.5, 12],
  suvMax: [3, 20],
} as const;

/** Median primary radius (mm) by stage I–IV. */
const PRIMARY_MEDIAN_MM = [6.5, 8.5, 10.5, 11];

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Log-normal truncated to [lo, hi] by redrawing (at most 32 draws, then clamped). */
function logNormal(rng: Rng, median: number, sd: number, lo: number, hi: number): number {
  let v = median;
  for (let k = 0; k < 32; k++) {
    v = median * Math.exp(sd * rng.normal());
    if (v >= lo && v <= hi) return v;
  }
  return clamp(v, lo, hi);
}

/** A uniformly distributed unit vector [z, y, x]. */
export function unitVector(rng: Rng): Vec3 {
  const z = 2 * rng.uniform() - 1;
  const phi = 2 * Math.PI * rng.uniform();
  const s = Math.sqrt(Math.max(0, 1 - z * z));
  return [z, s * Math.sin(phi), s * Math.cos(phi)];
}

function legendre(l: number, t: number): number {
  if (l === 0) return 1;
  let p0 = 1;
  let p1 = t;
  for (let n = 1; n < l; n++) {
    const p2 = ((2 * n + 1) * t * p1 - n * p0) / (n + 1);
    p0 = p1;
    p1 = p2;
  }
  return p1;
}

const glCache = new Map<number, { x: number[]; w: number[] }>();

/** n-point Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n; cached). */
function gaussLegendre(n: number): { x: number[]; w: number[] } {
  const hit = glCache.get(n);
  if (hit) return hit;
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = t;
      for (let k = 1; k < n; k++) {
        const p2 = ((2 * k + 1) * t * p1 - k * p0) / (k + 1);
        p0 = p1;
        p1 = p2;
      }
      // p1 = P_n(t), p0 = P_{n−1}(t)
      dp = (n * (t * p1 - p0)) / (t * t - 1);
      const step = p1 / dp;
      t -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    x.push(t);
    w.push(2 / ((1 - t * t) * dp * dp));
  }
  const rule = { x, w };
  glCache.set(n, rule);
  return rule;
}

/**
 * The volume of a lobulated body, ∫ r(d)³/3 dΩ (mm³ for r0 in mm). r(d)³ is a polynomial of
 * degree 3·lmax in d, so Gauss–Legendre in cos θ with ⌈(3·lmax + 1)/2⌉ nodes and 3·lmax + 1
 * equally spaced φ integrate it exactly (up to rounding).
 */
export function lobulatedVolume(r0: number, harmonics: readonly LesionHarmonic[]): number {
  const axes = harmonics.map((h) => {
    const n = Math.hypot(h.axis[0], h.axis[1], h.axis[2]);
    return [h.axis[0] / n, h.axis[1] / n, h.axis[2] / n];
  });
  const degree = 3 * harmonics.reduce((a, h) => Math.max(a, h.degree), 0);
  const { x, w } = gaussLegendre(Math.max(1, Math.ceil((degree + 1) / 2)));
  const phiSteps = degree + 1;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const z = x[i];
    const s = Math.sqrt(1 - z * z);
    let ring = 0;
    for (let k = 0; k < phiSteps; k++) {
      const phi = (2 * Math.PI * k) / phiSteps;
      const dy = s * Math.sin(phi);
      const dx = s * Math.cos(phi);
      let r = 1;
      for (let m = 0; m < harmonics.length; m++) {
        r += harmonics[m].amplitude * legendre(harmonics[m].degree, z * axes[m][0] + dy * axes[m][1] + dx * axes[m][2]);
      }
      ring += r * r * r;
    }
    sum += w[i] * ring * ((2 * Math.PI) / phiSteps);
  }
  return (sum / 3) * r0 * r0 * r0;
}

function sampleShape(rng: Rng, radiusMm: number): { harmonics: LesionHarmonic[]; outerRadiusMm: number; volumeMl: number } {
  const count = 2 + rng.int(2);
  const harmonics: LesionHarmonic[] = [];
  for (let m = 0; m < count; m++) {
    const degree = 2 + rng.int(4);
    // Sign matters only for odd degrees; amplitudes sum to at most 0.3.
    const amplitude = (rng.bernoulli(0.5) ? 1 : -1) * rng.range(0.03, 0.1);
    harmonics.push({ amplitude, degree, axis: unitVector(rng) });
  }
  const ampSum = harmonics.reduce((a, h) => a + Math.abs(h.amplitude), 0);
  return {
    harmonics,
    outerRadiusMm: radiusMm * (1 + ampSum),
    volumeMl: lobulatedVolume(radiusMm, harmonics) / 1000,
  };
}

function sampleLesion(rng: Rng, role: LesionRole, site: LesionSite, radiusMm: number, suvMax: number): LesionSpec {
  const shape = sampleShape(rng, radiusMm);
  const bodyFraction = rng.range(0.55, 0.8);
  // Bigger tumours outgrow their blood supply: necrosis from 15% (small) to 65% (r0 ≥ 16 mm).
  const necrotic = rng.bernoulli(0.15 + 0.5 * clamp((radiusMm - 6) / 10, 0, 1));
  const coreRadius = rng.range(0.35, 0.5);
  const offsetDir = unitVector(rng);
  const offset = rng.range(0, 0.05);
  const coreSuv = Math.max(0.5, rng.range(0.15, 0.35) * bodyFraction * suvMax);
  // Hot spots lie within the body's inner radius r0·(1 − Σ|aₘ|) ≥ 0.7·r0; around a necrotic
  // core they sit in the viable rim.
  const hotSpots = Array.from({ length: 1 + rng.int(2) }, () => {
    const direction = unitVector(rng);
    const radius = rng.range(0.15, 0.22);
    const distance = necrotic ? rng.range(0.45, 0.48) : rng.range(0.1, 0.45);
    return { direction, distance, radius };
  });
  return {
    role,
    site,
    label: role === 'primary' ? 1 : 2,
    radiusMm,
    ...shape,
    suvMax,
    bodyFraction,
    hotSpots,
    necrosis: necrotic
      ? { radius: coreRadius, offset: offsetDir.map((v) => v * offset) as unknown as Vec3, suv: coreSuv }
      : null,
  };
}

/**
 * The lesions of a patient of `stage`, drawn from `rng` (the patient's lesion stream). The
 * number of draws does not depend on anything but the stage and earlier draws of this stream.
 */
export function sampleLesions(rng: Rng, stage: Stage): LesionSpec[] {
  const count = stage === 1 ? 1 : stage === 2 ? 1 + (rng.bernoulli(0.3) ? 1 : 0) : 2 + (rng.bernoulli(stage === 3 ? 0.4 : 0.5) ? 1 : 0);
  const primarySite: LesionSite = rng.bernoulli(0.55) ? 'right_lung' : 'left_lung';
  const [pLo, pHi] = LESION_LIMITS.primaryRadiusMm;
  const [sLo, sHi] = LESION_LIMITS.suvMax;
  const primaryRadius = logNormal(rng, PRIMARY_MEDIAN_MM[stage - 1], 0.3, pLo, pHi);
  const primarySuv = logNormal(rng, 9, 0.4, sLo, sHi);
  const lesions = [sampleLesion(rng, 'primary', primarySite, primaryRadius, primarySuv)];
  const contralateral: LesionSite = primarySite === 'right_lung' ? 'left_lung' : 'right_lung';
  for (let j = 1; j < count; j++) {
    let role: LesionRole;
    let site: LesionSite;
    if (stage === 4 && (j === 1 || rng.bernoulli(0.5))) {
      role = 'metastasis';
      const k = rng.categorical([0.45, 0.3, 0.25]);
      site = k === 0 ? 'liver' : k === 1 ? 'bone' : contralateral;
    } else {
      role = 'node';
      site = j === 1 && stage <= 3 ? 'hilar' : 'mediastinal';
    }
    const [lo, hi] = role === 'node' ? LESION_LIMITS.nodeRadiusMm : LESION_LIMITS.metastasisRadiusMm;
    const radius = logNormal(rng, role === 'node' ? 6.5 : 7, role === 'node' ? 0.25 : 0.3, lo, site === 'bone' ? Math.min(hi, 8) : hi);
    const suv = logNormal(rng, primarySuv * Math.exp(-0.2), 0.25, sLo, sHi);
    lesions.push(sampleLesion(rng, role, site, radius, suv));
  }
  return lesions;
}
