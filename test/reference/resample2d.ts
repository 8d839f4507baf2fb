/** float64 reference of the 2-D affine warp (native/warp/resample2d.h): plain loops. */
export function warpAffine2dRef(
  src: ArrayLike<number>,
  planes: number,
  H: number,
  W: number,
  h: number,
  w: number,
  m: readonly number[],
  o: { interpolation: 'linear' | 'nearest'; padding: 'constant' | 'edge'; fill: number; threshold?: number },
): Float64Array {
  const out = new Float64Array(planes * h * w);
  const tap = (c: number, x: number, y: number) => {
    if (x < 0 || y < 0 || x >= W || y >= H) {
      if (o.padding === 'constant') return o.fill;
      x = Math.min(Math.max(x, 0), W - 1);
      y = Math.min(Math.max(y, 0), H - 1);
    }
    return src[(c * H + y) * W + x];
  };
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const xs = m[0] * x + m[1] * y + m[2];
        const ys = m[3] * x + m[4] * y + m[5];
        let v: number;
        if (o.interpolation === 'nearest') v = tap(c, Math.floor(xs + 0.5), Math.floor(ys + 0.5));
        else {
          const x0 = Math.floor(xs);
          const y0 = Math.floor(ys);
          const fx = xs - x0;
          const fy = ys - y0;
          v = (1 - fy) * ((1 - fx) * tap(c, x0, y0) + fx * tap(c, x0 + 1, y0)) + fy * ((1 - fx) * tap(c, x0, y0 + 1) + fx * tap(c, x0 + 1, y0 + 1));
        }
        out[(c * h + y) * w + x] = o.threshold === undefined ? v : v >= o.threshold ? 1 : 0;
      }
    }
  }
  return out;
}
