/**
 * Seed 000's `SimpleModel`, attribute for attribute, so its state dict keys are torch's:
 *
 *   cnn = Sequential(Conv2d(1, 8, 5, padding=2), ReLU(), MaxPool2d(2),
 *                    Conv2d(8, 16, 3, padding=1), ReLU(), AdaptiveAvgPool2d(1))
 *   tab = Sequential(Linear(n_tab, 32), ReLU(), Linear(32, 32), ReLU())
 *   fc  = Sequential(Linear(16 + 32, 32), ReLU(), Linear(32, 2))
 *   forward(x_img, x_tab) = fc(cat([cnn(x_img).flatten(1), tab(x_tab)], 1))
 *
 * Keys: cnn.0.weight, cnn.0.bias, cnn.3.weight, cnn.3.bias, tab.0.*, tab.2.*, fc.0.*, fc.2.*.
 */
import { MedsynthError } from '../errors.js';
import type { Architecture } from '../nn/checkpoint.js';
import { initialize } from '../nn/init.js';
import { AdaptiveAvgPool2d, Conv2d, Linear, MaxPool2d, ReLU, Sequential } from '../nn/layers/index.js';
import { Module } from '../nn/module.js';
import { concat, flatten } from '../nn/ops/shape.js';
import { formatShape, type Tensor } from '../nn/tensor.js';
import { int, type GraphBuilder } from '../onnx/graph.js';
import { emitLayer } from '../onnx/layers.js';

export const CLINICAL_CLASSIFIER_NAME = 'SimpleModel';

export class ClinicalClassifier extends Module {
  readonly cnn: Sequential;
  readonly tab: Sequential;
  readonly fc: Sequential;

  constructor(
    readonly nTab: number,
    { seed = 0 }: { seed?: number } = {},
  ) {
    super();
    if (!Number.isInteger(nTab) || nTab < 1) throw new MedsynthError('INVALID_ARGUMENT', `SimpleModel needs n_tab >= 1 tabular columns, got ${nTab}`);
    this.cnn = this.registerModule(
      'cnn',
      new Sequential(new Conv2d(1, 8, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2), new Conv2d(8, 16, 3, { padding: 1 }), new ReLU(), new AdaptiveAvgPool2d(1)),
    );
    this.tab = this.registerModule('tab', new Sequential(new Linear(nTab, 32), new ReLU(), new Linear(32, 32), new ReLU()));
    this.fc = this.registerModule('fc', new Sequential(new Linear(16 + 32, 32), new ReLU(), new Linear(32, 2)));
    initialize(this, seed);
  }

  override get typeName(): string {
    return CLINICAL_CLASSIFIER_NAME;
  }

  architecture(): Architecture {
    return { name: CLINICAL_CLASSIFIER_NAME, n_tab: this.nTab };
  }

  /** xImg: [N, 1, H, W], xTab: [N, n_tab] → logits [N, 2]. */
  forward(xImg: Tensor, xTab: Tensor): Tensor {
    if (xImg.ndim !== 4 || xTab.ndim !== 2 || xImg.shape[0] !== xTab.shape[0]) {
      throw new MedsynthError(
        'INVALID_ARGUMENT',
        `SimpleModel expects x_img [N, 1, H, W] and x_tab [N, ${this.nTab}] with the same N, got ${formatShape(xImg.shape)} and ${formatShape(xTab.shape)}`,
      );
    }
    const vi = flatten(this.cnn.forward(xImg), 1);
    const vt = this.tab.forward(xTab);
    return this.fc.forward(concat([vi, vt], 1));
  }

  /** The forward pass as ONNX nodes: inputs `x_img` [batch, 1, height, width], `x_tab` [batch, n_tab]; output `logits` [batch, 2]. */
  onnxGraph(g: GraphBuilder): void {
    const img = g.input('x_img', ['batch', 1, 'height', 'width']);
    const tab = g.input('x_tab', ['batch', this.nTab]);
    const vi = g.node('Flatten', [emitLayer(g, this.cnn, img)], { axis: int(1) }, { name: 'flatten' });
    const cat = g.node('Concat', [vi, emitLayer(g, this.tab, tab)], { axis: int(1) }, { name: 'concat' });
    g.output('logits', emitLayer(g, this.fc, cat), ['batch', 2]);
  }
}
