import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { medsynth } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

describe('medsynth petct (CLI)', () => {
  const tmp = tempDir('medsynth-petct-cli-');
  afterAll(tmp.cleanup);

  it('is listed and has help', () => {
    expect(medsynth(['--help']).stdout).toMatch(/petct/);
    const help = medsynth(['petct', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--patients', '--out', '--2d', '--size', '--spacing', '--seed', '--censoring', '--follow-up', '--threads']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it.each([
    [['--patients', '0'], /patients/],
    [['--patients', 'x'], /patients/],
    [['--size', '16,24'], /size/],
    [['--size', '4,24,24'], /size/],
    [['--2d', '--size', '16,24,24'], /size/],
    [['--spacing', '1,0,1'], /spacing/],
    [['--censoring', '0.01'], /follow-up/],
    [['--pet-fwhm', '-1'], /pet-fwhm/],
    [['--gzip-level', '0'], /gzip-level/],
    [['--bogus'], /unknown option/],
  ])('refuses %j with one line, exit code 2, and writes nothing', (args, message) => {
    const out = path.join(tmp.dir, 'refused');
    const r = medsynth(['petct', '--out', out, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('needs --out', () => {
    const r = medsynth(['petct', '--patients', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });

  it('writes a cohort; the same seed gives the same bytes on 1 thread and on all', () => {
    const a = path.join(tmp.dir, 'a');
    const b = path.join(tmp.dir, 'b');
    const args = ['petct', '--patients', '3', '--size', '16,24,32', '--seed', '9'];
    const r = medsynth([...args, '--out', a]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout, r.stdout + r.stderr).toMatch(/wrote 3 patients/);
    const r2 = medsynth([...args, '--out', b, '--threads', '1']);
    expect(r2.status, r2.stderr).toBe(0);
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
    expect(files(a)).toEqual(files(b));
    expect(files(a)).toContain(path.join('patient_0002', 'preview.png'));
    for (const f of files(a)) expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), f).toBe(true);
  });

  it('writes 2D slices with --2d', () => {
    const out = path.join(tmp.dir, 'slices');
    const r = medsynth(['petct', '--2d', '--patients', '2', '--size', '64,64', '--no-preview', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout, r.stdout + r.stderr).toMatch(/2D slices 64×64/);
    expect(readdirSync(path.join(out, 'patient_0001')).sort()).toEqual(['ct.nii.gz', 'pet.nii.gz', 'seg.nii.gz', 'truth.json']);
  });
});
