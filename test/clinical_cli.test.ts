import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { runCli } from '../lib/cli/main.js';
import { ClinicalSynth } from '../lib/generators/clinical2d/index.js';
import { medsynth } from './helpers/cli.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';

describe('medsynth clinical (CLI)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('is listed and prints its help', () => {
    expect(medsynth(['--help']).stdout).toMatch(/clinical\s+2D image/);
    const help = medsynth(['clinical', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--n', '--size', '--seed', '--out', '--splits', '--config', '--batch', '--gzip', '--threads']) expect(help.stdout).toContain(flag);
  });

  it.each([
    [['--size', '4,32'], /H/],
    [['--size', '32'], /--size/],
    [['--n', '-1'], /--n/],
    [['--n', '2.5'], /integer/],
    [['--seed', 'x'], /--seed/],
    [['--gzip', '12'], /--gzip/],
    [['--splits', '10,5'], /--splits/],
    [['--bogus'], /unknown option/],
  ])('refuses %j with one line, exit code 2, and writes nothing', async (args, message) => {
    const out = path.join(tmp.dir, 'refused');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['clinical', '--out', out, ...args])).toBe(2);
      const text = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(text).toMatch(message);
    } finally {
      stderr.mockRestore();
    }
    expect(existsSync(out)).toBe(false);
  });

  it('refuses from the real entry point the same way', () => {
    const out = path.join(tmp.dir, 'refused-bin');
    const r = medsynth(['clinical', '--out', out, '--size', '4,32']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an invalid config file before writing', async () => {
    const cfg = path.join(tmp.dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ eta_fn: 1.5 }));
    const out = path.join(tmp.dir, 'refused-config');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['clinical', '--out', out, '--config', cfg])).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/eta_fn/);
      writeFileSync(cfg, '{ not json');
      expect(await runCli(['clinical', '--out', out, '--config', cfg])).toBe(2);
      expect(await runCli(['clinical', '--out', out, '--config', path.join(tmp.dir, 'missing.json')])).toBe(2);
    } finally {
      stderr.mockRestore();
    }
    expect(existsSync(out)).toBe(false);
  });

  it('writes HDF5 (images, tabular, y, truth/), CSV, PNG and metadata that match the API', async () => {
    const out = path.join(tmp.dir, 'ds');
    const cfg = path.join(tmp.dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ a0: -1, seed: 5, H: 16 }));
    const r = medsynth(['clinical', '--n', '40', '--size', '24,32', '--seed', '7', '--out', out, '--config', cfg, '--batch', '16']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/prevalence z/);
    expect(readdirSync(out).sort()).toEqual(['clinical.csv', 'clinical.h5', 'examples.png', 'metadata.json']);
    expect(readFileSync(path.join(out, 'examples.png')).subarray(1, 4).toString()).toBe('PNG');

    // Flags override the config file; the rest of the file applies.
    const api = await new ClinicalSynth({ a0: -1, seed: 7, H: 24, W: 32 }).sampleRange(0, 40);
    const csv = readFileSync(path.join(out, 'clinical.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(['index', ...api.columns, 'y'].join(','));
    expect(csv).toHaveLength(41);
    const row7 = csv[8].split(',').map(Number);
    expect(row7[0]).toBe(7);
    expect(row7.at(-1)).toBe(api.y[7]);
    api.columns.forEach((_, k) => expect(Math.fround(row7[k + 1])).toBe(api.tabular[7 * api.columns.length + k]));

    const meta = JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'));
    expect(meta.config).toMatchObject({ a0: -1, seed: 7, H: 24, W: 32 });
    expect(meta.files.clinical.n).toBe(40);

    const py = runPython(
      `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
t = f['truth']
print(json.dumps({
  'keys': sorted(f.keys()), 'truth': sorted(t.keys()),
  'images': list(f['images'].shape), 'dtype': str(f['images'].dtype), 'tabular': list(f['tabular'].shape),
  'columns': [str(c) for c in f['tabular'].attrs['columns']],
  'y': f['y'][:].tolist(), 'z': t['z'][:].tolist(), 'scanner_names': [str(s) for s in t['scanner'].attrs['scanner_names']],
  'size7': (lambda v: None if v != v else v)(float(t['size'][7])), 'age7': float(t['age'][7]), 'pix': float(f['images'][7, 5, 9]),
  'format': f.attrs['format'], 'config': json.loads(f.attrs['config'])['a0'], 'oracle_n': json.loads(f.attrs['oracle'])['n'],
}))
`,
      [path.join(out, 'clinical.h5')],
      ['h5py'],
    );
    const h = JSON.parse(py);
    expect(h.keys).toEqual(['images', 'sample_index', 'tabular', 'truth', 'y']);
    expect(h.truth).toEqual(['age', 'contrast', 'density', 'elongation', 'lesion_x', 'lesion_y', 'orientation', 'pz', 'region_contrast', 'region_size', 'risk', 'scanner', 'size', 'z'].sort());
    expect(h.images).toEqual([40, 24, 32]);
    expect(h.dtype).toBe('float32');
    expect(h.tabular).toEqual([40, 5]);
    expect(h.columns).toEqual(api.columns);
    expect(h.y).toEqual([...api.y]);
    expect(h.z).toEqual([...api.truth.z]);
    expect(h.scanner_names).toEqual(['A', 'B', 'C']);
    expect(h.age7).toBe(api.truth.age[7]);
    if (api.truth.z[7]) expect(h.size7).toBe(api.truth.size[7]);
    else expect(h.size7).toBeNull(); // NaN in the file
    expect(h.pix).toBe(api.images[7 * 24 * 32 + 5 * 32 + 9]);
    expect(h.format).toBe('medsynth-clinical2d');
    expect(h.config).toBe(-1);
    expect(h.oracle_n).toBe(40);
  });

  it('writes train/val/test with the split seeds', () => {
    const out = path.join(tmp.dir, 'splits');
    const r = medsynth(['clinical', '--splits', '6,3,2', '--size', '16,16', '--out', out, '--skip-preview', '--skip-csv']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['metadata.json', 'test.h5', 'train.h5', 'val.h5']);
    const meta = JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'));
    expect([meta.files.train.seed, meta.files.val.seed, meta.files.test.seed]).toEqual([123, 456, 789]);
    expect([meta.files.train.n, meta.files.val.n, meta.files.test.n]).toEqual([6, 3, 2]);
  });
});
