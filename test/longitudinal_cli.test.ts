import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { openH5 } from '../lib/io/hdf5.js';
import { medsynth } from './helpers/cli.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';

const FILES = ['followup.csv', 'images.h5', 'latent_traversal.png', 'metadata.json', 'preview.png', 'subjects.csv'];

describe('medsynth longitudinal (CLI)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('is listed and prints its help', () => {
    expect(medsynth(['--help']).stdout).toMatch(/longitudinal\s+OCT-like/);
    const help = medsynth(['longitudinal', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--out', '--n', '--visits', '--times', '--explained-variance', '--dropout', '--model', '--traverse']) expect(help.stdout).toContain(flag);
  });

  it.each([
    [['--explained-variance', '1.5'], /--explained-variance must be <= 1/],
    [['--explained-variance', '-0.2'], /--explained-variance must be >= 0/],
    [['--visits', '0'], /--visits must be >= 1/],
    [['--times', '0,-1,2'], /--times must be non-negative/],
    [['--times', '0,2,1'], /increasing/],
    [['--interval', '-1'], /--interval/],
    [['--jitter', '0.3'], /jitter/],
    [['--dropout', 'sometimes'], /--dropout must be one of/],
    [['--model', 'linear'], /--model/],
    [['--size', '4,32'], /--size/],
    [['--traverse', '0,9'], /--traverse/],
    [['vae-train'], /training engine/],
  ])('refuses %j with one line, exit code 2, and writes nothing', (args, message) => {
    const out = path.join(tmp.dir, 'refused');
    const r = medsynth(['longitudinal', '--out', out, '--n', '3', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('writes images, long and wide CSVs, metadata and figures; the same seed gives the same bytes on 1 thread and on all', async () => {
    const a = path.join(tmp.dir, 'a');
    const b = path.join(tmp.dir, 'b');
    const args = ['--n', '40', '--visits', '5', '--size', '32,64', '--seed', '8', '--dropout', 'random', '--dropout-rate', '0.2', '--batch', '16'];
    const r = medsynth(['longitudinal', '--out', a, ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(a).sort()).toEqual(FILES);
    const r2 = medsynth(['longitudinal', '--out', b, ...args, '--threads', '1']);
    expect(r2.status, r2.stderr).toBe(0);
    // Every file but the HDF5 is byte-identical; HDF5 object headers carry creation times
    // (h5wasm has no track_times switch), so its datasets and attributes are compared instead.
    for (const f of FILES.filter((f) => f !== 'images.h5')) expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), f).toBe(true);
    const fa = await openH5(path.join(a, 'images.h5'));
    const fb = await openH5(path.join(b, 'images.h5'));
    try {
      for (const name of ['images', 'subject', 'z', 'theta', 'factors']) {
        const x = fa.get(name) as unknown as { value: ArrayBufferView; shape: number[] };
        const y = fb.get(name) as unknown as { value: ArrayBufferView; shape: number[] };
        expect(Buffer.from(x.value.buffer).equals(Buffer.from(y.value.buffer)), name).toBe(true);
      }
      expect((fa.get('images') as unknown as { shape: number[] }).shape).toEqual([40, 32, 64]);
      expect(fa.attrs['nlme'].value).toEqual(fb.attrs['nlme'].value);
    } finally {
      fa.close();
      fb.close();
    }

    // Long and wide CSVs agree: one long row per observed visit, times increase from 0.
    const wide = readFileSync(path.join(a, 'subjects.csv'), 'utf8').trim().split('\n');
    const long = readFileSync(path.join(a, 'followup.csv'), 'utf8').trim().split('\n');
    const header = wide[0].split(',');
    expect(header.slice(0, 12)).toEqual(['subject', 'z0', 'z1', 'z2', 'z3', 'z4', 'z5', 'z6', 'z7', 'theta1', 'theta2', 'g_theta1']);
    expect(long[0]).toBe('subject,visit,time,value,age');
    const observed = wide.slice(1).map((line) => Number(line.split(',')[header.indexOf('visits_observed')]));
    expect(long.length - 1).toBe(observed.reduce((x, y) => x + y, 0));
    expect(observed.some((k) => k < 5)).toBe(true);
    const rows = long.slice(1).map((l) => l.split(',').map(Number));
    for (const [subject, visit, time] of rows) {
      expect(time).toBeGreaterThanOrEqual(0);
      expect(visit).toBeLessThan(observed[subject]);
    }
    // θ = g + η in the wide truth.
    for (const line of wide.slice(1)) {
      const c = line.split(',').map(Number);
      const at = (n: string) => c[header.indexOf(n)];
      expect(at('theta1')).toBeCloseTo(at('g_theta1') + at('eta_theta1'), 10);
    }
    const meta = JSON.parse(readFileSync(path.join(a, 'metadata.json'), 'utf8'));
    expect(meta.nlme.trajectory).toMatch(/theta1\*exp/);
    expect(meta.nlme.explained_variance_R2).toBe(0.5);
    expect(meta.image_decoder.latent_factors).toHaveLength(8);

    // h5py reads the file and its z matches subjects.csv.
    const out = runPython(
      'import h5py, sys\nf = h5py.File(sys.argv[1], "r")\nprint(f["images"].shape, f["images"].dtype, f["theta"].attrs["columns"][0], repr(float(f["z"][3, 2])))',
      [path.join(a, 'images.h5')],
      ['h5py'],
    );
    expect(out.trim()).toBe(`(40, 32, 64) float32 theta1 ${wide[4].split(',')[3]}`);
  });
});
