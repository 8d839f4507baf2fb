// `medsynth bench`: it runs from an installed package (the npm tarball, unpacked, with its
// dependencies and a built addon where an install puts them), --json is the machine block and
// finite ratios, --suite selects, and an unknown suite is a one-line usage error. No timing is
// asserted: speed claims are the benchmark's output, not a test's.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { medsynth, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

/** What a --json document holds (lib/bench/format.ts). */
interface BenchJson {
  machine: Record<string, unknown>;
  suites: Array<{ name: string; skipped?: string; rows: Array<{ case: string; ms: Record<string, number>; ratios: Record<string, number> }> }>;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Packs the package as `npm publish` would and unpacks it; returns the package folder and its file list. */
function packAndUnpack(dir: string): { pkg: string; files: string[] } {
  // dist/ is already compiled (global setup); --ignore-scripts skips `prepare` compiling it again.
  const packed = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(packed.status, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const untar = spawnSync('tar', ['-xzf', path.join(dir, info.filename), '-C', dir], { encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  return { pkg: path.join(dir, 'package'), files: info.files.map((f) => f.path) };
}

describe('medsynth bench', () => {
  const tmp = tempDir('medsynth-bench-');
  afterAll(() => tmp.cleanup());

  it('runs --quick --json from an installed package, not only a clone', () => {
    const { pkg, files } = packAndUnpack(tmp.dir);
    // Shipped: the CLI, the suites, the references they time and the optional PyTorch step; not the repository's bench.
    for (const f of ['bin/medsynth.js', 'dist/lib/cli/bench.js', 'dist/lib/bench/suites/generate.js', 'dist/lib/reference/volume_sample.js', 'bench/nn_train_torch.py']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('dist/bench/') || f.startsWith('dist/test/'))).toBe(false);
    // What `npm install` leaves: the dependencies beside the package and the addon scripts/install.mjs
    // builds (cmake-js compile → build/Release) when no prebuilt binary loads.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    if (!existsSync(path.join(pkg, 'prebuilds'))) {
      mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
      copyFileSync(path.join(ROOT, 'build', 'Release', 'medsynth.node'), path.join(pkg, 'build', 'Release', 'medsynth.node'));
    }
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
    delete env.MEDSYNTH_ADDON; // the package's own loader finds the addon
    const r = spawnSync(process.execPath, [path.join(pkg, 'bin', 'medsynth.js'), 'bench', '--quick', '--json'], {
      cwd: tmp.dir,
      encoding: 'utf8',
      env,
      timeout: 60_000, // the "under a minute"
    });
    expect(r.error?.message, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);

    const doc = JSON.parse(r.stdout) as BenchJson;
    for (const key of ['cpu', 'simd', 'logicalCores', 'nativeThreads', 'memoryGiB', 'loadAverage']) expect(doc.machine).toHaveProperty(key);
    expect(doc.machine.gpu !== null || typeof doc.machine.gpuReason === 'string').toBe(true);
    expect(doc.suites.map((s) => s.name)).toEqual(['generate', 'kernels', 'train', 'int8', 'devices']);
    const ratios = doc.suites.flatMap((s) => s.rows.flatMap((row) => Object.values(row.ratios)));
    expect(ratios.length).toBeGreaterThan(10);
    for (const v of ratios) expect(Number.isFinite(v) && v > 0).toBe(true);
    // Each suite that ran measured something; a skipped one says why.
    for (const s of doc.suites) expect(s.skipped !== undefined || s.rows.length > 0, s.name).toBe(true);
    // generate: against the seed's published time and, at 64×64×32, the plain TS path.
    const small = doc.suites[0].rows[0];
    expect(Object.keys(small.ratios)).toEqual(expect.arrayContaining(['seed 001 / native', 'reference / native']));
  }, 240_000);

  it('--suite runs only the suites named, in the listed order', () => {
    const r = medsynth(['bench', '--quick', '--json', '--suite', 'int8,devices']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as BenchJson;
    expect(doc.suites.map((s) => s.name)).toEqual(['int8', 'devices']);
    const [int8] = doc.suites;
    expect(int8.rows.length).toBeGreaterThan(0);
    expect(int8.rows[0].ratios['FP32 / native']).toBeGreaterThan(0);
  }, 120_000);

  it('an unknown suite is a one-line usage error', () => {
    const r = medsynth(['bench', '--suite', 'kernels,nope']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^medsynth: error: unknown suite 'nope' \(suites: generate, kernels, train, int8, devices\)$/)]);
  });
});
