/** float64 reference of the per-pixel MC-dropout summary (native/metric/mc_summary.h): plain loops. */
const h2 = (p: number) => (p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p)));

export function mcPixelSummaryRef(passes: ReadonlyArray<ArrayLike<number>>): { mean: number[]; variance: number[]; entropy: number[]; mutualInformation: number[] } {
  const T = passes.length;
  const n = passes[0].length;
  const out = { mean: [] as number[], variance: [] as number[], entropy: [] as number[], mutualInformation: [] as number[] };
  for (let i = 0; i < n; i++) {
    const ps = passes.map((p) => p[i]);
    const m = ps.reduce((a, b) => a + b, 0) / T;
    const h = h2(m);
    out.mean.push(m);
    out.variance.push(ps.reduce((a, p) => a + (p - m) ** 2, 0) / T);
    out.entropy.push(h);
    out.mutualInformation.push(Math.max(0, h - ps.reduce((a, p) => a + h2(p), 0) / T));
  }
  return out;
}
