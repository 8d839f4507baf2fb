/**
 * Plain float64 references for the warp kernels (native/warp/): the B-spline displacement as the
 * triple sum over its 4×4×4 control points, trilinear and nearest sampling, and patch insertion,
 * written from the definitions in native/warp/warp.h and insert_patch.h.
 */
type Zyx = readonly [number, number, number];

function bsplineWeights(s: number): number[] {
  return [(1 - s) ** 3 / 6, (3 * s ** 3 - 6 * s ** 2 + 4) / 6, (-3 * s ** 3 + 3 * s ** 2 + 3 * s + 1) / 6, s ** 3 / 6];
}

function axisTap(o: number, n: number, controls: number): { first: number; w: number[] } {
  const mesh = controls - 3;
  const u = n > 1 ? (o * mesh) / (n - 1) : 0;
  const first = Math.min(Math.floor(u), mesh - 1);
  return { first, w: bsplineWeights(u - first) };
}

/** d(o) for every output voxel: [3, Z, Y, X]. */
export function referenceBsplineDisplacement(control: ArrayLike<number>, cd: Zyx, dims: Zyx): Float64Array {
  const [Z, Y, X] = dims;
  const n = Z * Y * X;
  const out = new Float64Array(3 * n);
  for (let z = 0; z < Z; z++) {
    const tz = axisTap(z, Z, cd[0]);
    for (let y = 0; y < Y; y++) {
      const ty = axisTap(y, Y, cd[1]);
      for (let x = 0; x < X; x++) {
        const tx = axisTap(x, X, cd[2]);
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let a = 0; a < 4; a++) {
            for (let b = 0; b < 4; b++) {
              for (let e = 0; e < 4; e++) {
                const k = ((c * cd[0] + tz.first + a) * cd[1] + ty.first + b) * cd[2] + tx.first + e;
                s += tz.w[a] * ty.w[b] * tx.w[e] * control[k];
              }
            }
          }
          out[c * n + (z * Y + y) * X + x] = s;
        }
      }
    }
  }
  return out;
}

export function referenceTrilinear(input: ArrayLike<number>, dims: Zyx, p: Zyx, fill: number): number {
  const [Z, Y, X] = dims;
  const f = p.map(Math.floor);
  if (!(f[0] >= -1 && f[0] <= Z - 1 && f[1] >= -1 && f[1] <= Y - 1 && f[2] >= -1 && f[2] <= X - 1)) return fill;
  const t = p.map((v, i) => v - f[i]);
  const at = (z: number, y: number, x: number) => (z >= 0 && z < Z && y >= 0 && y < Y && x >= 0 && x < X ? input[(z * Y + y) * X + x] : fill);
  let v = 0;
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 2; c++) {
        const w = (a ? t[0] : 1 - t[0]) * (b ? t[1] : 1 - t[1]) * (c ? t[2] : 1 - t[2]);
        v += w * at(f[0] + a, f[1] + b, f[2] + c);
      }
    }
  }
  return v;
}

export function referenceNearest(input: ArrayLike<number>, dims: Zyx, p: Zyx, fill: number): number {
  const r = p.map((v) => Math.floor(v + 0.5));
  if (r.some((v, i) => v < 0 || v > dims[i] - 1)) return fill;
  return input[(r[0] * dims[1] + r[1]) * dims[2] + r[2]];
}

export interface ReferenceWarp {
  affine: readonly number[];
  fill: number;
  control?: ArrayLike<number>;
  controlDims?: Zyx;
  outDims?: Zyx;
}

function sourcePoints(dims: Zyx, w: ReferenceWarp): { out: Zyx; points: (o: number) => Zyx } {
  const out = w.outDims ?? dims;
  const n = out[0] * out[1] * out[2];
  const field = w.control ? referenceBsplineDisplacement(w.control, w.controlDims!, out) : undefined;
  const A = w.affine;
  return {
    out,
    points: (o) => {
      const z = Math.floor(o / (out[1] * out[2])), y = Math.floor(o / out[2]) % out[1], x = o % out[2];
      const p = [0, 1, 2].map((i) => A[4 * i] * z + A[4 * i + 1] * y + A[4 * i + 2] * x + A[4 * i + 3] + (field ? field[i * n + o] : 0));
      return p as unknown as Zyx;
    },
  };
}

export function referenceWarpLinear(input: ArrayLike<number>, dims: Zyx, w: ReferenceWarp): Float64Array {
  const { out, points } = sourcePoints(dims, w);
  const result = new Float64Array(out[0] * out[1] * out[2]);
  for (let o = 0; o < result.length; o++) result[o] = referenceTrilinear(input, dims, points(o), w.fill);
  return result;
}

export function referenceWarpNearest(input: ArrayLike<number>, dims: Zyx, w: ReferenceWarp): Uint8Array {
  const { out, points } = sourcePoints(dims, w);
  const result = new Uint8Array(out[0] * out[1] * out[2]);
  for (let o = 0; o < result.length; o++) result[o] = referenceNearest(input, dims, points(o), w.fill);
  return result;
}

export function referenceWarpGatedLabels(labels: ArrayLike<number>, coverage: ArrayLike<number>, dims: Zyx, w: ReferenceWarp & { threshold: number; fallback: number }): Uint8Array {
  const { out, points } = sourcePoints(dims, w);
  const result = new Uint8Array(out[0] * out[1] * out[2]);
  for (let o = 0; o < result.length; o++) {
    const p = points(o);
    if (referenceTrilinear(coverage, dims, p, 0) < w.threshold) continue;
    result[o] = referenceNearest(labels, dims, p, 0) || w.fallback;
  }
  return result;
}

/** Patch insertion as insert_patch.h defines it; changes ct and labels in place. */
export function referenceInsertPatch(
  ct: Float64Array,
  labels: Uint8Array,
  dims: Zyx,
  patch: ArrayLike<number>,
  alpha: ArrayLike<number>,
  patchDims: Zyx,
  o: { affine: readonly number[]; lo: Zyx; hi: Zyx; hostLabels: readonly number[]; noduleLabel: number },
): { insertedVoxels: number; labelledVoxels: number } {
  let inserted = 0, labelled = 0;
  const A = o.affine;
  const lo = o.lo.map((v) => Math.max(0, v));
  const hi = o.hi.map((v, i) => Math.min(dims[i], v));
  for (let z = lo[0]; z < hi[0]; z++) {
    for (let y = lo[1]; y < hi[1]; y++) {
      for (let x = lo[2]; x < hi[2]; x++) {
        const v = (z * dims[1] + y) * dims[2] + x;
        if (!o.hostLabels.includes(labels[v])) continue;
        const q = [0, 1, 2].map((i) => A[4 * i] * z + A[4 * i + 1] * y + A[4 * i + 2] * x + A[4 * i + 3]) as unknown as Zyx;
        const w = referenceTrilinear(alpha, patchDims, q, 0);
        if (!(w > 0)) continue;
        const host = ct[v];
        ct[v] = host + w * (referenceTrilinear(patch, patchDims, q, host) - host);
        inserted += w;
        if (w >= 0.5) {
          labels[v] = o.noduleLabel;
          labelled++;
        }
      }
    }
  }
  return { insertedVoxels: inserted, labelledVoxels: labelled };
}
