/**
 * Plain references for the per-pixel map kernels of the study evaluation: segmentationErrorMap,
 * sliceSums (float64, pixel by pixel in index order) and maskedGather.
 */

/** label = truth foreground (float >= 0.5, uint8 nonzero); error = |p − label| in float32; either = label | p >= threshold. */
export function referenceSegmentationErrorMap(probability: Float32Array, truth: Float32Array | Uint8Array, threshold: number) {
  const n = probability.length;
  const label = new Uint8Array(n);
  const error = new Float32Array(n);
  const either = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = truth instanceof Uint8Array ? (truth[i] !== 0 ? 1 : 0) : truth[i] >= 0.5 ? 1 : 0;
    error[i] = Math.abs(probability[i] - label[i]);
    either[i] = label[i] || probability[i] >= threshold ? 1 : 0;
  }
  return { label, error, either };
}

/** Per slice: Σ x, and under the mask Σ x and the count. */
export function referenceSliceSums(x: ArrayLike<number>, slices: number, plane: number, mask?: Uint8Array) {
  const sum = new Float64Array(slices);
  const maskedSum = new Float64Array(slices);
  const maskedCount = new Float64Array(slices);
  for (let s = 0; s < slices; s++) {
    for (let i = s * plane; i < (s + 1) * plane; i++) {
      sum[s] += x[i];
      if (mask && mask[i]) {
        maskedSum[s] += x[i];
        maskedCount[s]++;
      }
    }
  }
  return { sum, maskedSum, maskedCount };
}

/** x[i] for every i with mask[i] != 0, in order. */
export function referenceMaskedGather(x: ArrayLike<number>, mask: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(x[i]);
  return out;
}
