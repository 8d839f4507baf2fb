import { describe, expect, it } from 'vitest';

import { ConvVae, gaussianKl, vaeLoss } from '../lib/models/conv_vae.js';
import { VaeDecoder } from '../lib/models/vae_decoder.js';
import { regressionR2 } from '../lib/models/vae_training.js';
import { Rng } from '../lib/core/philox.js';
import { backward } from '../lib/nn/autograd.js';
import { noGrad } from '../lib/nn/autograd.js';
import { Tensor } from '../lib/nn/tensor.js';

const H = 16, W = 32;

function images(n: number, seed: number): Tensor {
  const rng = new Rng(seed, 0, 1);
  return Tensor.from(Array.from({ length: n * H * W }, () => rng.uniform()), [n, 1, H, W]);
}

function randn(n: number, seed: number, sd = 1): Float64Array {
  const rng = new Rng(seed, 0, 2);
  return Float64Array.from({ length: n }, () => rng.normal(0, sd));
}

describe('ConvVae', () => {
  const model = () => new ConvVae({ height: H, width: W, latentDim: 3, channels: 4, blocks: 2, seed: 5 });

  it('has torch-style parameter names and the documented shapes', () => {
    const m = model();
    const names = m.namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'encoder.0.weight', 'encoder.0.bias', 'encoder.2.weight', 'encoder.2.bias',
      'fc_mu.weight', 'fc_mu.bias', 'fc_logvar.weight', 'fc_logvar.bias', 'fc_dec.weight', 'fc_dec.bias',
      'decoder.1.weight', 'decoder.1.bias', 'decoder.3.weight', 'decoder.3.bias',
    ]);
    const shapes = Object.fromEntries(m.namedParameters().map(([n, t]) => [n, t.shape]));
    expect(shapes['encoder.2.weight']).toEqual([8, 4, 4, 4]);
    expect(shapes['fc_mu.weight']).toEqual([3, 8 * 4 * 8]);
    expect(shapes['decoder.1.weight']).toEqual([8, 4, 4, 4]); // ConvTranspose: [Cin, Cout, k, k]
    const out = m.run(images(5, 1), { seed: 1, step: 0 });
    expect(out.logits.shape).toEqual([5, 1, H, W]);
    expect(out.mu.shape).toEqual([5, 3]);
    expect(out.logvar.shape).toEqual([5, 3]);
    expect(out.z.shape).toEqual([5, 3]);
    expect(() => m.run(Tensor.zeros([2, 1, H, W + 1]), null)).toThrow(/ConvVAE expects x \[N, 1, 16, 32\]/);
    expect(() => new ConvVae({ height: 20, width: 32, blocks: 3 })).toThrow(/divisible by 2\^blocks = 8/);
  });

  it('computes KL(N(mu, sigma^2) || N(0, I)) as the float64 formula', () => {
    const mu = randn(12, 3);
    const lv = randn(12, 4, 0.7);
    let ref = 0;
    for (let i = 0; i < 12; i++) ref += -0.5 * (1 + lv[i] - mu[i] ** 2 - Math.exp(lv[i]));
    ref /= 4; // 4 rows of 3: mean over the batch
    const kl = gaussianKl(Tensor.from(mu, [4, 3]), Tensor.from(lv, [4, 3])).item();
    expect(kl).toBeCloseTo(ref, 5);
    expect(Math.abs(gaussianKl(Tensor.zeros([2, 3]), Tensor.zeros([2, 3])).item())).toBe(0);
  });

  it('the loss gradient matches central finite differences for a few parameters', () => {
    const m = model();
    const x = images(3, 7);
    const noise = { seed: 9, step: 4 };
    const loss = () => vaeLoss(m.run(x, noise), x, 0.5).loss;
    const l = loss();
    backward(l);
    const params = Object.fromEntries(m.namedParameters());
    for (const [name, idx] of [['encoder.0.weight', 5], ['encoder.2.bias', 1], ['fc_logvar.weight', 7], ['fc_mu.bias', 2], ['fc_dec.weight', 11], ['decoder.3.weight', 3], ['decoder.1.bias', 0]] as const) {
      const p = params[name];
      const analytic = p.grad!.data[idx];
      const h = 1e-2;
      const v = p.data[idx];
      const at = (d: number) => {
        p.data[idx] = v + d;
        const r = noGrad(() => loss().item());
        p.data[idx] = v;
        return r;
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(analytic - numeric), `${name}[${idx}]: ${analytic} vs ${numeric}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('is deterministic in (seed, step): same noise → same bytes; another step → another z', () => {
    const x = images(2, 3);
    const a = model().run(x, { seed: 1, step: 2 });
    const b = model().run(x, { seed: 1, step: 2 });
    const c = model().run(x, { seed: 1, step: 3 });
    expect(Buffer.from(a.logits.data.buffer).equals(Buffer.from(b.logits.data.buffer))).toBe(true);
    expect(Array.from(a.z.data)).toEqual(Array.from(b.z.data));
    expect(Array.from(a.z.data)).not.toEqual(Array.from(c.z.data));
    // eval (noise null) takes z = mu
    const e = model().run(x, null);
    expect(Array.from(e.z.data)).toEqual(Array.from(e.mu.data));
  });

  it('VaeDecoder decodes latent rows into the data scale behind LatentImageDecoder', async () => {
    const dec = new VaeDecoder(model(), { lo: -1, hi: 3 });
    expect([dec.latentDim, dec.height, dec.width]).toEqual([3, H, W]);
    const { images: img, factors } = await dec.decode(new Float64Array(6), [0, 1]);
    expect(img.length).toBe(2 * H * W);
    expect(factors.length).toBe(0);
    for (const v of img) expect(v > -1 && v < 3).toBe(true);
    expect(Array.from(img.subarray(0, H * W))).toEqual(Array.from(img.subarray(H * W))); // same z → same image
    await expect(dec.decode(new Float64Array(5), [0, 1])).rejects.toThrow(/z/);
  });
});

describe('regressionR2', () => {
  it('recovers a known linear relation out of sample and gives ~0 for noise', () => {
    const n = 200;
    const x = randn(n * 2, 11);
    const e = randn(n, 12, 0.5);
    const y = new Float64Array(n * 2);
    const noise = randn(n, 13);
    for (let i = 0; i < n; i++) {
      y[i * 2] = 1 + 2 * x[i * 2] - x[i * 2 + 1] + e[i];
      y[i * 2 + 1] = noise[i];
    }
    const fit = Array.from({ length: 150 }, (_, i) => i);
    const test = Array.from({ length: 50 }, (_, i) => 150 + i);
    const [r1, r2] = regressionR2(x, 2, y, 2, fit, test);
    // true R2 = 5 / (5 + 0.25) = 0.952
    expect(r1).toBeGreaterThan(0.9);
    expect(r2).toBeLessThan(0.1);
  });
});
