/**
 * Inserting a nodule patch into a host CT's lung: a position drawn inside the chosen lung (the
 * nodule's side; its upper half along z for an upper-lobe nodule, its lower half otherwise) where
 * the nodule's whole extent, soft edge included, lies in lung; then the patch blended in HU with
 * its coverage blurred by `softEdgeMm` as the weight, only into lung voxels, and the label map
 * updated where the weight is ≥ 1/2 (native/warp/insert_patch.h). Voxels outside the lung or
 * away from the nodule are not touched.
 */
import { Rng } from '../../core/philox.js';
import { MedsynthError, invalidParameter } from '../../errors.js';
import { gaussianBlur } from '../../ops/gaussian_blur.js';
import { boxUnion, labelBounds, type Box } from '../../ops/labels.js';
import { insertPatch } from '../../ops/warp.js';
import { checkNumber } from '../../validate.js';
import { checkHostCt, type HostCt } from './host_ct.js';
import type { NodulePatch } from './render.js';
import { NODULE_STREAM } from './sample_params.js';

export interface InsertOptions {
  /** σ (mm) of the blur that softens the blending weight at the nodule's edge. Default 0.7. */
  softEdgeMm?: number;
}

export interface Insertion {
  /** Nodule centre in host voxels [z, y, x] and in mm from voxel 0's centre. */
  centerVoxel: [number, number, number];
  side: 'left' | 'right';
  upperLobe: boolean;
  /** Σ weight × voxel volume over changed voxels (mm³), and voxels given the nodule label. */
  insertedVolumeMm3: number;
  labelledVoxels: number;
  /** Host voxels visited: [z0, y0, x0, z1, y1, x1]. */
  box: Box;
}

const MAX_TRIES = 500;
// Unit directions tested around a candidate: the 26 neighbours' directions.
const DIRECTIONS: number[][] = [];
for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) if (a || b || c) {
  const n = Math.hypot(a, b, c);
  DIRECTIONS.push([a / n, b / n, c / n]);
}

/** The nodule's outer radius (mm) about the patch centre, from its mask's bounding box. */
async function patchRadiusMm(patch: NodulePatch): Promise<number> {
  const box = (await labelBounds(patch.mask, patch.dims, 256)).slice(1).reduce<Box | null>((u, b) => boxUnion([u, b]), null);
  if (!box) throw invalidParameter('patch.mask', 'a patch with a non-empty nodule mask', 'an empty mask');
  let r2 = 0;
  for (const dz of [box[0] - 0.5, box[3] - 0.5]) for (const dy of [box[1] - 0.5, box[4] - 0.5]) for (const dx of [box[2] - 0.5, box[5] - 0.5]) {
    const d = [dz, dy, dx].map((v, a) => (v - (patch.dims[a] - 1) / 2) * patch.spacing[a]);
    r2 = Math.max(r2, d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  }
  return Math.sqrt(r2);
}

/** Throws the one-line error for a CT without lung voxels; returns the lung boxes otherwise. */
export async function lungBoxes(host: HostCt): Promise<{ left: Box | null; right: Box | null }> {
  const bounds = await labelBounds(host.labels, host.dims, 256);
  const left = boxUnion(host.lungLabels.left.map((l) => bounds[l]));
  const right = boxUnion(host.lungLabels.right.map((l) => bounds[l]));
  if (!left && !right) {
    const labels = [...host.lungLabels.left, ...host.lungLabels.right].join(', ');
    throw new MedsynthError('INVALID_ARGUMENT', `the CT has no lung: no voxel carries a lung label (${labels || 'none given'})`);
  }
  return { left, right };
}

export async function insertNodule(
  host: HostCt,
  patch: NodulePatch,
  placement: { side: 'left' | 'right'; upperLobe: boolean },
  key: { seed: number | bigint; index: number },
  options: InsertOptions = {},
): Promise<Insertion> {
  checkHostCt(host);
  const soft = checkNumber('softEdgeMm', options.softEdgeMm ?? 0.7, { min: 0, max: 20 });
  const boxes = await lungBoxes(host);
  const side = boxes[placement.side] ? placement.side : placement.side === 'left' ? 'right' : 'left';
  const lung = boxes[side]!;
  const lungSet = new Set([...host.lungLabels.left, ...host.lungLabels.right]);
  const sh = host.spacing;
  const reach = (await patchRadiusMm(patch)) + 3 * soft;
  const labelAt = (p: number[]) => {
    const v = p.map((x, a) => Math.round(x / sh[a]));
    if (v.some((x, a) => x < 0 || x >= host.dims[a])) return -1;
    return host.labels[(v[0] * host.dims[1] + v[1]) * host.dims[2] + v[2]];
  };
  const rng = new Rng(key.seed, key.index, NODULE_STREAM.placement);
  // Candidate centres (mm): uniform in the lung's box, z in its upper or lower half.
  const zMid = 0.5 * (lung[0] + lung[3] - 1);
  const zRange = placement.upperLobe ? [zMid, lung[3] - 1] : [lung[0], zMid];
  let center: number[] | null = null;
  for (let t = 0; t < MAX_TRIES && !center; t++) {
    const c = [rng.range(zRange[0], zRange[1]) * sh[0], rng.range(lung[1], lung[4] - 1) * sh[1], rng.range(lung[2], lung[5] - 1) * sh[2]];
    const inside = (p: number[]) => lungSet.has(labelAt(p));
    if (!inside(c)) continue;
    const ok = DIRECTIONS.every((d) => inside(c.map((x, a) => x + reach * d[a])) && inside(c.map((x, a) => x + 0.5 * reach * d[a])));
    if (ok) center = c;
  }
  if (!center) {
    throw new MedsynthError('INVALID_ARGUMENT', `no room in the ${side} lung for a nodule reaching ${reach.toFixed(1)} mm from its centre`);
  }
  const sp = patch.spacing;
  const pc = patch.dims.map((n) => (n - 1) / 2);
  // Host voxel o → patch voxel: q = (o·sh − centre) / sp + pc.
  const affine: number[] = [];
  for (let a = 0; a < 3; a++) {
    const row = [0, 0, 0];
    row[a] = sh[a] / sp[a];
    affine.push(...row, pc[a] - center[a] / sp[a]);
  }
  const lo = [0, 1, 2].map((a) => Math.floor((center![a] - reach) / sh[a])) as [number, number, number];
  const hi = [0, 1, 2].map((a) => Math.ceil((center![a] + reach) / sh[a]) + 1) as [number, number, number];
  const alpha = soft > 0 ? await gaussianBlur(patch.coverage, patch.dims, { sigma: soft, spacing: sp }) : patch.coverage;
  const r = await insertPatch(host.ct, host.labels, patch.image, alpha, {
    dims: host.dims,
    patchDims: patch.dims,
    affine,
    lo,
    hi,
    hostLabels: [...lungSet],
    noduleLabel: host.noduleLabel,
  });
  const clip = (v: number, a: number) => Math.min(Math.max(v, 0), host.dims[a]);
  return {
    centerVoxel: center.map((x, a) => x / sh[a]) as [number, number, number],
    side,
    upperLobe: placement.upperLobe,
    insertedVolumeMm3: r.insertedVoxels * sh[0] * sh[1] * sh[2],
    labelledVoxels: r.labelledVoxels,
    box: [clip(lo[0], 0), clip(lo[1], 1), clip(lo[2], 2), clip(hi[0], 0), clip(hi[1], 1), clip(hi[2], 2)],
  };
}
