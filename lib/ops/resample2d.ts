/**
 * Affine resampling of stacks of 2-D planes ([C, H, W], C order): resizing slices to a model's
 * input size and the rotation / flip augmentations, on one native kernel
 * (native/warp/resample2d.h).
 *
 * A map is a 2×3 matrix [a, b, c, d, e, f] taking a destination pixel (x, y) — index units,
 * pixel centres at integers — to the source position (a·x + b·y + c, d·x + e·y + f). Build maps
 * with {@link resizeMap}, {@link rotationFlipMap} and {@link composeMaps}.
 */
import { callNative, nativeAddon } from '../native.js';
import { invalidParameter } from '../errors.js';
import { checkArray, checkInteger, checkNumber, checkOneOf, outputArray } from '../validate.js';

/** [a, b, c, d, e, f]: xs = a·x + b·y + c, ys = d·x + e·y + f. */
export type AffineMap2d = readonly [number, number, number, number, number, number];

interface Warp2dNative {
  warpAffine2d(
    src: Float32Array,
    dst: Float32Array,
    params: {
      planes: number;
      height: number;
      width: number;
      outHeight: number;
      outWidth: number;
      matrix: number[];
      interpolation: 'linear' | 'nearest';
      padding: 'constant' | 'edge';
      fill: number;
      threshold?: number;
    },
  ): Promise<void>;
}

const native = () => nativeAddon<Warp2dNative>();

export interface WarpOptions {
  /** 'linear' (bilinear, default) or 'nearest'. */
  interpolation?: 'linear' | 'nearest';
  /** Taps outside the source read `fill` ('constant', default) or the nearest edge pixel ('edge'). */
  padding?: 'constant' | 'edge';
  /** Value outside the source with constant padding (default 0). */
  fill?: number;
  /** When set, the output is 1 where the interpolated value >= threshold, else 0 (masks). */
  threshold?: number;
}

export interface PlaneStack {
  /** Number of planes C. */
  planes: number;
  height: number;
  width: number;
}

const MAX_SIDE = 1 << 16;

/**
 * Warps every plane of `src` ([planes, height, width]) onto an [planes, outHeight, outWidth]
 * grid with `map` (destination pixel → source position).
 *
 * @throws MedsynthError INVALID_ARGUMENT for bad sizes, lengths, a non-finite map or options
 */
export async function warpAffine2d(
  src: Float32Array,
  shape: PlaneStack,
  outSize: readonly [number, number],
  map: AffineMap2d,
  options: WarpOptions = {},
  out?: Float32Array,
): Promise<Float32Array> {
  const planes = checkInteger('shape.planes', shape?.planes, 1, 1 << 24);
  const height = checkInteger('shape.height', shape?.height, 1, MAX_SIDE);
  const width = checkInteger('shape.width', shape?.width, 1, MAX_SIDE);
  checkArray('src', src, Float32Array, planes * height * width);
  if (!Array.isArray(outSize) || outSize.length !== 2) throw invalidParameter('outSize', '[height, width]', outSize);
  const outHeight = checkInteger('outSize[0]', outSize[0], 1, MAX_SIDE);
  const outWidth = checkInteger('outSize[1]', outSize[1], 1, MAX_SIDE);
  if (!Array.isArray(map) || map.length !== 6) throw invalidParameter('map', 'an affine map of 6 numbers', map);
  const matrix = map.map((v, k) => checkNumber(`map[${k}]`, v));
  const interpolation = checkOneOf('interpolation', options.interpolation ?? 'linear', ['linear', 'nearest'] as const);
  const padding = checkOneOf('padding', options.padding ?? 'constant', ['constant', 'edge'] as const);
  const fill = checkNumber('fill', options.fill ?? 0);
  const threshold = options.threshold === undefined ? undefined : checkNumber('threshold', options.threshold);
  const dst = outputArray('out', out, Float32Array, planes * outHeight * outWidth);
  if (dst.buffer === src.buffer) throw invalidParameter('out', 'a buffer that does not share memory with src', out);
  await callNative(
    native().warpAffine2d(src, dst, { planes, height, width, outHeight, outWidth, matrix, interpolation, padding, fill, threshold }),
  );
  return dst;
}

/**
 * The map of a resize from [height, width] to [outHeight, outWidth] with pixel areas aligned
 * (PyTorch's align_corners=False): x_src = (x + ½)·W/w − ½.
 */
export function resizeMap(from: readonly [number, number], to: readonly [number, number]): AffineMap2d {
  const sy = from[0] / to[0];
  const sx = from[1] / to[1];
  return [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5];
}

/**
 * The map of an image of [height, width] onto itself rotated by `degrees` about its centre
 * (counter-clockwise as displayed, rows running down) and then flipped: the destination pixel
 * shows what the source has at the rotated / mirrored position.
 */
export function rotationFlipMap(
  size: readonly [number, number],
  degrees: number,
  flip: { horizontal?: boolean; vertical?: boolean } = {},
): AffineMap2d {
  const cy = (size[0] - 1) / 2;
  const cx = (size[1] - 1) / 2;
  // Flips first (destination side), so a flip alone is an exact index mirror.
  const fx = flip.horizontal ? -1 : 1;
  const fy = flip.vertical ? -1 : 1;
  const flipMap: AffineMap2d = [fx, 0, flip.horizontal ? 2 * cx : 0, 0, fy, flip.vertical ? 2 * cy : 0];
  if (degrees === 0) return flipMap;
  // Destination offset (u, v) from the centre reads the source at R(θ)·(u, v): the content turns
  // by −θ in array coordinates, i.e. counter-clockwise on screen (y down).
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const rotate: AffineMap2d = [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy];
  return composeMaps(rotate, flipMap);
}

/** The map of applying `inner` first on the destination side and then `outer`: src = outer(inner(p)). */
export function composeMaps(outer: AffineMap2d, inner: AffineMap2d): AffineMap2d {
  const [a, b, c, d, e, f] = outer;
  const [A, B, C, D, E, F] = inner;
  return [a * A + b * D, a * B + b * E, a * C + b * F + c, d * A + e * D, d * B + e * E, d * C + e * F + f];
}
