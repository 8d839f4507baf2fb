/**
 * The native OCT renderer (native/field/oct_layers.h): one float64 parameter row per sample in,
 * one [H, W] float32 B-scan per sample out. Sample j's image is
 *   gain·R(y, x)·A(y, x)·exp(speckle·S − speckle²/2) + noiseSigma·N'
 * with R the layered reflectivity (ten regions, nine soft boundaries), A the attenuation below
 * the ILM, S the unit-variance speckle of key (seed, index, speckleStream) and N' the normals of
 * key (seed, index, noiseStream); the header gives every formula.
 */
import { invalidParameter } from '../../errors.js';
import { callNative, nativeAddon } from '../../native.js';

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

export interface OctRenderOptions {
  height: number;
  width: number;
  seed: number;
  speckleStream: number;
  noiseStream: number;
  /** One per OCT_REGIONS entry. */
  reflectivity: readonly number[];
  /** One per OCT_LAYERS entry: share of the total thickness. */
  fraction: readonly number[];
  /** One per OCT_LAYERS entry: how much the foveal pit thins the layer (≤ 1; < 0 thickens). */
  pitWeight: readonly number[];
  /** Boundary softness, px. */
  edge: number;
  /** Speckle grain sigmas, px. */
  grainAxial: number;
  grainLateral: number;
  noiseSigma: number;
}

interface OctNative {
  renderOctLayers(out: Float32Array, params: Float64Array, options: OctRenderOptions): Promise<void>;
  octStride(): number;
}

const native = () => nativeAddon<OctNative>();

let strideChecked = false;

/** Renders one B-scan per row of `rows` into `out` ([n, height, width]). */
export async function renderOctRows(rows: Float64Array, options: OctRenderOptions, out: Float32Array): Promise<Float32Array> {
  if (!strideChecked) {
    const stride = native().octStride();
    if (stride !== OCT_STRIDE) throw invalidParameter('native OCT row', `${OCT_STRIDE} numbers`, stride);
    strideChecked = true;
  }
  if (rows.length % OCT_STRIDE !== 0) throw invalidParameter('rows', `a multiple of ${OCT_STRIDE} numbers`, rows.length);
  const n = rows.length / OCT_STRIDE;
  if (out.length !== n * options.height * options.width) {
    throw invalidParameter('out', `a Float32Array of ${n * options.height * options.width} elements`, out);
  }
  if (n > 0) await callNative(native().renderOctLayers(out, rows, options));
  return out;
}
