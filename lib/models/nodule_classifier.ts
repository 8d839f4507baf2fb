/**
 * The downstream model of seed 002's table: a small 3D CNN that predicts malignancy from a nodule
 * patch. The seed names no architecture for its Stage 2 classifier; this one is sized for CPU
 * runs at 32³ and written with torch's module names, so its state dict loads into
 *
 *   features = Sequential(Conv3d(1, w, 3, stride=2, padding=1), ReLU(),                  → (s/2)³
 *                         Conv3d(w, 2w, 3, padding=1), ReLU(), MaxPool3d(2),              → (s/4)³
 *                         Conv3d(2w, 4w, 3, padding=1), ReLU(),
 *                         AdaptiveAvgPool3d(1))
 *   fc = Linear(4w, 2)
 *   forward(x) = fc(features(x).flatten(1))       (logits: benign, malignant)
 *
 * The strided first convolution halves the cost of the full-resolution level; a nodule of the
 * generator's smallest diameter (4 mm) still covers 2.5 voxels at 1.6 mm. No batch norm: with
 * it, on the imbalanced 12:1 sets, the eval-mode (running-statistics) predictions of a model
 * whose training loss was falling swung between all-benign and all-malignant from one epoch to
 * the next (measured: validation accuracy 0.91 → 0.09 → 0.91), which a table of thresholded
 * metrics would report as noise.
 */
import { MedsynthError } from '../errors.js';
import type { Architecture } from '../nn/checkpoint.js';
import { initialize } from '../nn/init.js';
import { AdaptiveAvgPool3d, Conv3d, Linear, MaxPool3d, ReLU, Sequential } from '../nn/layers/index.js';
import { Module } from '../nn/module.js';
import { flatten } from '../nn/ops/shape.js';
import { formatShape, type Tensor } from '../nn/tensor.js';

export const NODULE_CLASSIFIER_NAME = 'NoduleClassifier';

export interface NoduleClassifierShape {
  /** Patch side (a multiple of 4). Default 32. */
  size?: number;
  /** Channels of the first convolution (then 2w, 4w). Default 4. */
  width?: number;
}

export class NoduleClassifier extends Module {
  readonly size: number;
  readonly width: number;
  readonly features: Sequential;
  readonly fc: Linear;

  constructor({ size = 32, width = 4 }: NoduleClassifierShape = {}, { seed = 0 }: { seed?: number } = {}) {
    super();
    if (!Number.isInteger(size) || size < 8 || size % 4 !== 0) throw new MedsynthError('INVALID_ARGUMENT', `${NODULE_CLASSIFIER_NAME} size must be a multiple of 4 >= 8, got ${size}`);
    if (!Number.isInteger(width) || width < 1 || width > 256) throw new MedsynthError('INVALID_ARGUMENT', `${NODULE_CLASSIFIER_NAME} width must be an integer 1-256, got ${width}`);
    this.size = size;
    this.width = width;
    const w = width;
    this.features = this.registerModule(
      'features',
      new Sequential(
        new Conv3d(1, w, 3, { stride: 2, padding: 1 }), new ReLU(),
        new Conv3d(w, 2 * w, 3, { padding: 1 }), new ReLU(), new MaxPool3d(2),
        new Conv3d(2 * w, 4 * w, 3, { padding: 1 }), new ReLU(),
        new AdaptiveAvgPool3d(1),
      ),
    );
    this.fc = this.registerModule('fc', new Linear(4 * w, 2));
    initialize(this, seed);
  }

  override get typeName(): string {
    return NODULE_CLASSIFIER_NAME;
  }

  architecture(): Architecture {
    return { name: NODULE_CLASSIFIER_NAME, size: this.size, width: this.width };
  }

  /** x: [N, 1, s, s, s] (HU windowed to [-1, 1]) → logits [N, 2]. */
  forward(x: Tensor): Tensor {
    const s = this.size;
    if (x.ndim !== 5 || x.shape[1] !== 1 || x.shape[2] !== s || x.shape[3] !== s || x.shape[4] !== s) {
      throw new MedsynthError('INVALID_ARGUMENT', `${NODULE_CLASSIFIER_NAME} expects x [N, 1, ${s}, ${s}, ${s}], got ${formatShape(x.shape)}`);
    }
    return this.fc.forward(flatten(this.features.forward(x), 1));
  }
}
