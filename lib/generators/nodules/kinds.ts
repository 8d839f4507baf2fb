/**
 * The five procedural nodule kinds and the distributions their parameters are drawn from. Every
 * number here is a modelling choice, documented so a user can check what a dataset promises.
 *
 *   kind          share  diameter (log-normal: median, σ of ln d)  density (HU)          margin σ (mm)
 *   solid         0.45   6 mm, 0.45                                N(40, 20) in [−50, 150] U(0.3, 0.7)
 *   ground-glass  0.20   9 mm, 0.40                                N(−600, 60) in [−750, −400] U(0.6, 1.2)
 *   part-solid    0.10   12 mm, 0.35                               halo as ground-glass, core as solid;
 *                                                                   core diameter U(0.3, 0.7)·d  U(0.6, 1.2)
 *   spiculated    0.10   14 mm, 0.35                               as solid              U(0.2, 0.5)
 *   lobulated     0.15   12 mm, 0.35                               as solid              U(0.3, 0.7)
 *
 * Diameters are truncated to the dataset's [min, max] range (default 4–30 mm, the range the
 * Brock model was fitted on) by rejection. `diameter` is the equivalent-sphere diameter of the
 * nodule's body (volume π d³ / 6), spicules excluded.
 *
 * Shapes: solid, ground-glass and part-solid bodies are ellipsoids with axis ratios
 * U(0.85, 1.15) (normalised to keep the volume) in a uniformly random orientation. Lobulated
 * bodies carry 2–4 zonal harmonics of degree 2–6 with Σ|aₘ| ~ U(0.15, 0.35); spiculated bodies
 * 1–2 harmonics with Σ|aₘ| ~ U(0.05, 0.15) plus 4–8 spicules of length U(0.4, 1.0)·r and width
 * U(0.8, 1.6) mm in uniformly random directions (volume/shapes.h's round cones).
 *
 * Lobes that would reach past the patch are flattened and spicules shortened to end inside it
 * (options.ts: patchReachMm), so large spiculated nodules in small patches have shorter spicules.
 *
 * Location: right lung with probability 0.55 (its larger volume), upper lobe with probability 0.45.
 * Lung parenchyma around the nodule: −850 HU.
 */
export const NODULE_KINDS = ['solid', 'ground-glass', 'part-solid', 'spiculated', 'lobulated'] as const;
export type NoduleKind = (typeof NODULE_KINDS)[number];

export interface KindSpec {
  share: number;
  diameterMedianMm: number;
  diameterLogSd: number;
  marginSigmaMm: readonly [number, number];
}

export const KIND_SPECS: Readonly<Record<NoduleKind, KindSpec>> = {
  solid: { share: 0.45, diameterMedianMm: 6, diameterLogSd: 0.45, marginSigmaMm: [0.3, 0.7] },
  'ground-glass': { share: 0.2, diameterMedianMm: 9, diameterLogSd: 0.4, marginSigmaMm: [0.6, 1.2] },
  'part-solid': { share: 0.1, diameterMedianMm: 12, diameterLogSd: 0.35, marginSigmaMm: [0.6, 1.2] },
  spiculated: { share: 0.1, diameterMedianMm: 14, diameterLogSd: 0.35, marginSigmaMm: [0.2, 0.5] },
  lobulated: { share: 0.15, diameterMedianMm: 12, diameterLogSd: 0.35, marginSigmaMm: [0.3, 0.7] },
};

export const SOLID_HU = { mean: 40, sd: 20, min: -50, max: 150 } as const;
export const GROUND_GLASS_HU = { mean: -600, sd: 60, min: -750, max: -400 } as const;
export const PART_SOLID_CORE_FRACTION: readonly [number, number] = [0.3, 0.7];
export const AXIS_RATIO: readonly [number, number] = [0.85, 1.15];
export const LOBULATION = { terms: [2, 4], degrees: [2, 6], amplitudeSum: [0.15, 0.35] } as const;
export const SPICULATION = {
  terms: [1, 2],
  amplitudeSum: [0.05, 0.15],
  count: [4, 8],
  lengthFraction: [0.4, 1.0],
  widthMm: [0.8, 1.6],
} as const;
export const RIGHT_LUNG_SHARE = 0.55;
export const UPPER_LOBE_SHARE = 0.45;
export const PARENCHYMA_HU = -850;
/** Default diameter range (mm). */
export const DEFAULT_DIAMETER_RANGE: readonly [number, number] = [4, 30];
