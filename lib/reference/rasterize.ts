/**
 * Plain float64 reference for lib/ops/rasterize.ts: every voxel of a generous box around each shape
 * is sub-sampled at its 4×4×4 points (4×4 in plane mode) with a direct inside test, then blended
 * with the documented rules. No intervals, no distance bounds: slow and obviously correct.
 */
import { type Shape, shapeRotation } from '../ops/rasterize.js';

type V3 = [number, number, number];

const OFFSETS = [-0.375, -0.125, 0.125, 0.375];

export interface ReferenceTargets {
  dims: readonly [number, number, number];
  intensity?: Float64Array | Float32Array;
  labels?: Uint8Array;
  labelPriority?: Readonly<Record<number, number>>;
}

const sub = (p: readonly number[], q: readonly number[]): V3 => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
const dot = (p: readonly number[], q: readonly number[]) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
const norm = (p: readonly number[]) => Math.sqrt(dot(p, p));
/** Rᵀ v: volume offset -> local frame. */
const toLocal = (R: readonly number[], v: readonly number[]): V3 => [
  R[0] * v[0] + R[3] * v[1] + R[6] * v[2],
  R[1] * v[0] + R[4] * v[1] + R[7] * v[2],
  R[2] * v[0] + R[5] * v[1] + R[8] * v[2],
];
const toVolume = (R: readonly number[], v: readonly number[]): V3 => [
  R[0] * v[0] + R[1] * v[1] + R[2] * v[2],
  R[3] * v[0] + R[4] * v[1] + R[5] * v[2],
  R[6] * v[0] + R[7] * v[1] + R[8] * v[2],
];
const unit = (v: readonly number[]): V3 => {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
};

function legendre(l: number, t: number): number {
  let p0 = 1;
  let p1 = t;
  if (l === 0) return 1;
  for (let n = 1; n < l; n++) [p0, p1] = [p1, ((2 * n + 1) * t * p1 - n * p0) / (n + 1)];
  return p1;
}

/** Inside test and a box (volume coordinates) that contains the shape. */
interface Solid {
  inside(p: V3): boolean;
  lo: V3;
  hi: V3;
  zc: number;
}

function solid(shape: Shape): Solid {
  switch (shape.type) {
    case 'ellipsoid':
    case 'bean': {
      const R = shapeRotation(shape);
      const c = shape.center;
      const r = shape.radii;
      const m = Math.max(...r);
      const depth = shape.type === 'bean' ? (shape.hilumDepth ?? 0.4) : 0;
      const w = shape.type === 'bean' ? (shape.hilumWidth ?? 0.3) : 1;
      return {
        lo: [c[0] - m, c[1] - m, c[2] - m],
        hi: [c[0] + m, c[1] + m, c[2] + m],
        zc: c[0],
        inside(p) {
          const q = toLocal(R, sub(p, c));
          const n: V3 = [q[0] / r[0], q[1] / r[1], q[2] / r[2]];
          const len = norm(n);
          if (shape.type === 'ellipsoid') return dot(n, n) <= 1;
          return len === 0 || len <= 1 - depth * Math.exp((n[2] / len - 1) / (w * w));
        },
      };
    }
    case 'capsule':
    case 'cylinder': {
      const { a, b, radius } = shape;
      const ab = sub(b, a);
      const len2 = dot(ab, ab);
      return {
        lo: [Math.min(a[0], b[0]) - radius, Math.min(a[1], b[1]) - radius, Math.min(a[2], b[2]) - radius],
        hi: [Math.max(a[0], b[0]) + radius, Math.max(a[1], b[1]) + radius, Math.max(a[2], b[2]) + radius],
        zc: (a[0] + b[0]) / 2,
        inside(p) {
          const ap = sub(p, a);
          if (shape.type === 'capsule') {
            const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, dot(ap, ab) / len2));
            const d = sub(ap, [ab[0] * t, ab[1] * t, ab[2] * t]);
            return dot(d, d) <= radius * radius;
          }
          const h = dot(ap, ab) / Math.sqrt(len2);
          return h >= 0 && h * h <= len2 && dot(ap, ap) - h * h <= radius * radius;
        },
      };
    }
    case 'lobulated': {
      const R = shapeRotation(shape);
      const c = shape.center;
      const terms = (shape.harmonics ?? []).map((h) => ({ amp: h.amplitude, l: h.degree, axis: unit(h.axis) }));
      const body = (d: V3) => shape.radius * (1 + terms.reduce((s, h) => s + h.amp * legendre(h.l, dot(d, h.axis)), 0));
      // A spicule is the convex hull of a sphere (radius w/2 at A) and its tip B: the union over
      // s in [0, 1] of balls centred A + s(B - A) with radius (1 - s) w/2. f(s) = distance - radius is
      // convex in s, so a ternary search finds its minimum.
      const spikes = (shape.spicules ?? []).map((sp) => {
        const d = unit(sp.direction);
        const rd = body(d);
        const A = toVolume(R, d.map((v) => v * Math.max(rd - sp.width, 0)));
        const B = toVolume(R, d.map((v) => v * (rd + sp.length)));
        return { A: [A[0] + c[0], A[1] + c[1], A[2] + c[2]] as V3, B: [B[0] + c[0], B[1] + c[1], B[2] + c[2]] as V3, r: sp.width / 2 };
      });
      const inSpike = (p: V3, k: { A: V3; B: V3; r: number }) => {
        const ab = sub(k.B, k.A);
        const t = Math.min(1, Math.max(0, dot(sub(p, k.A), ab) / dot(ab, ab)));
        if (norm(sub(p, [k.A[0] + t * ab[0], k.A[1] + t * ab[1], k.A[2] + t * ab[2]])) > k.r) return false;
        const f = (s: number) => norm(sub(p, [k.A[0] + s * (k.B[0] - k.A[0]), k.A[1] + s * (k.B[1] - k.A[1]), k.A[2] + s * (k.B[2] - k.A[2])])) - (1 - s) * k.r;
        let lo = 0;
        let hi = 1;
        for (let i = 0; i < 100; i++) {
          const m1 = lo + (hi - lo) / 3;
          const m2 = hi - (hi - lo) / 3;
          if (f(m1) <= f(m2)) hi = m2;
          else lo = m1;
        }
        return Math.min(f(0), f(1), f((lo + hi) / 2)) <= 0;
      };
      const reach = shape.radius * 2 + Math.max(0, ...(shape.spicules ?? []).map((s) => s.length + s.width));
      return {
        lo: [c[0] - reach, c[1] - reach, c[2] - reach],
        hi: [c[0] + reach, c[1] + reach, c[2] + reach],
        zc: c[0],
        inside(p) {
          const q = toLocal(R, sub(p, c));
          const n = norm(q);
          if (n === 0 || n <= body([q[0] / n, q[1] / n, q[2] / n])) return true;
          return spikes.some((k) => inSpike(p, k));
        },
      };
    }
  }
}

/** The default label-priority table (see lib/ops/rasterize.ts), written out independently. */
function priorities(shapes: readonly Shape[], overrides?: Readonly<Record<number, number>>): number[] {
  const table = new Array<number>(256).fill(0);
  for (let label = 1; label < 256; label++) {
    const ps = shapes.filter((s) => s.label === label).map((s) => s.priority ?? 0);
    if (ps.length > 0) table[label] = Math.max(...ps);
  }
  table[0] = -Infinity;
  for (const [k, v] of Object.entries(overrides ?? {})) table[Number(k)] = v;
  return table;
}

/** Applies `shapes` to the targets in place; returns each shape's summed coverage. */
export function referenceRasterize(shapes: readonly Shape[], targets: ReferenceTargets): number[] {
  const [Z, Y, X] = targets.dims;
  const table = priorities(shapes, targets.labelPriority);
  return shapes.map((shape) => {
    const s = solid(shape);
    const plane = shape.plane;
    const zs = plane === undefined ? OFFSETS : [0];
    const full = plane === undefined ? 64 : 16;
    const range = (axis: number, n: number) => [Math.max(0, Math.floor(s.lo[axis]) - 1), Math.min(n - 1, Math.ceil(s.hi[axis]) + 1)];
    const [z0, z1] = plane === undefined ? range(0, Z) : [plane, plane];
    const [y0, y1] = range(1, Y);
    const [x0, x1] = range(2, X);
    const v = shape.intensity ?? 1;
    const blend = shape.blend ?? 'replace';
    let total = 0;
    for (let z = z0; z <= z1; z++) {
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          let n = 0;
          for (const dz of zs) {
            for (const dy of OFFSETS) {
              for (const dx of OFFSETS) {
                const pz = plane === undefined ? z + dz : s.zc;
                if (s.inside([pz, y + dy, x + dx])) n++;
              }
            }
          }
          if (n === 0) continue;
          total += n / full;
          const c = n / full;
          const i = (z * Y + y) * X + x;
          if (targets.intensity) {
            const o = targets.intensity[i];
            targets.intensity[i] =
              blend === 'replace' ? o * (1 - c) + v * c : blend === 'add' ? o + v * c : o + c * Math.max(v - o, 0);
          }
          if (targets.labels && shape.label !== undefined && 2 * n >= full && (shape.priority ?? 0) >= table[targets.labels[i]]) {
            targets.labels[i] = shape.label;
          }
        }
      }
    }
    return total;
  });
}
