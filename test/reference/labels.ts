/** Plain reference for labelsFromOneHot: voxel by voxel, the last structure whose mask is nonzero, plus 1; else 0. */
export function labelsFromOneHotReference(masks: Uint8Array, structures: number, voxels: number): Uint8Array {
  const labels = new Uint8Array(voxels);
  for (let v = 0; v < voxels; v++) {
    for (let s = 0; s < structures; s++) if (masks[s * voxels + v] !== 0) labels[v] = s + 1;
  }
  return labels;
}
