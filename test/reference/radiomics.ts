/**
 * The radiomics sums of one patch (native/metric/radiomics.h) in plain float64 TypeScript, from
 * the definitions: region, exposed faces, central moments, symmetric 13-direction GLCM.
 */
export function referenceRadiomicsSums(
  image: ArrayLike<number>,
  mask: ArrayLike<number> | null,
  dims: readonly [number, number, number],
  o: { threshold: number; lo: number; hi: number; levels: number },
): Float64Array {
  const [Z, Y, X] = dims;
  const L = o.levels;
  const out = new Float64Array(10 + L * L);
  const at = (z: number, y: number, x: number) => (z * Y + y) * X + x;
  const inside = (z: number, y: number, x: number) =>
    z >= 0 && y >= 0 && x >= 0 && z < Z && y < Y && x < X && (mask ? mask[at(z, y, x)] !== 0 : image[at(z, y, x)] >= o.threshold);
  const values: number[] = [];
  const faces = [0, 0, 0];
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    if (!inside(z, y, x)) continue;
    values.push(image[at(z, y, x)]);
    faces[0] += (inside(z - 1, y, x) ? 0 : 1) + (inside(z + 1, y, x) ? 0 : 1);
    faces[1] += (inside(z, y - 1, x) ? 0 : 1) + (inside(z, y + 1, x) ? 0 : 1);
    faces[2] += (inside(z, y, x - 1) ? 0 : 1) + (inside(z, y, x + 1) ? 0 : 1);
  }
  if (values.length === 0) return out;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const m = [2, 3, 4].map((k) => values.reduce((a, v) => a + (v - mean) ** k, 0));
  out.set([values.length, ...faces, mean, ...m, Math.min(...values), Math.max(...values)]);
  const level = (v: number) => Math.min(Math.max(Math.floor(((v - o.lo) / (o.hi - o.lo)) * L), 0), L - 1);
  const dirs: number[][] = [];
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
    const first = a !== 0 ? a : b !== 0 ? b : c;
    if (first > 0) dirs.push([a, b, c]);
  }
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    if (!inside(z, y, x)) continue;
    for (const [a, b, c] of dirs) {
      if (!inside(z + a, y + b, x + c)) continue;
      const i = level(image[at(z, y, x)]), j = level(image[at(z + a, y + b, x + c)]);
      out[10 + i * L + j]++;
      out[10 + j * L + i]++;
    }
  }
  return out;
}
