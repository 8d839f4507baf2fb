/**
 * Plain float64 reference for lib/ops/bias_field.ts: the polynomial summed term by term in the
 * documented coefficient order, then exp, per voxel.
 */
import type { Dims } from '../validate.js';

function coordinate(index: number, n: number): number {
  return n === 1 ? 0 : -1 + (2 * index) / (n - 1);
}

/** out[z, y, x] = (input ? input[z, y, x] : 1) · exp(Σ c[t] X^i Y^j Z^k), as float64. */
export function referenceBiasField(
  input: Float32Array | null,
  dims: Dims,
  order: number,
  coefficients: readonly number[],
): Float64Array {
  const [nz, ny, nx] = dims.length === 3 ? dims : [1, dims[0], dims[1]];
  const terms: Array<[number, number, number]> = [];
  for (let i = 0; i <= order; i++) {
    for (let j = 0; j <= order - i; j++) {
      for (let k = 0; k <= order - i - j; k++) terms.push([i, j, k]);
    }
  }
  if (terms.length !== coefficients.length) throw new Error('coefficient count does not match the order');
  const out = new Float64Array(nz * ny * nx);
  for (let z = 0; z < nz; z++) {
    const Z = coordinate(z, nz);
    for (let y = 0; y < ny; y++) {
      const Y = coordinate(y, ny);
      for (let x = 0; x < nx; x++) {
        const X = coordinate(x, nx);
        let p = 0;
        for (let t = 0; t < terms.length; t++) {
          const [i, j, k] = terms[t];
          p += coefficients[t] * X ** i * Y ** j * Z ** k;
        }
        const v = (z * ny + y) * nx + x;
        out[v] = (input ? input[v] : 1) * Math.exp(p);
      }
    }
  }
  return out;
}
