import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { openDataset } from '../lib/datasets/reader.js';
import { medsynth } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

describe('medsynth generate (CLI)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('prints its version and help', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(medsynth(['--version']).stdout.trim()).toBe(`medsynth ${pkg.version}`);
    expect(medsynth(['generate', '--version']).stdout.trim()).toBe(`medsynth ${pkg.version}`);
    const help = medsynth(['generate', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--image-size', '--total-samples', '--output-dir', '--validation-split', '--test-split', '--position-noise',
      '--size-noise', '--intensity-noise', '--skip-generation', '--skip-visualization', '--skip-training-test', '--verbose', '--seed',
      '--threads', '--masks', '--dtype', '--compression']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it.each([
    [['--validation-split', '0.7', '--test-split', '0.3'], /below 1/],
    [['--total-samples', '-5'], /total-samples/],
    [['--total-samples', '2.5'], /integer/],
    [['--image-size', '64,64'], /image-size/],
    [['--image-size', '64,x,64'], /image-size/],
    [['--position-noise', 'NaN'], /position-noise/],
    [['--masks', 'all'], /masks/],
    [['--compression', 'lzf'], /compression/],
    [['--bogus'], /unknown option/],
  ])('refuses %j with one line, exit code 2, and writes nothing', (args, message) => {
    const out = path.join(tmp.dir, 'refused');
    const r = medsynth(['generate', '--output-dir', out, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('generates, previews and read-tests a small dataset; same seed twice (1 thread vs all) gives the same bytes', async () => {
    const a = path.join(tmp.dir, 'a');
    const b = path.join(tmp.dir, 'b');
    const common = ['--image-size', '16,32,32', '--total-samples', '6', '--seed', '9'];
    const r = medsynth(['generate', ...common, '--output-dir', a, '--verbose']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/training-loop read test: 4 samples/);
    expect(readdirSync(a).sort()).toEqual(['metadata.json', 'preview_train_0000.png', 'test.h5', 'train.h5', 'val.h5']);
    const png = readFileSync(path.join(a, 'preview_train_0000.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const r2 = medsynth(['generate', ...common, '--output-dir', b, '--threads', '1', '--skip-visualization', '--skip-training-test']);
    expect(r2.status, r2.stderr).toBe(0);
    for (const split of ['train', 'val', 'test'] as const) {
      const da = await openDataset(a, { split });
      const db = await openDataset(b, { split });
      expect(db.length).toBe(da.length);
      for (let i = 0; i < da.length; i++) {
        const x = da.get(i);
        const y = db.get(i);
        expect(Buffer.from(x.image.buffer).equals(Buffer.from(y.image.buffer))).toBe(true);
        expect(Buffer.from(x.masks!.buffer).equals(Buffer.from(y.masks!.buffer))).toBe(true);
      }
      da.close();
      db.close();
    }
    const skip = medsynth(['generate', '--output-dir', a, '--skip-generation', '--skip-visualization']);
    expect(skip.status, skip.stderr).toBe(0);
    expect(skip.stdout).toMatch(/samples\/s/);
    const p = medsynth(['preview', a, '--index', '2', '--split', 'train']);
    expect(p.status, p.stderr).toBe(0);
    expect(existsSync(path.join(a, 'preview_train_0002.png'))).toBe(true);
  });
});
