import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { writeLongitudinalDataset } from '../lib/generators/longitudinal/dataset.js';
import { NlmeModel } from '../lib/generators/longitudinal/nlme.js';
import { openH5, type H5Dataset } from '../lib/io/hdf5.js';
import { loadVaeDecoder } from '../lib/models/vae_decoder.js';
import { trainVae } from '../lib/models/vae_training.js';
import { readSafetensors } from '../lib/nn/safetensors.js';
import { medsynth } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

describe('medsynth longitudinal vae-train (CLI)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const data = path.join(tmp.dir, 'data');

  it('prints its help', () => {
    const help = medsynth(['longitudinal', 'vae-train', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--data', '--out', '--epochs', '--batch-size', '--lr', '--latent-dim', '--seed']) expect(help.stdout).toContain(flag);
  });

  it.each([
    [[], /--data DIR is required/],
    [['--data', '/nonexistent'], /images\.h5 does not exist/],
    [['--data', 'DATA', '--epochs', '0'], /--epochs must be >= 1/],
    [['--data', 'DATA', '--latent-dim', '0'], /--latent-dim/],
    [['--data', 'DATA', '--lr', '-1'], /--lr/],
  ])('refuses %j with one line and writes nothing', (args, message) => {
    if (!existsSync(data)) expect(medsynth(['longitudinal', '--out', data, '--n', '30', '--size', '32,64', '--seed', '2', '--skip-preview']).status).toBe(0);
    const out = path.join(tmp.dir, 'refused');
    const r = medsynth(['longitudinal', 'vae-train', '--out', out, ...args.map((a) => (a === 'DATA' ? data : a))]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('trains on a longitudinal output and writes the model, log and figures; same seed → same weights on 1 and 2 threads', async () => {
    if (!existsSync(data)) expect(medsynth(['longitudinal', '--out', data, '--n', '30', '--size', '32,64', '--seed', '2', '--skip-preview']).status).toBe(0);
    const runs = ['a', 'b'].map((k) => {
      const out = path.join(tmp.dir, k);
      const r = medsynth(['longitudinal', 'vae-train', '--data', data, '--out', out, '--epochs', '2', '--batch-size', '8', '--latent-dim', '4', '--seed', '3', '--threads', k === 'a' ? '1' : '2']);
      expect(r.status, r.stderr).toBe(0);
      return out;
    });
    const [a, b] = runs;
    for (const f of ['model.safetensors', 'training_log.csv', 'reconstructions.png', 'latent_traversal.png', 'vae_summary.json']) expect(existsSync(path.join(a, f)), f).toBe(true);
    const log = readFileSync(path.join(a, 'training_log.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('epoch,train_reconstruction,train_kl,train_elbo,val_reconstruction,val_kl,val_elbo,val_pixel_mse,seconds');
    expect(log).toHaveLength(3);
    for (const row of log.slice(1)) for (const v of row.split(',')) expect(Number.isFinite(Number(v))).toBe(true);
    const st = readSafetensors(path.join(a, 'model.safetensors'));
    expect([...st.tensors.keys()]).toContain('fc_mu.weight');
    expect(st.tensors.get('fc_mu.weight')!.shape).toEqual([4, 128 * 2 * 4]) // 16·2³ channels at 32/16 × 64/16;
    const summary = JSON.parse(readFileSync(path.join(a, 'vae_summary.json'), 'utf8'));
    expect(Object.keys(summary.true_z_r2)).toHaveLength(8);
    expect(summary.traversal_dims).toHaveLength(4);
    // The weights match bit for bit on 1 and 2 threads (the header differs only by the epoch times).
    const sb = readSafetensors(path.join(b, 'model.safetensors'));
    for (const [name, t] of st.tensors) expect(Buffer.from(sb.tensors.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);

    // The learned decoder loads from the file and drives the dataset writer behind LatentImageDecoder.
    const decoder = loadVaeDecoder(path.join(a, 'model.safetensors'));
    expect([decoder.latentDim, decoder.height, decoder.width]).toEqual([4, 32, 64]);
    const nlme = new NlmeModel({ seed: 1, visits: 2 });
    expect(() => loadVaeDecoder(path.join(data, 'images.h5'))).toThrow();
    const learned = path.join(tmp.dir, 'learned');
    await writeLongitudinalDataset(nlme, decoder, { outputDir: learned, n: 4, preview: false, traversalDims: null });
    const file = await openH5(path.join(learned, 'images.h5'));
    const images = Float32Array.from((file.get('images') as H5Dataset).value as ArrayLike<number>);
    file.close();
    expect(images.length).toBe(4 * 32 * 64);
    expect(images.every(Number.isFinite)).toBe(true);
  });

  it('stops when asked (the SIGINT flag of the worker) and still writes the epochs it completed', async () => {
    if (!existsSync(data)) expect(medsynth(['longitudinal', '--out', data, '--n', '30', '--size', '32,64', '--seed', '2', '--skip-preview']).status).toBe(0);
    let checks = 0;
    const out = path.join(tmp.dir, 'stopped');
    // 24 train images in batches of 8: stop at the third step of epoch 1.
    const r = await trainVae({ data, out, epochs: 5, batchSize: 8, lr: 1e-3, latentDim: 2, beta: 1, seed: 1 }, () => undefined, () => checks++ >= 2);
    expect(r.interrupted).toBe(true);
    expect(r.rows).toHaveLength(1);
    expect(readFileSync(path.join(out, 'training_log.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
