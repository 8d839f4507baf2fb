import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { generateNoduleDataset } from '../../lib/generators/nodules/dataset.js';
import { GanNoduleSource } from '../../lib/models/nodule_gan_run.js';
import { NoduleGenerator } from '../../lib/models/nodule_wgan.js';
import { medsynth } from '../helpers/cli.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

describe('medsynth nodules gan-train / gan-sample', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('trains a tiny WGAN-GP, logs every epoch, checkpoints, and samples HDF5 nodules from the checkpoint', () => {
    const out = path.join(tmp.dir, 'gan');
    const train = medsynth(['nodules', 'gan-train', '--out', out, '--size', '8', '--width', '0.03125', '--n', '80', '--epochs', '2', '--checkpoint-every', '2', '--eval-every', '1', '--threads', '1']);
    expect(train.stderr).toBe('');
    expect(train.status).toBe(0);
    const log = readFileSync(path.join(out, 'gan_log.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('epoch,seconds,critic_loss,generator_loss,gp,wasserstein,fd,fd_lower95,fd_upper95,fd_real_vs_real,fd_empty_samples');
    expect(log.length).toBe(3);
    const [epoch, , critic, generator, gp] = log[2].split(',').map(Number);
    expect(epoch).toBe(2);
    for (const v of [critic, generator, gp]) expect(Number.isFinite(v)).toBe(true);
    for (const f of ['generator_epoch2.safetensors', 'critic_epoch2.safetensors', 'generator_epoch2.optim.safetensors', 'samples.png', 'real.png']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(existsSync(path.join(out, 'generator_epoch1.safetensors'))).toBe(false);

    const sampled = path.join(tmp.dir, 'sampled');
    const sample = medsynth(['nodules', 'gan-sample', '--checkpoint', path.join(out, 'generator_epoch2.safetensors'), '--out', sampled, '--n', '3']);
    expect(sample.stderr).toBe('');
    expect(sample.status).toBe(0);
    const summary = JSON.parse(
      runPython(
        `import sys, json, h5py
f = h5py.File(sys.argv[1], 'r')
im = f['images'][:]
print(json.dumps({'shape': list(im.shape), 'lo': float(im.min()), 'hi': float(im.max()), 'malignant': f['malignant'][:].tolist(), 'masks': list(f['masks'].shape), 'maskIsThreshold': bool(((im > -400) == (f['masks'][:] == 1)).all())}))`,
        [path.join(sampled, 'nodules.h5')],
        ['h5py'],
      ),
    );
    expect(summary.shape).toEqual([3, 8, 8, 8]);
    expect(summary.masks).toEqual([3, 8, 8, 8]);
    expect(summary.malignant).toEqual([1, 1, 1]);
    expect(summary.maskIsThreshold).toBe(true);
    expect(summary.lo).toBeGreaterThanOrEqual(-1000);
    expect(summary.hi).toBeLessThanOrEqual(400);

    expect(medsynth(['nodules', 'gan-train', '--out', out, '--size', '48']).stderr).toMatch(/--size must be 8, 16, 32 or 64/);
    expect(medsynth(['nodules', 'gan-sample', '--checkpoint', path.join(out, 'critic_epoch2.safetensors'), '--out', sampled]).stderr).toMatch(/not a NoduleGenerator/);
  });
});

describe('GanNoduleSource', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('plugs into the balanced dataset writer as an extra source of malignant nodules', async () => {
    const gan = new GanNoduleSource(new NoduleGenerator({ size: 8, width: 1 / 64 }, { seed: 1 }), 3, [6.4, 6.4, 6.4]);
    const first = await gan.sample(0);
    expect(first.malignant).toBe(true);
    expect(first.patch.image).toEqual((await gan.sample(0)).patch.image);
    const result = await generateNoduleDataset({
      n: 30, outputDir: path.join(tmp.dir, 'balanced'), patchSize: [8, 8, 8], preview: false,
      balance: { procedural: 0.5, 'wgan-gp': 0.5 }, sources: { 'wgan-gp': gan },
    });
    expect(result.malignant * 2).toBe(result.count);
    const sources = JSON.parse(runPython(
      `import sys, json, h5py
f = h5py.File(sys.argv[1], 'r')
print(json.dumps([json.loads(p)['entry']['source'] for p in f['params_json'][:].astype(str)]))`,
      [path.join(tmp.dir, 'balanced', 'nodules.h5')], ['h5py'],
    )) as string[];
    expect(sources).toContain('wgan-gp');
  });
});
