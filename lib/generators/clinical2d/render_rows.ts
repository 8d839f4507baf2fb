/**
 * The native clinical renderer (native/field/clinical2d.h): one float64 parameter row per
 * sample in, one [H, W] float32 image per sample out. Sample j's image is
 *   gaussian_blur(b0 + b1·logistic((T − t)/tex_edge) + b2·T + lesion, psfSigma) + noise_sd·N'
 * with T the unit-variance parenchyma field of key (seed, index, texture stream) and N' the normals
 * of key (seed, index, noise stream); see the header for the lesion outline.
 */
import { invalidParameter } from '../../errors.js';
import { binding, type Clinical2dRenderParams } from '../../binding.js';
import { callNative } from '../../native.js';

/** Offsets in a row; the order is ms::Clinical2dParam's. */
export const ROW = Object.freeze({
  index: 0,
  psfSigma: 1,
  threshold: 2,
  fat: 3,
  dense: 4,
  fine: 5,
  contrast: 6,
  cx: 7,
  cy: 8,
  radius: 9,
  elongation: 10,
  orientation: 11,
  /** α3, β3, α4, β4, α5, β5. */
  lobes: 12,
});
export const CLINICAL_STRIDE = 18;

/** One render call's options (the binding's Clinical2dRenderParams). */
export type RenderOptions = Clinical2dRenderParams;

let strideChecked = false;

/** Renders one image per row of `rows` into `out` ([n, height, width]). */
export async function renderRows(rows: Float64Array, options: RenderOptions, out: Float32Array): Promise<Float32Array> {
  if (!strideChecked) {
    const stride = binding().clinical2dStride();
    if (stride !== CLINICAL_STRIDE) throw invalidParameter('native clinical2d row', `${CLINICAL_STRIDE} numbers`, stride);
    strideChecked = true;
  }
  if (rows.length % CLINICAL_STRIDE !== 0) throw invalidParameter('rows', `a multiple of ${CLINICAL_STRIDE} numbers`, rows.length);
  const n = rows.length / CLINICAL_STRIDE;
  if (out.length !== n * options.height * options.width) {
    throw invalidParameter('out', `a Float32Array of ${n * options.height * options.width} elements`, out);
  }
  if (n > 0) await callNative(binding().renderClinical2d(out, rows, options));
  return out;
}
