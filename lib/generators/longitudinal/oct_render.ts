/**
 * The native OCT renderer (native/field/oct_layers.h): one float64 parameter row per sample in,
 * one [H, W] float32 B-scan per sample out. Sample j's image is
 *   gain·R(y, x)·A(y, x)·exp(speckle·S − speckle²/2) + noiseSigma·N'
 * with R the layered reflectivity (ten regions, nine soft boundaries), A the attenuation below
 * the ILM, S the unit-variance speckle of key (seed, index, speckleStream) and N' the normals of
 * key (seed, index, noiseStream); the header gives every formula.
 */
import { invalidParameter } from '../../errors.js';
import { binding, type OctRenderParams } from '../../binding.js';
import { callNative } from '../../native.js';

/** Offsets in a row; the order is ms::OctParam's. */
export const OCT_ROW = Object.freeze({
  index: 0,
  bruch: 1,
  curvature: 2,
  tilt: 3,
  thickness: 4,
  pitDepth: 5,
  pitCentre: 6,
  pitWidth: 7,
  gain: 8,
  attenuation: 9,
  speckle: 10,
  drusenCount: 11,
  /** kOctMaxDrusen × (centre, width, height). */
  drusen: 12,
});
export const OCT_MAX_DRUSEN = 8;
export const OCT_STRIDE = OCT_ROW.drusen + 3 * OCT_MAX_DRUSEN;
/** Layers, top to bottom; their thickness shares and pit weights are in this order. */
export const OCT_LAYERS = Object.freeze(['RNFL', 'GCL+IPL', 'INL', 'OPL', 'ONL', 'photoreceptors', 'RPE'] as const);
/** Reflectivity regions, top to bottom. */
export const OCT_REGIONS = Object.freeze(['vitreous', ...OCT_LAYERS, 'drusen', 'choroid'] as const);

/** One render call's options (the binding's OctRenderParams; arrays per OCT_REGIONS / OCT_LAYERS). */
export type OctRenderOptions = OctRenderParams;

let strideChecked = false;

/** Renders one B-scan per row of `rows` into `out` ([n, height, width]). */
export async function renderOctRows(rows: Float64Array, options: OctRenderOptions, out: Float32Array): Promise<Float32Array> {
  if (!strideChecked) {
    const stride = binding().octStride();
    if (stride !== OCT_STRIDE) throw invalidParameter('native OCT row', `${OCT_STRIDE} numbers`, stride);
    strideChecked = true;
  }
  if (rows.length % OCT_STRIDE !== 0) throw invalidParameter('rows', `a multiple of ${OCT_STRIDE} numbers`, rows.length);
  const n = rows.length / OCT_STRIDE;
  if (out.length !== n * options.height * options.width) {
    throw invalidParameter('out', `a Float32Array of ${n * options.height * options.width} elements`, out);
  }
  if (n > 0) await callNative(binding().renderOctLayers(out, rows, options));
  return out;
}
