/**
 * Seed 004's multi-task U-Net (issue 13): a shared 4-level encoder, a segmentation decoder with
 * a sigmoid probability map, and a survival head on the global-pooled bottleneck giving a scalar
 * risk. Batch norm after every 3×3 conv, Dropout2d (MC dropout) after the deeper blocks and in
 * the survival head, 2×2/stride-2 ConvTranspose up-sampling. At base 64 it has ~31.4M parameters
 * (the seed's 31.6M). torch layout, so state dict keys read `enc1.0.weight`, `up4.weight`:
 *
 *   block(i, m, o) = Sequential(Conv2d(i, m, 3, padding=1), BatchNorm2d(m), ReLU(),
 *                               Conv2d(m, o, 3, padding=1), BatchNorm2d(o), ReLU()[, Dropout2d(p)])
 *   enc1..enc4, bottleneck: widths b, 2b, 4b, 8b, 16b; MaxPool2d(2) between levels
 *   up_k = ConvTranspose2d(2c, c, 2, stride=2); dec_k = block(2c, c, c) on cat([up_k(·), enc_k], 1)
 *   seg_head = Conv2d(b, 1, 1) → sigmoid;  survival = Sequential(AdaptiveAvgPool2d(1), Flatten(),
 *              Linear(16b, 4b), ReLU(), Dropout(p), Linear(4b, 1))
 *
 * `mid` narrows a block's inner width (structured channel pruning keeps the block's interface).
 *
 * `clinical` > 0 adds that many patient-level covariates (the PET/CT study: standardised age, male,
 * stage) to the survival head: they are concatenated to the head's hidden features right before
 * the risk layer, which becomes Linear(4b + clinical, 1). So the covariates enter the risk
 * linearly, as in the Cox model that generates the data, next to the image features
 * (DeepMTS / AdaMSS-style fusion). The model then takes a second input `clinical` [N, clinical]
 * (also in the ONNX graph); with 0 (the default) it is the seed's image-only model, unchanged.
 *
 * `survivalPool` is how the head reduces the bottleneck to one vector: 'avg' (the seed's global
 * average pool, the default), 'max' (AdaptiveMaxPool2d(1)) or 'avgmax' (both, concatenated, so the
 * first Linear is Linear(32b, 4b)). The bottleneck is mostly tumour-free background, and its
 * average washes a small tumour out; its maximum keeps how bright and large the strongest tumour
 * response is, which is what SUVmax and the tumour volume behind the survival signal are.
 *
 * The segmentation head's bias starts at logit(segPrior), a tumour probability of 1 % (the prior
 * initialisation of RetinaNet's focal loss, Lin et al. 2017), not at the default init's ≈ 0.5.
 * Tumour is ~0.1–1 % of a slice's pixels: at p ≈ 0.5 everywhere the focal Tversky index is ≈ 0,
 * the loss sits on a plateau at ≈ 1 and segmentation took 10–20 epochs to start; the encoder
 * meanwhile took whatever the survival term pulled, and a learning rate large enough to leave the
 * plateau killed the survival head's ReLUs. With the prior it starts learning in the first epoch.
 * Only the initial weights change: a checkpoint reloads exactly as before.
 */
import { MedsynthError } from '../errors.js';
import type { Architecture } from '../nn/checkpoint.js';
import { initialize } from '../nn/init.js';
import {
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  Dropout2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
} from '../nn/layers/index.js';
import { Module } from '../nn/module.js';
import { sigmoid } from '../nn/ops/pointwise.js';
import { concat } from '../nn/ops/shape.js';
import { formatShape, Tensor } from '../nn/tensor.js';
import { emitLayer } from '../onnx/layers.js';
import { int, type GraphBuilder } from '../onnx/graph.js';

export const UNET_NAME = 'MultiTaskUNet';

export const UNET_BLOCKS = ['enc1', 'enc2', 'enc3', 'enc4', 'bottleneck', 'dec4', 'dec3', 'dec2', 'dec1'] as const;
export type UNetBlock = (typeof UNET_BLOCKS)[number];

export const SURVIVAL_POOLS = ['avg', 'max', 'avgmax'] as const;
export type SurvivalPool = (typeof SURVIVAL_POOLS)[number];

export interface UNetOptions {
  inChannels?: number;
  base?: number;
  /** Dropout probability of the MC-dropout layers. */
  dropout?: number;
  /** Inner width per block (default: the block's output width). */
  mid?: Partial<Record<UNetBlock, number>>;
  /** Patient-level covariates fed to the survival head (default 0: image only). */
  clinical?: number;
  /** How the survival head pools the bottleneck (default 'avg': the seed's global average pool). */
  survivalPool?: SurvivalPool;
  /**
   * Initial tumour probability of the segmentation head, in (0, 1): its bias starts at
   * logit(segPrior) (default 0.01). See the module comment.
   */
  segPrior?: number;
  seed?: number;
}

export interface UNetOutputs {
  /** Tumour probability [N, 1, H, W]. */
  segmentation: Tensor;
  /** Risk score [N, 1]. */
  risk: Tensor;
}

function block(inC: number, mid: number, out: number, dropout: number): Sequential {
  const layers: Module[] = [
    new Conv2d(inC, mid, 3, { padding: 1 }),
    new BatchNorm2d(mid),
    new ReLU(),
    new Conv2d(mid, out, 3, { padding: 1 }),
    new BatchNorm2d(out),
    new ReLU(),
  ];
  if (dropout > 0) layers.push(new Dropout2d(dropout));
  return new Sequential(...layers);
}

/** Global average and global max pool side by side: [N, C, H, W] → [N, 2C, 1, 1] (average first). */
export class GlobalAvgMaxPool2d extends Module {
  private readonly avg = new AdaptiveAvgPool2d(1);
  private readonly max = new AdaptiveMaxPool2d(1);

  forward(x: Tensor): Tensor {
    return concat([this.avg.forward(x), this.max.forward(x)], 1);
  }
}

function survivalPoolLayer(kind: SurvivalPool): Module {
  if (kind === 'max') return new AdaptiveMaxPool2d(1);
  return kind === 'avgmax' ? new GlobalAvgMaxPool2d() : new AdaptiveAvgPool2d(1);
}

export class MultiTaskUNet extends Module {
  readonly inChannels: number;
  readonly base: number;
  readonly dropout: number;
  readonly mid: Record<UNetBlock, number>;
  readonly blocks: Record<UNetBlock, Sequential>;
  readonly ups: Record<'up4' | 'up3' | 'up2' | 'up1', ConvTranspose2d>;
  readonly pool: MaxPool2d;
  readonly segHead: Conv2d;
  readonly survival: Sequential;
  readonly clinical: number;
  readonly survivalPool: SurvivalPool;

  constructor({ inChannels = 2, base = 64, dropout = 0.1, mid = {}, clinical = 0, survivalPool = 'avg', segPrior = 0.01, seed = 0 }: UNetOptions = {}) {
    super();
    if (!Number.isInteger(base) || base < 1) throw new MedsynthError('INVALID_ARGUMENT', `U-Net base width has to be a positive integer, got ${base}`);
    if (!Number.isInteger(inChannels) || inChannels < 1) throw new MedsynthError('INVALID_ARGUMENT', `U-Net needs >= 1 input channel, got ${inChannels}`);
    if (!Number.isInteger(clinical) || clinical < 0 || clinical > 1024) throw new MedsynthError('INVALID_ARGUMENT', `U-Net clinical covariate count has to be an integer in [0, 1024], got ${clinical}`);
    if (!(segPrior > 0 && segPrior < 1)) throw new MedsynthError('INVALID_ARGUMENT', `U-Net segPrior has to be a probability in (0, 1), got ${segPrior}`);
    if (!(SURVIVAL_POOLS as readonly string[]).includes(survivalPool)) {
      throw new MedsynthError('INVALID_ARGUMENT', `U-Net survival pool has to be one of ${SURVIVAL_POOLS.join(', ')}, got ${String(survivalPool)}`);
    }
    this.inChannels = inChannels;
    this.clinical = clinical;
    this.survivalPool = survivalPool;
    this.base = base;
    this.dropout = dropout;
    const w = { enc1: base, enc2: 2 * base, enc3: 4 * base, enc4: 8 * base, bottleneck: 16 * base, dec4: 8 * base, dec3: 4 * base, dec2: 2 * base, dec1: base };
    this.mid = Object.fromEntries(UNET_BLOCKS.map((k) => [k, mid[k] ?? w[k]])) as Record<UNetBlock, number>;
    for (const k of UNET_BLOCKS) {
      if (!Number.isInteger(this.mid[k]) || this.mid[k] < 1) throw new MedsynthError('INVALID_ARGUMENT', `U-Net block ${k} inner width has to be a positive integer, got ${this.mid[k]}`);
    }
    const deep = (k: UNetBlock) => (k === 'enc3' || k === 'enc4' || k === 'bottleneck' || k === 'dec4' ? dropout : 0);
    const input: Record<UNetBlock, number> = {
      enc1: inChannels, enc2: base, enc3: 2 * base, enc4: 4 * base, bottleneck: 8 * base,
      dec4: 16 * base, dec3: 8 * base, dec2: 4 * base, dec1: 2 * base,
    };
    const blocks = {} as Record<UNetBlock, Sequential>;
    const ups = {} as Record<'up4' | 'up3' | 'up2' | 'up1', ConvTranspose2d>;
    for (const k of UNET_BLOCKS.slice(0, 5)) blocks[k] = this.registerModule(k, block(input[k], this.mid[k], w[k], deep(k)));
    for (const level of [4, 3, 2, 1] as const) {
      const c = base * 2 ** (level - 1);
      ups[`up${level}`] = this.registerModule(`up${level}`, new ConvTranspose2d(2 * c, c, 2, { stride: 2 }));
      const k = `dec${level}` as UNetBlock;
      blocks[k] = this.registerModule(k, block(input[k], this.mid[k], w[k], deep(k)));
    }
    this.blocks = blocks;
    this.ups = ups;
    this.pool = this.registerModule('pool', new MaxPool2d(2));
    this.segHead = this.registerModule('seg_head', new Conv2d(base, 1, 1));
    this.survival = this.registerModule(
      'survival',
      new Sequential(survivalPoolLayer(survivalPool), new Flatten(), new Linear((survivalPool === 'avgmax' ? 32 : 16) * base, 4 * base), new ReLU(), new Dropout(dropout), new Linear(4 * base + clinical, 1)),
    );
    initialize(this, seed);
    this.segHead.bias!.data.fill(Math.log(segPrior / (1 - segPrior)));
  }

  override get typeName(): string {
    return UNET_NAME;
  }

  architecture(): Architecture {
    // `clinical` and `survival_pool` only when not the default, so checkpoints written before them still match.
    return {
      name: UNET_NAME,
      in_channels: this.inChannels,
      base: this.base,
      dropout: this.dropout,
      mid: this.mid,
      ...(this.clinical ? { clinical: this.clinical } : {}),
      ...(this.survivalPool !== 'avg' ? { survival_pool: this.survivalPool } : {}),
    };
  }

  private checkClinical(clinical: Tensor | undefined, n: number): void {
    if (this.clinical === 0) {
      if (clinical !== undefined) throw new MedsynthError('INVALID_ARGUMENT', 'this U-Net takes no clinical covariates (it was built with clinical 0)');
      return;
    }
    if (!clinical || clinical.ndim !== 2 || clinical.shape[0] !== n || clinical.shape[1] !== this.clinical) {
      throw new MedsynthError('INVALID_ARGUMENT', `U-Net expects clinical covariates [${n}, ${this.clinical}], got ${clinical ? formatShape(clinical.shape) : 'none'}`);
    }
  }

  /** The risk from the bottleneck (and the clinical covariates when the model has them). */
  private risk(bottom: Tensor, clinical: Tensor | undefined): Tensor {
    if (this.clinical === 0) return this.survival.forward(bottom);
    const layers = this.survival.layers;
    const hidden = layers.slice(0, -1).reduce((v, layer) => layer.forward(v), bottom);
    return layers[layers.length - 1].forward(concat([hidden, clinical!], 1));
  }

  private checkImage(x: Tensor): void {
    const ok = x.ndim === 4 && x.shape[1] === this.inChannels && x.shape[2] % 16 === 0 && x.shape[3] % 16 === 0 && x.shape[2] > 0 && x.shape[3] > 0;
    if (!ok) {
      throw new MedsynthError('INVALID_ARGUMENT', `U-Net expects input [N, ${this.inChannels}, H, W] with H and W multiples of 16, got ${formatShape(x.shape)}`);
    }
  }

  /** Both heads from one encoder pass; `clinical` [N, clinical] is required exactly when the model has clinical covariates. */
  forwardMultiTask(x: Tensor, clinical?: Tensor): UNetOutputs {
    this.checkImage(x);
    this.checkClinical(clinical, x.shape[0]);
    const b = this.blocks;
    const e1 = b.enc1.forward(x);
    const e2 = b.enc2.forward(this.pool.forward(e1));
    const e3 = b.enc3.forward(this.pool.forward(e2));
    const e4 = b.enc4.forward(this.pool.forward(e3));
    const bottom = b.bottleneck.forward(this.pool.forward(e4));
    let d = bottom;
    for (const [level, skip] of [[4, e4], [3, e3], [2, e2], [1, e1]] as const) {
      d = b[`dec${level}`].forward(concat([this.ups[`up${level}`].forward(d), skip], 1));
    }
    return { segmentation: sigmoid(this.segHead.forward(d)), risk: this.risk(bottom, clinical) };
  }

  /** The segmentation probability map (Module's single-output forward; the segmentation decoder never reads the covariates). */
  forward(x: Tensor): Tensor {
    this.checkImage(x);
    if (this.clinical === 0) return this.forwardMultiTask(x).segmentation;
    const zeros = Tensor.from(new Float32Array(x.shape[0] * this.clinical), [x.shape[0], this.clinical]);
    return this.forwardMultiTask(x, zeros).segmentation;
  }

  /**
   * The same computation as ONNX nodes: input `image` [batch, C, height, width] (and, with
   * clinical covariates, `clinical` [batch, clinical]); outputs `segmentation`, `risk`.
   */
  onnxGraph(g: GraphBuilder): void {
    const x = g.input('image', ['batch', this.inChannels, 'height', 'width']);
    const clinical = this.clinical ? g.input('clinical', ['batch', this.clinical]) : '';
    const b = this.blocks;
    const pool = (v: string) => emitLayer(g, this.pool, v);
    const e1 = emitLayer(g, b.enc1, x);
    const e2 = emitLayer(g, b.enc2, pool(e1));
    const e3 = emitLayer(g, b.enc3, pool(e2));
    const e4 = emitLayer(g, b.enc4, pool(e3));
    const bottom = emitLayer(g, b.bottleneck, pool(e4));
    let d = bottom;
    for (const [level, skip] of [[4, e4], [3, e3], [2, e2], [1, e1]] as const) {
      const up = emitLayer(g, this.ups[`up${level}`], d);
      d = emitLayer(g, b[`dec${level}`], g.node('Concat', [up, skip], { axis: int(1) }, { name: `cat${level}` }));
    }
    const seg = g.node('Sigmoid', [emitLayer(g, this.segHead, d)], {}, { name: 'seg_sigmoid' });
    g.output('segmentation', seg, ['batch', 1, 'height', 'width']);
    const layers = this.survival.layers;
    const hidden = layers.slice(1, -1).reduce((v, layer) => emitLayer(g, layer, v), this.emitSurvivalPool(g, bottom));
    const last = layers[layers.length - 1];
    const risk = this.clinical === 0 ? emitLayer(g, last, hidden) : emitLayer(g, last, g.node('Concat', [hidden, clinical], { axis: int(1) }, { name: 'survival_clinical_cat' }));
    g.output('risk', risk, ['batch', 1]);
  }

  /** The survival head's pooling of the bottleneck: GlobalAveragePool, GlobalMaxPool or both concatenated. */
  private emitSurvivalPool(g: GraphBuilder, bottom: string): string {
    const name = this.survival.layers[0].path(); // 'survival.0', as emitLayer names nodes
    if (this.survivalPool === 'avg') return g.node('GlobalAveragePool', [bottom], {}, { name });
    if (this.survivalPool === 'max') return g.node('GlobalMaxPool', [bottom], {}, { name });
    const avg = g.node('GlobalAveragePool', [bottom], {}, { name: `${name}.avg` });
    const max = g.node('GlobalMaxPool', [bottom], {}, { name: `${name}.max` });
    return g.node('Concat', [avg, max], { axis: int(1) }, { name });
  }
}
