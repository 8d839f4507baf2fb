/**
 * The native addon's whole surface, declared once (as onnxruntime's js/node/lib/binding.ts does):
 * every function the addon exports, with the plain argument shapes the bindings read. Grouped as
 * the bindings are, one group per `bindings/bind_<domain>.cc`, itself named after the native/
 * folder it binds. Wrappers (lib/ops, lib/loss, lib/metric, lib/core, generators) validate in
 * TypeScript first and then call `binding().<name>`; nothing else declares addon functions.
 *
 * Kernels that have a CUDA twin take `device?: 'cpu' | 'cuda'` in their params object and resolve
 * with `KernelResult`: undefined on the CPU, the call's CudaTiming on CUDA.
 *
 * New domains (the training engine's `nn*` kernels from native/nn/, bind_nn.cc) add their group
 * here the same way.
 */
import { nativeAddon } from './native.js';

type Dims3 = [number, number, number];
type RealArray = Float32Array | Float64Array;
/** A probability map or a {0, 1} mask. */
type MaskOrProb = Float32Array | Uint8Array;
type AnyTypedArray = Float32Array | Float64Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Where a kernel with a CUDA twin runs (default 'cpu'). */
export interface OnDevice {
  device?: 'cpu' | 'cuda';
}

/** Kernels that refuse NaN/±Inf input when asked: scanned on the kernel's worker, on the data it
 * works on, before anything is written (native/volume/finite_check.h; lib/ops/finite.ts). */
export interface FiniteCheck {
  rejectNonFinite?: boolean;
}

/** Where the time of one CUDA call went (ms); the CUDA kernels resolve with it. */
export interface CudaTiming {
  /** The kernels alone (CUDA events). */
  deviceMs: number;
  /** Staging the inputs to the device (host side). */
  uploadMs: number;
  /** Copying the results back after the kernels finished. */
  downloadMs: number;
  /** The whole call. */
  totalMs: number;
}

/** A kernel call with a CUDA twin: undefined on the CPU, the timing on CUDA. */
export type KernelResult = Promise<CudaTiming | undefined>;

export interface CudaDeviceInfo {
  index: number;
  name: string;
  /** e.g. '9.0' */
  computeCapability: string;
  multiprocessors: number;
  /** Bytes. */
  totalMemory: number;
  freeMemory: number;
}

export interface CudaInfo {
  /** The loaded binary contains the CUDA backend. */
  compiled: boolean;
  /** A usable device was found. */
  available: boolean;
  /** Why CUDA is unavailable (one line), when it is. */
  reason?: string;
  deviceCount: number;
  /** CUDA runtime and driver versions as 1000·major + 10·minor (0: none). */
  runtimeVersion: number;
  driverVersion: number;
  /** The device medsynth uses (the first visible one), when one was found. */
  device?: CudaDeviceInfo;
}

export interface BuildInfo {
  simd: string;
  cudaCompiled: boolean;
  napiVersion: number;
}

/** Noise parameters: sigma for 'gaussian' / 'rician', scale for 'poisson'; the Philox key. */
export interface NoiseParams {
  kind: 'gaussian' | 'rician' | 'poisson';
  sigma?: number;
  scale?: number;
  seed: number | bigint;
  sample: number;
  stream: number;
}

/** The volume-sample chain's parameters (native/render/volume_sample.h). */
export interface VolumeSampleParams extends OnDevice {
  dims: Dims3;
  /** Sigma in voxels, [sz, sy, sx]. */
  blur?: { sigma: number[]; truncate: number };
  bias?: { order: number; coefficients: number[] };
  noise?: NoiseParams;
  image: 'float32' | 'uint8' | 'int16';
  cast?: { scale: number; offset: number };
}

/** One clinical2d render call (native/field/clinical2d.h). */
export interface Clinical2dRenderParams {
  height: number;
  width: number;
  seed: number;
  textureStream: number;
  noiseStream: number;
  textureSigma: number;
  textureEdge: number;
  lesionEdge: number;
  noiseSigma: number;
}

/** One OCT render call (native/field/oct_layers.h). */
export interface OctRenderParams {
  height: number;
  width: number;
  seed: number;
  speckleStream: number;
  noiseStream: number;
  /** One per OCT region. */
  reflectivity: readonly number[];
  /** One per OCT layer: share of the total thickness. */
  fraction: readonly number[];
  /** One per OCT layer: how much the foveal pit thins the layer (≤ 1; < 0 thickens). */
  pitWeight: readonly number[];
  /** Boundary softness, px. */
  edge: number;
  /** Speckle grain sigmas, px. */
  grainAxial: number;
  grainLateral: number;
  noiseSigma: number;
}

export interface NativeBinding {
  // ---- core (bind_core.cc): thread pool, build facts, Philox words ------------------------------
  threadCount(): number;
  defaultThreadCount(): number;
  setThreadCount(options: { threads: number }): void;
  buildInfo(): BuildInfo;
  philoxFillU32(o: { seed: number | bigint; sample: number; stream: number; counter: number }, out: Uint32Array): void;

  // ---- cuda (bind_cuda.cc): the device and its memory (cuda/device.h) ---------------------------
  cudaInfo(): CudaInfo;
  setCudaMemoryLimit(options: { bytes: number }): void;
  cudaMemoryUsage(): { inUse: number; limit: number };
  releaseCudaMemory(): void;
  /** Device-to-device copy bandwidth, GB/s. */
  cudaCopyBandwidth(options: { bytes: number; repeats: number }): Promise<number>;

  // ---- volume (bind_volume.cc): intensity steps, rasterizer, label maps -------------------------
  windowLevel(input: Float32Array, out: Float32Array, p: { center: number; width: number; outMin: number; outMax: number } & OnDevice): KernelResult;
  affine(input: Float32Array, out: Float32Array, p: { scale: number; offset: number } & OnDevice): KernelResult;
  clamp(input: Float32Array, out: Float32Array, p: { lo: number; hi: number } & OnDevice): KernelResult;
  castU8(input: Float32Array, out: Uint8Array, p: { scale: number; offset: number } & OnDevice): KernelResult;
  castI16(input: Float32Array, out: Int16Array, p: { scale: number; offset: number } & OnDevice): KernelResult;
  /** `packed`: one shape per 112 float64s (lib/ops/rasterize.ts); `coverage`: one sum per shape. */
  rasterize(
    packed: Float64Array,
    labelPriority: Float64Array,
    coverage: Float64Array,
    options: { dims: number[] } & OnDevice,
    intensity: Float32Array | null,
    labels: Uint8Array | null,
  ): KernelResult;
  labelBounds(labels: Uint8Array, out: Int32Array, p: { dims: number[] }): Promise<void>;
  labelMaskBox(labels: Uint8Array, out: Uint8Array, p: { dims: number[]; box: number[]; label: number }): Promise<void>;
  labelsFromOneHot(masks: Uint8Array, out: Uint8Array, p: { structures: number }): Promise<void>;
  labelChunkOccupancy(labels: Uint8Array, flags: Uint8Array, bounds: Int32Array, p: { dims: number[]; block: number[] }): Promise<void>;
  cropBox(volume: AnyTypedArray, out: AnyTypedArray, p: { dims: number[]; box: number[] }): Promise<void>;
  /** out = x where mask != 0, in order; out.length must equal the number of set mask bytes. */
  maskedGather(x: Float32Array, mask: Uint8Array, out: Float32Array): Promise<void>;

  // ---- filter (bind_filter.cc) -------------------------------------------------------------------
  /** Sigma in voxels, [sz, sy, sx]. */
  gaussianBlur(input: Float32Array, out: Float32Array, p: { dims: Dims3; sigma: number[]; truncate: number } & OnDevice & FiniteCheck): KernelResult;
  /** Per [S, H, W] slice, square (Chebyshev) binary dilation; out may be seed itself. */
  dilateSlicesSquare(seed: Uint8Array, out: Uint8Array, p: { dims: Dims3; radius: number }): Promise<void>;

  // ---- field (bind_field.cc): bias field, clinical2d renderer ------------------------------------
  /** A null input writes the field itself. */
  biasField(input: Float32Array | null, out: Float32Array, p: { dims: Dims3; order: number; coefficients: number[] } & OnDevice & FiniteCheck): KernelResult;
  renderClinical2d(out: Float32Array, params: Float64Array, options: Clinical2dRenderParams): Promise<void>;
  /** Numbers per clinical2d parameter row. */
  clinical2dStride(): number;
  renderOctLayers(out: Float32Array, params: Float64Array, options: OctRenderParams): Promise<void>;
  /** Numbers per OCT parameter row. */
  octStride(): number;

  // ---- noise (bind_noise.cc) ---------------------------------------------------------------------
  addNoise(input: Float32Array, out: Float32Array, p: NoiseParams & OnDevice & FiniteCheck): KernelResult;
  normalNoise(out: Float32Array, p: { seed: number | bigint; sample: number; stream: number } & OnDevice): KernelResult;

  // ---- finite (bind_finite.cc) -------------------------------------------------------------------
  /** How many NaN/±Inf values `values` holds and the index of the first (-1 when none). */
  findNonFinite(values: Float32Array): Promise<{ count: number; first: number }>;

  // ---- render (bind_render.cc): a whole volume sample ---------------------------------------------
  /** `work`: CPU only, the intensity of an integer image (allocated natively when null). */
  renderVolumeSample(
    packed: Float64Array,
    labelPriority: Float64Array,
    coverage: Float64Array,
    params: VolumeSampleParams,
    image: Float32Array | Uint8Array | Int16Array,
    labels: Uint8Array | null,
    work: Float32Array | null,
  ): KernelResult;

  // ---- loss (bind_loss.cc): value, gradient into `grad`, per-sample values -----------------------
  softDice(
    pred: Float32Array,
    target: MaskOrProb,
    grad: Float32Array,
    perSample: Float64Array,
    params: { batch: number; size: number; smooth: number; fromLogits: boolean },
  ): Promise<number>;
  focalTversky(
    pred: Float32Array,
    target: MaskOrProb,
    grad: Float32Array,
    perSample: Float64Array,
    params: { batch: number; size: number; weightFN: number; weightFP: number; gamma: number; smooth: number; fromLogits: boolean },
  ): Promise<number>;
  binaryCrossEntropy(
    pred: Float32Array,
    target: MaskOrProb,
    grad: Float32Array,
    perSample: Float64Array,
    params: { batch: number; size: number; fromLogits: boolean },
  ): Promise<number>;
  coxLoss(risk: RealArray, time: RealArray, event: Uint8Array, grad: RealArray, params: { ties: 'breslow' | 'efron' }): Promise<number>;

  // ---- metric (bind_metric.cc) ---------------------------------------------------------------------
  confusionCounts(pred: MaskOrProb, target: MaskOrProb, counts: Float64Array, params: { batch: number; size: number; threshold: number }): Promise<void>;
  concordance(
    risk: RealArray,
    time: RealArray,
    event: Uint8Array,
  ): Promise<{ concordant: number; discordant: number; tiedRisk: number; comparable: number }>;
  calibration(
    prob: Float32Array,
    label: Uint8Array,
    count: Float64Array,
    meanConfidence: Float64Array,
    accuracy: Float64Array,
    params: { bins: number; mode: 'confidence' | 'positive' },
  ): Promise<{ ece: number; mce: number }>;
  correlation(x: RealArray, y: RealArray): Promise<{ pearson: number; spearman: number }>;
  /** Per pixel: truth as 0/1, |prob − label| and label | (prob >= threshold) (metric/segmentation_error.h). */
  segmentationErrorMap(
    prob: Float32Array,
    truth: Float32Array | Uint8Array,
    label: Uint8Array,
    error: Float32Array,
    either: Uint8Array,
    params: { threshold: number },
  ): Promise<void>;
  /** Per slice Σ x, and with a mask Σ x and the count under it (metric/slice_sums.h). */
  sliceSums(
    x: Float32Array,
    mask: Uint8Array | null,
    sum: Float64Array,
    maskedSum: Float64Array | null,
    maskedCount: Float64Array | null,
    params: { slices: number; plane: number },
  ): Promise<void>;
  /** Per-pixel mean, variance, entropy and mutual information of T Monte Carlo passes [T·n]. */
  mcPixelSummary(
    passes: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    entropy: Float32Array,
    mutualInformation: Float32Array,
    params: { passes: number; size: number },
  ): Promise<void>;

  /** Per-sample radiomics sums: moments, surface, GLCM counts (native/metric/radiomics.h). */
  radiomicsSums(images: Float32Array, masks: Uint8Array | null, out: Float64Array, p: { n: number; dims: number[]; threshold: number; lo: number; hi: number; levels: number }): Promise<void>;


  // ---- warp (bind_warp.cc) -------------------------------------------------------------------------
  /** Affine resampling of a stack of planes [planes, height, width] (native/warp/resample2d.h). */
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
  /** 3-D warps, the elastic field and patch insertion (native/warp/warp.h, insert_patch.h). */
  warpLinear(input: Float32Array, out: Float32Array, spec: WarpSpec, control: Float32Array | null): Promise<void>;
  warpNearest(input: Uint8Array, out: Uint8Array, spec: WarpSpec, control: Float32Array | null): Promise<void>;
  warpGatedLabels(labels: Uint8Array, coverage: Float32Array, out: Uint8Array, spec: WarpSpec & { threshold: number; fallback: number }, control: Float32Array | null): Promise<void>;
  bsplineDisplacement(control: Float32Array, field: Float32Array, params: { controlDims: number[]; dims: number[] }): Promise<void>;
  warpIsa(): string;
  warpSetIsa(isa: string): boolean;
  insertPatch(
    ct: Float32Array,
    labels: Uint8Array,
    patch: Float32Array,
    alpha: Float32Array,
    hostOk: Uint8Array,
    result: Float64Array,
    params: { dims: number[]; patchDims: number[]; affine: number[]; lo: number[]; hi: number[]; noduleLabel: number },
  ): Promise<void>;

  // ---- nn (bind_nn.cc): element-wise ops with broadcasting, sums, losses — synchronous -------------
  nnUnary(op: number, x: Float32Array, y: Float32Array, a: number, b: number): void;
  nnUnaryBackward(op: number, g: Float32Array, t: Float32Array, gx: Float32Array, a: number, b: number): void;
  nnBinary(op: number, a: Float32Array, b: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnExpand(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnSumMiddle(x: Float32Array, y: Float32Array, outer: number, r: number, inner: number): void;
  nnCrossEntropyForward(logits: Float32Array, target: Int32Array, probs: Float32Array, n: number, c: number): number;
  nnCrossEntropyBackward(probs: Float32Array, target: Int32Array, gx: Float32Array, n: number, c: number, scale: number): void;
  nnBceWithLogitsForward(x: Float32Array, target: Float32Array): number;
  nnBceWithLogitsBackward(x: Float32Array, target: Float32Array, gx: Float32Array, scale: number): void;
  nnFocalTversky(
    pred: Float32Array, target: Float32Array | Uint8Array, grad: Float32Array, perSample: Float64Array, batch: number, size: number,
    weightFN: number, weightFP: number, gamma: number, smooth: number, fromLogits: boolean,
  ): number;
  nnCoxLoss(risk: Float32Array, time: Float32Array, event: Uint8Array, grad: Float32Array, efron: boolean): number;

  // ---- nn conv (bind_nn_conv.cc): GEMM, convolution, linear — synchronous --------------------------
  nnGemm(a: Float32Array, b: Float32Array, c: Float32Array, dims: Int32Array, alpha: number, beta: number): void;
  nnGemmIsa(): string;
  nnSetGemmIsa(isa: string): boolean;
  nnConvForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, geometry: Int32Array): void;
  nnConvBackwardInput(gy: Float32Array, w: Float32Array, b: Float32Array | null, gx: Float32Array, geometry: Int32Array): void;
  nnConvBackwardWeight(x: Float32Array, gy: Float32Array, gw: Float32Array, geometry: Int32Array): void;
  nnLinearForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, n: number, inFeatures: number, outFeatures: number): void;

  // ---- nn layers (bind_nn_layers.cc): batch norm, pooling, up-sampling, dropout — synchronous ------
  nnBatchNormTrain(
    x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, runningMean: Float32Array | null,
    runningVar: Float32Array | null, y: Float32Array, saveMean: Float32Array, saveInvstd: Float32Array,
    n: number, c: number, s: number, eps: number, momentum: number,
  ): void;
  nnBatchNormEval(
    x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, runningMean: Float32Array,
    runningVar: Float32Array, y: Float32Array, n: number, c: number, s: number, eps: number,
  ): void;
  nnBatchNormBackward(
    x: Float32Array, g: Float32Array, weight: Float32Array | null, mean: Float32Array, invstd: Float32Array,
    gx: Float32Array | null, gw: Float32Array | null, gb: Float32Array | null, n: number, c: number, s: number, training: boolean,
  ): void;
  nnMaxPoolForward(x: Float32Array, y: Float32Array, argmax: Int32Array, geometry: Int32Array): void;
  nnMaxPoolScatter(gy: Float32Array, argmax: Int32Array, gx: Float32Array, geometry: Int32Array): void;
  nnMaxPoolGather(x: Float32Array, argmax: Int32Array, y: Float32Array, geometry: Int32Array): void;
  nnAvgPoolForward(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnAvgPoolBackward(gy: Float32Array, gx: Float32Array, geometry: Int32Array): void;
  nnUpsampleNearestForward(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  nnUpsampleNearestBackward(gy: Float32Array, gx: Float32Array, geometry: Int32Array): void;
  nnDropoutMask(mask: Float32Array, seed: number | bigint, step: number, layer: number, p: number): void;
  nnApplyMask(x: Float32Array, mask: Float32Array, y: Float32Array, groups: number, inner: number): void;

  // ---- nn optim (bind_nn_optim.cc): optimizer updates in place — synchronous -----------------------
  nnSgdStep(
    param: Float32Array,
    grad: Float32Array,
    momentumBuffer: Float32Array | null,
    options: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; firstStep: boolean },
  ): void;
  nnAdamStep(
    param: Float32Array,
    grad: Float32Array,
    expAvg: Float32Array,
    expAvgSq: Float32Array,
    options: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; step: number; decoupled: boolean },
  ): void;
}

/** A 3-D resampling: output voxel → input voxel through `affine` (row-major 3×4), plus an
 * optional B-spline displacement on a control grid (native/warp/warp.h). */
export interface WarpSpec {
  inDims: number[];
  outDims: number[];
  affine: number[];
  fill: number;
  controlDims?: number[];
}

/** The loaded addon, typed (loads it on first use; native.ts says why when it cannot). */
export function binding(): NativeBinding {
  return nativeAddon<NativeBinding>();
}
