/**
 * The U-Net training step of issue 12's speed target, built from the engine's modules: the same
 * network as bench/unet_torch.py — 4 levels, base 32, batch norm, 2 input channels,
 * ConvTranspose up-sampling, a 1×1 segmentation head (BCE with logits) and a survival head
 * (global average pool of the bottleneck, Linear, Cox partial likelihood with Breslow ties) —
 * trained with Adam (lr 1e-3). Run as a script it times `steps` steps after 2 warm-up steps and
 * prints JSON {step_ms, steps, peak_rss_mb, base_rss_mb} (peak: the process's high-water RSS),
 * so the suite can compare peak memory with PyTorch's process measured the same way:
 *     node dist/bench/unet_step.js '{"batch": 8, "size": 128, "base": 32, "steps": 3}'
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Rng } from '../lib/core/philox.js';
import { withArena } from '../lib/nn/arena.js';
import { backward } from '../lib/nn/autograd.js';
import { initialize } from '../lib/nn/init.js';
import { BatchNorm2d, Conv2d, ConvTranspose2d, Linear, MaxPool2d, ReLU, Sequential } from '../lib/nn/layers/index.js';
import { Module } from '../lib/nn/module.js';
import { bceWithLogits, coxLoss } from '../lib/nn/ops/loss.js';
import { add } from '../lib/nn/ops/pointwise.js';
import { mean } from '../lib/nn/ops/reduce.js';
import { concat } from '../lib/nn/ops/shape.js';
import { Adam } from '../lib/nn/optim/index.js';
import { Tensor } from '../lib/nn/tensor.js';

function block(cin: number, cout: number): Sequential {
  return new Sequential(
    new Conv2d(cin, cout, 3, { padding: 1, bias: false }), new BatchNorm2d(cout), new ReLU(),
    new Conv2d(cout, cout, 3, { padding: 1, bias: false }), new BatchNorm2d(cout), new ReLU(),
  );
}

export class UNet extends Module {
  private readonly down: Sequential[];
  private readonly up: ConvTranspose2d[];
  private readonly dec: Sequential[];
  private readonly pool = new MaxPool2d(2);
  private readonly seg: Conv2d;
  private readonly risk: Linear;

  constructor(inChannels = 2, base = 32, levels = 4) {
    super();
    const widths = Array.from({ length: levels }, (_, i) => base * 2 ** i);
    this.down = widths.map((w, i) => this.registerModule(`down.${i}`, block(i === 0 ? inChannels : widths[i - 1], w)));
    const upWidths = widths.slice(0, -1).reverse();
    this.up = upWidths.map((w, i) => this.registerModule(`up.${i}`, new ConvTranspose2d(w * 2, w, 2, { stride: 2 })));
    this.dec = upWidths.map((w, i) => this.registerModule(`dec.${i}`, block(w * 2, w)));
    this.seg = this.registerModule('seg', new Conv2d(base, 1, 1));
    this.risk = this.registerModule('risk', new Linear(widths[levels - 1], 1));
  }

  /** Segmentation logits [N, 1, H, W] and risk scores [N, 1]. */
  run(input: Tensor): { seg: Tensor; risk: Tensor } {
    const skips: Tensor[] = [];
    let x = input;
    this.down.forEach((blk, i) => {
      x = blk.forward(x);
      if (i < this.down.length - 1) {
        skips.push(x);
        x = this.pool.forward(x);
      }
    });
    const risk = this.risk.forward(mean(x, [2, 3]));
    this.up.forEach((up, i) => {
      x = this.dec[i].forward(concat([up.forward(x), skips.pop()!], 1));
    });
    return { seg: this.seg.forward(x), risk };
  }

  forward(input: Tensor): Tensor {
    return this.run(input).seg;
  }
}

export interface UNetStepSpec {
  batch: number;
  size: number;
  base: number;
}

/** A model, its optimizer and one fixed batch; `step()` runs one training step. */
export function unetTraining({ batch, size, base }: UNetStepSpec): { step: () => number } {
  const model = new UNet(2, base);
  initialize(model, 0);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const rng = new Rng(1, 0, 0);
  const x = new Tensor(Float32Array.from({ length: batch * 2 * size * size }, () => rng.normal()), [batch, 2, size, size]);
  const mask = new Tensor(Float32Array.from({ length: batch * size * size }, () => (rng.uniform() < 0.1 ? 1 : 0)), [batch, 1, size, size]);
  const time = Float32Array.from({ length: batch }, () => rng.uniform() * 10);
  const event = Uint8Array.from({ length: batch }, () => (rng.uniform() < 0.7 ? 1 : 0));
  const step = () =>
    withArena(() => {
      const { seg, risk } = model.run(x);
      const loss = add(bceWithLogits(seg, mask), coxLoss(risk, time, event, { ties: 'breslow' }));
      optimizer.zeroGrad();
      backward(loss);
      optimizer.step();
      optimizer.zeroGrad();
      return loss.item();
    });
  return { step };
}

function rssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as UNetStepSpec & { steps?: number };
  const baseRss = rssMb();
  const { step } = unetTraining({ batch: spec.batch ?? 8, size: spec.size ?? 128, base: spec.base ?? 32 });
  step();
  step();
  const steps = spec.steps ?? 3;
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const stepMs = (performance.now() - start) / steps;
  const peak = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ step_ms: stepMs, steps, peak_rss_mb: peak, base_rss_mb: baseRss }) + '\n');
}
