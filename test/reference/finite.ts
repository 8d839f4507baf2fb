/** Plain reference for findNonFinite: count of NaN/±Inf and the first one's index (-1 if none). */
export function findNonFiniteReference(x: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      count++;
      if (first < 0) first = i;
    }
  }
  return { count, first };
}
