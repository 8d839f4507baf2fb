/**
 * torch.nn.Sequential: children named '0', '1', … (so state dict keys read `cnn.0.weight`),
 * applied in order. An error inside a child names the child by its path from the root model.
 */
import { MedsynthError } from '../../errors.js';
import { Module } from '../module.js';
import type { Tensor } from '../tensor.js';

export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: Tensor): Tensor {
    let out = x;
    this.layers.forEach((layer, i) => {
      try {
        out = layer.forward(out);
      } catch (err) {
        // Name the failing layer once, by its path from the root model ('tab.0 (Linear): …').
        if (err instanceof MedsynthError && err.code === 'INVALID_ARGUMENT' && !err.message.startsWith('layer ')) {
          throw new MedsynthError(err.code, `layer ${layer.path() || i} (${layer.typeName}): ${err.message}`, { cause: err });
        }
        throw err;
      }
    });
    return out;
  }
}
