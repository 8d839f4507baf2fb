import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { addonCandidates, addonPath, loadFirstAddon, packageRoot } from '../lib/native.js';
import { buildInfo } from '../lib/core/threads.js';
import { tempDir } from './helpers/tmp.js';

describe('addon loader', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const root = packageRoot();

  it('tries a prebuilt binary before the local build', () => {
    const saved = process.env.MEDSYNTH_ADDON;
    delete process.env.MEDSYNTH_ADDON;
    try {
      const candidates = addonCandidates(root);
      expect(candidates.at(-1)).toBe(path.join(root, 'build', 'Release', 'medsynth.node'));
      const prebuilds = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
      if (existsSync(prebuilds)) {
        const files = readdirSync(prebuilds).filter((f) => f.endsWith('.node'));
        expect(candidates.slice(0, files.length)).toEqual(files.sort().map((f) => path.join(prebuilds, f)));
      }
    } finally {
      if (saved !== undefined) process.env.MEDSYNTH_ADDON = saved;
    }
  });

  it('loads a binary: the prebuilt one when prebuilds exist (CI builds them with npm run prebuilds)', () => {
    const file = addonPath();
    expect(existsSync(file)).toBe(true);
    expect(['avx512', 'avx2', 'baseline']).toContain(buildInfo().simd);
    const prebuilds = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    if (!process.env.MEDSYNTH_ADDON && existsSync(prebuilds) && readdirSync(prebuilds).some((f) => f.endsWith('.node'))) {
      expect(file.startsWith(prebuilds)).toBe(true);
    }
  });

  it('explains what failed and what to do when nothing loads', () => {
    const broken = path.join(tmp.dir, 'broken.node');
    writeFileSync(broken, 'not a shared object');
    let error: unknown;
    try {
      loadFirstAddon([path.join(tmp.dir, 'missing.node'), broken], tmp.dir);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'ADDON_NOT_FOUND' });
    const message = (error as Error).message;
    expect(message).toMatch(/missing\.node: not present/);
    expect(message).toMatch(/broken\.node: /);
    expect(message).toMatch(/npm run build:native/);
  });
});
