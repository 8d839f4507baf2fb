/**
 * Plain reference for dilateSlices (the TypeScript evaluateStudy used before the kernel went
 * native): per [S, H, W] slice, 1 where a pixel lies within `radius` (Chebyshev) of a set seed
 * pixel — rows then columns, each set pixel painting its whole window, O(radius) per pixel.
 */
export function referenceDilateSlices(seed: Uint8Array, size: readonly [number, number], radius: number): Uint8Array {
  const [H, W] = size;
  const plane = H * W;
  const rows = new Uint8Array(seed.length);
  const out = new Uint8Array(seed.length);
  for (let base = 0; base < seed.length; base += plane) {
    for (let y = 0; y < H; y++) {
      const r = base + y * W;
      for (let x = 0; x < W; x++) {
        if (!seed[r + x]) continue;
        for (let k = Math.max(0, x - radius); k <= Math.min(W - 1, x + radius); k++) rows[r + k] = 1;
      }
    }
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!rows[base + y * W + x]) continue;
        for (let k = Math.max(0, y - radius); k <= Math.min(H - 1, y + radius); k++) out[base + k * W + x] = 1;
      }
    }
  }
  return out;
}
