/**
 * Float64 references for lib/nn/ops/conv.ts: the convolution sum written out, one output (or
 * one input-gradient, or one weight-gradient) element at a time. Shapes as PyTorch:
 * x [N, Cin, ...], w [Cout, Cin, k...], spatial axes 1 to 3 (right-aligned into three here).
 */
export interface RefConvParams {
  stride: number[];
  padding: number[];
  dilation: number[];
}

interface Geo3 {
  n: number; cin: number; cout: number;
  inp: number[]; out: number[]; k: number[]; s: number[]; p: number[]; d: number[];
}

function pad3(values: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - values.length).fill(fill), ...values];
}

function geo(xShape: readonly number[], wShape: readonly number[], outSpatial: readonly number[], p: RefConvParams): Geo3 {
  return {
    n: xShape[0], cin: wShape[1], cout: wShape[0],
    inp: pad3(xShape.slice(2), 1), out: pad3(outSpatial, 1), k: pad3(wShape.slice(2), 1),
    s: pad3(p.stride, 1), p: pad3(p.padding, 0), d: pad3(p.dilation, 1),
  };
}

export function referenceConvOutputSize(xShape: readonly number[], wShape: readonly number[], p: RefConvParams): number[] {
  return xShape.slice(2).map((size, a) => Math.floor((size + 2 * p.padding[a] - p.dilation[a] * (wShape[2 + a] - 1) - 1) / p.stride[a]) + 1);
}

/** Calls fn(n, co, ci, yIndex, xIndex, wIndex) for every (output, tap) pair that lands inside x. */
function forEachTerm(g: Geo3, fn: (yi: number, xi: number, wi: number) => void): void {
  const inSize = g.inp[0] * g.inp[1] * g.inp[2];
  const outSize = g.out[0] * g.out[1] * g.out[2];
  const taps = g.k[0] * g.k[1] * g.k[2];
  for (let n = 0; n < g.n; n++)
    for (let co = 0; co < g.cout; co++)
      for (let od = 0; od < g.out[0]; od++)
        for (let oh = 0; oh < g.out[1]; oh++)
          for (let ow = 0; ow < g.out[2]; ow++) {
            const yi = (n * g.cout + co) * outSize + (od * g.out[1] + oh) * g.out[2] + ow;
            for (let ci = 0; ci < g.cin; ci++)
              for (let kd = 0; kd < g.k[0]; kd++) {
                const id = od * g.s[0] - g.p[0] + kd * g.d[0];
                if (id < 0 || id >= g.inp[0]) continue;
                for (let kh = 0; kh < g.k[1]; kh++) {
                  const ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
                  if (ih < 0 || ih >= g.inp[1]) continue;
                  for (let kw = 0; kw < g.k[2]; kw++) {
                    const iw = ow * g.s[2] - g.p[2] + kw * g.d[2];
                    if (iw < 0 || iw >= g.inp[2]) continue;
                    const xi = (n * g.cin + ci) * inSize + (id * g.inp[1] + ih) * g.inp[2] + iw;
                    const wi = (co * g.cin + ci) * taps + (kd * g.k[1] + kh) * g.k[2] + kw;
                    fn(yi, xi, wi);
                  }
                }
              }
          }
}

/** y = conv(x, w) + b. */
export function referenceConvForward(x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], b: ArrayLike<number> | null, p: RefConvParams): Float64Array {
  const out = referenceConvOutputSize(xShape, wShape, p);
  const g = geo(xShape, wShape, out, p);
  const outSize = out.reduce((a, c) => a * c, 1);
  const y = new Float64Array(g.n * g.cout * outSize);
  if (b) for (let i = 0; i < y.length; i++) y[i] = b[Math.floor(i / outSize) % g.cout];
  forEachTerm(g, (yi, xi, wi) => { y[yi] += x[xi] * w[wi]; });
  return y;
}

/** gx = ∂<conv(x, w), gy>/∂x for x of xShape. */
export function referenceConvBackwardInput(gy: ArrayLike<number>, w: ArrayLike<number>, wShape: number[], xShape: number[], p: RefConvParams): Float64Array {
  const g = geo(xShape, wShape, referenceConvOutputSize(xShape, wShape, p), p);
  const gx = new Float64Array(xShape.reduce((a, c) => a * c, 1));
  forEachTerm(g, (yi, xi, wi) => { gx[xi] += gy[yi] * w[wi]; });
  return gx;
}

/** gw = ∂<conv(x, w), gy>/∂w. */
export function referenceConvBackwardWeight(x: ArrayLike<number>, xShape: number[], gy: ArrayLike<number>, wShape: number[], p: RefConvParams): Float64Array {
  const g = geo(xShape, wShape, referenceConvOutputSize(xShape, wShape, p), p);
  const gw = new Float64Array(wShape.reduce((a, c) => a * c, 1));
  forEachTerm(g, (yi, xi, wi) => { gw[wi] += gy[yi] * x[xi]; });
  return gw;
}

/** Σ over batch and spatial axes per channel of [N, C, ...]. */
export function referenceChannelSum(x: ArrayLike<number>, shape: number[]): Float64Array {
  const c = shape[1];
  const inner = shape.slice(2).reduce((a, v) => a * v, 1);
  const out = new Float64Array(c);
  for (let i = 0; i < x.length; i++) out[Math.floor(i / inner) % c] += x[i];
  return out;
}
