/**
 * A host CT for nodule insertion: the anatomy generator's body and 13 structures (its sampler,
 * lib/generators/anatomy3d, with every structure present) drawn in Hounsfield units with the
 * PET/CT generator's tissue table (air −1000, body 30, lungs −850, heart 40, …), blurred by a
 * 1.2 mm FWHM PSF and given 12 HU of noise. Its label map is the anatomy generator's: structure
 * i has label i + 1, so the lungs are 1 (left) and 2 (right).
 *
 * Any CT with a label map can host nodules instead (a user's NIfTI pair): see HostCt.
 */
import { DEFAULT_BODY, DEFAULT_STRUCTURES } from '../anatomy3d/catalogue.js';
import type { ResolvedAnatomyOptions } from '../anatomy3d/options.js';
import { sampleAnatomyParams } from '../anatomy3d/sample_params.js';
import { gaussianBlur } from '../../ops/gaussian_blur.js';
import { addNoise } from '../../ops/noise.js';
import { rasterize, type Shape } from '../../ops/rasterize.js';
import { checkInteger, checkNumber, checkSeed } from '../../validate.js';
import { invalidParameter } from '../../errors.js';
import { AIR_HU, BODY_SOFT, TISSUES } from '../petct/tissues.js';

export interface HostCt {
  dims: [number, number, number];
  spacing: [number, number, number];
  /** HU, changed in place by insertion. */
  ct: Float32Array;
  /** Label map, changed in place by insertion. */
  labels: Uint8Array;
  /** Labels of the left and right lung (each may list several labels, or none). */
  lungLabels: { left: number[]; right: number[] };
  /** Label written for inserted nodules (must not be a lung label). */
  noduleLabel: number;
  /** Name of each label (index = label), for metadata. */
  labelNames: string[];
}

export interface HostCtOptions {
  /** [Z, Y, X]. Default [160, 256, 256]. */
  size?: readonly [number, number, number];
  /** [sz, sy, sx] mm. Default HOST_FOV_MM / size ([2, 1.640625, 1.640625] at the default size). */
  spacing?: readonly [number, number, number];
  seed?: number | bigint;
  noiseHu?: number;
}

const HOST_STREAM_NOISE = 7;
/** Field of view of an anatomy host CT when no spacing is given (mm), the PET/CT generator's trunk box. */
export const HOST_FOV_MM: readonly [number, number, number] = [320, 420, 420];
const PSF_FWHM_MM = 1.2;

export function resolveHostCtOptions(options: HostCtOptions): { size: [number, number, number]; spacing: [number, number, number]; seed: number | bigint; noiseHu: number } {
  const size = options.size ?? [160, 256, 256];
  // Without a spacing the field of view stays HOST_FOV_MM whatever the size.
  const spacing = options.spacing ?? (Array.isArray(size) ? size.map((n, i) => HOST_FOV_MM[i] / n) : size);
  if (!Array.isArray(size) || size.length !== 3) throw invalidParameter('host.size', '[Z, Y, X]', size);
  if (!Array.isArray(spacing) || spacing.length !== 3) throw invalidParameter('host.spacing', '[sz, sy, sx] mm', spacing);
  return {
    size: size.map((n, i) => checkInteger(`host.size[${i}]`, n, 8, 1024)) as [number, number, number],
    spacing: spacing.map((s, i) => checkNumber(`host.spacing[${i}]`, s, { above: 0, max: 20 })) as [number, number, number],
    seed: checkSeed('seed', options.seed ?? 42),
    noiseHu: checkNumber('host.noiseHu', options.noiseHu ?? 12, { min: 0, max: 1000 }),
  };
}

/** The anatomy CT of patient `index`. */
export async function anatomyHostCt(options: HostCtOptions, index: number): Promise<HostCt> {
  const { size, spacing, seed, noiseHu } = resolveHostCtOptions(options);
  const names = DEFAULT_STRUCTURES.map((s) => s.name);
  const anatomy: ResolvedAnatomyOptions = {
    imageSize: size,
    spacing,
    seed,
    positionNoise: 0.03,
    sizeNoise: 0.1,
    intensityNoise: 0,
    artifacts: { blurSigmaMm: [0, 0, 0], biasOrder: 0, biasMagnitude: 0, noiseKind: 'gaussian', noiseSigma: 0 },
    structures: DEFAULT_STRUCTURES,
    scenarios: [{ name: 'host_ct', category: 'normal', description: 'Every structure present', present: names }],
    body: DEFAULT_BODY,
  };
  const p = sampleAnatomyParams(anatomy, index);
  const present = p.structures.filter((s) => s.present).sort((a, b) => (a.shape.priority ?? 0) - (b.shape.priority ?? 0) || a.label - b.label);
  const shapes: Shape[] = [{ ...p.body, intensity: BODY_SOFT.hu, label: undefined }, ...present.map((s) => ({ ...s.shape, intensity: TISSUES[s.name].hu }))];
  const n = size[0] * size[1] * size[2];
  const ct = new Float32Array(n).fill(AIR_HU);
  const labels = new Uint8Array(n);
  await rasterize(shapes, { dims: size, intensity: ct, labels });
  const sigma = PSF_FWHM_MM / (2 * Math.sqrt(2 * Math.LN2));
  await gaussianBlur(ct, size, { sigma, spacing }, ct);
  if (noiseHu > 0) await addNoise(ct, { kind: 'gaussian', sigma: noiseHu, seed, sample: index, stream: HOST_STREAM_NOISE }, ct);
  return {
    dims: size,
    spacing,
    ct,
    labels,
    lungLabels: { left: [names.indexOf('left_lung') + 1], right: [names.indexOf('right_lung') + 1] },
    noduleLabel: names.length + 1,
    labelNames: ['background', ...names, 'nodule'],
  };
}

/** Checks a user's host (shapes, label choices). */
export function checkHostCt(h: HostCt): HostCt {
  const n = h.dims[0] * h.dims[1] * h.dims[2];
  if (!(h.ct instanceof Float32Array) || h.ct.length !== n) throw invalidParameter('host.ct', `a Float32Array of ${n} values`, h.ct);
  if (!(h.labels instanceof Uint8Array) || h.labels.length !== n) throw invalidParameter('host.labels', `a Uint8Array of ${n} values`, h.labels);
  const lungs = [...h.lungLabels.left, ...h.lungLabels.right];
  if (lungs.includes(h.noduleLabel)) throw invalidParameter('host.noduleLabel', 'a label that is not a lung label', h.noduleLabel);
  return h;
}
