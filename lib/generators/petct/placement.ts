/**
 * Where each lesion goes, in the patient frame (mm), given the patient's organs:
 *   right_lung / left_lung / liver: uniform inside the organ's ellipsoid shrunk by the lesion's
 *     outer radius + 2 mm, so the lesion lies inside the organ;
 *   bone: inside a vertebral body (L1–L5, one not used yet), likewise shrunk;
 *   hilar: on the medial border of the primary's lung, straddling lung and mediastinum;
 *   mediastinal: above the heart, near the midline (paratracheal / subcarinal).
 * Lesions do not overlap: a position closer than the two outer radii + 2 mm to an earlier lesion
 * is drawn again (up to 64 times; the last draw is kept if all collide).
 */
import type { Rng } from '../../core/philox.js';
import type { Shape, Vec3 } from '../../ops/rasterize.js';
import { organShape, type PatientAnatomy } from './anatomy.js';
import type { LesionSpec } from './lesions.js';

const MARGIN_MM = 2;
const MAX_TRIES = 64;

/** A point uniform in the unit ball. */
function unitBall(rng: Rng): Vec3 {
  for (;;) {
    const v: Vec3 = [2 * rng.uniform() - 1, 2 * rng.uniform() - 1, 2 * rng.uniform() - 1];
    if (v[0] * v[0] + v[1] * v[1] + v[2] * v[2] <= 1) return v;
  }
}

function insideEllipsoid(rng: Rng, shape: Shape, margin: number): Vec3 {
  if (shape.type !== 'ellipsoid' && shape.type !== 'bean') throw new Error('an ellipsoid host is needed');
  const u = unitBall(rng);
  return [0, 1, 2].map((a) => shape.center[a] + Math.max(shape.radii[a] - margin, 0) * u[a]) as unknown as Vec3;
}

function insideCylinder(rng: Rng, shape: Shape, margin: number): Vec3 {
  if (shape.type !== 'cylinder') throw new Error('a cylinder host is needed');
  const c = [0, 1, 2].map((a) => 0.5 * (shape.a[a] + shape.b[a]));
  const half = 0.5 * Math.abs(shape.b[0] - shape.a[0]);
  const u = unitBall(rng);
  const r = Math.max(shape.radius - margin, 0);
  return [c[0] + Math.max(half - margin, 0) * u[0], c[1] + r * u[1], c[2] + r * u[2]];
}

function ellipsoidOf(shape: Shape): { center: Vec3; radii: Vec3 } {
  if (shape.type !== 'ellipsoid' && shape.type !== 'bean') throw new Error('an ellipsoid is needed');
  return { center: shape.center, radii: shape.radii };
}

/** One candidate position for `lesion`. */
function candidate(rng: Rng, lesion: LesionSpec, primary: LesionSpec, anatomy: PatientAnatomy, fov: Vec3, usedVertebrae: Set<string>): { center: Vec3; host: string } {
  const margin = lesion.outerRadiusMm + MARGIN_MM;
  switch (lesion.site) {
    case 'right_lung':
    case 'left_lung':
    case 'liver':
      return { center: insideEllipsoid(rng, organShape(anatomy, lesion.site), margin), host: lesion.site };
    case 'bone': {
      const free = ['L1', 'L2', 'L3', 'L4', 'L5'].filter((v) => !usedVertebrae.has(v));
      const pool = free.length > 0 ? free : ['L1', 'L2', 'L3', 'L4', 'L5'];
      const host = pool[rng.int(pool.length)];
      return { center: insideCylinder(rng, organShape(anatomy, host), margin), host };
    }
    case 'hilar': {
      const lung = ellipsoidOf(organShape(anatomy, primary.site));
      const toMidline = Math.sign(0.5 * fov[2] - lung.center[2]) || 1;
      return {
        center: [
          lung.center[0] + lung.radii[0] * rng.range(-0.35, 0.1),
          lung.center[1] + lung.radii[1] * rng.range(-0.2, 0.2),
          lung.center[2] + toMidline * lung.radii[2] * rng.range(0.75, 0.95),
        ],
        host: 'mediastinum',
      };
    }
    case 'mediastinal': {
      const heart = ellipsoidOf(organShape(anatomy, 'heart'));
      return {
        center: [
          heart.center[0] + heart.radii[0] + lesion.outerRadiusMm + rng.range(0, 15),
          heart.center[1] + heart.radii[1] * rng.range(-0.5, 0.5),
          0.5 * fov[2] + rng.range(-12, 12),
        ],
        host: 'mediastinum',
      };
    }
  }
}

export interface LesionPlacement {
  /** Centre in the patient frame (mm). */
  centerMm: Vec3;
  /** The structure it sits in ('mediastinum' for nodes). */
  host: string;
}

/** Positions for `lesions` (in order), drawn from `rng` (the patient's placement stream). */
export function placeLesions(rng: Rng, lesions: readonly LesionSpec[], anatomy: PatientAnatomy, fov: Vec3): LesionPlacement[] {
  const placed: Array<LesionPlacement & { outer: number }> = [];
  const usedVertebrae = new Set<string>();
  for (const lesion of lesions) {
    let best: { center: Vec3; host: string } | undefined;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const c = candidate(rng, lesion, lesions[0], anatomy, fov, usedVertebrae);
      // Keep the lesion inside the field of view.
      const center = c.center.map((v, a) => Math.min(Math.max(v, lesion.outerRadiusMm), fov[a] - lesion.outerRadiusMm)) as unknown as Vec3;
      best = { center, host: c.host };
      const clear = placed.every((p) => Math.hypot(p.centerMm[0] - center[0], p.centerMm[1] - center[1], p.centerMm[2] - center[2]) >= p.outer + lesion.outerRadiusMm + MARGIN_MM);
      if (clear) break;
    }
    if (lesion.site === 'bone') usedVertebrae.add(best!.host);
    placed.push({ centerMm: best!.center, host: best!.host, outer: lesion.outerRadiusMm });
  }
  return placed.map(({ centerMm, host }) => ({ centerMm, host }));
}
