import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'medsynth-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Mounts a tmpfs of `size` (e.g. '8m') at a new directory `name` under `parent`: its path and an
 * unmount, or the reason it cannot be mounted here (not root, no mount namespace).
 */
export function mountTmpfs(parent: string, name: string, size: string): { dir: string; unmount: () => void } | { error: string } {
  const dir = path.join(parent, name);
  mkdirSync(dir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) return { error: (mounted.stderr || mounted.error?.message || '').trim() };
  return { dir, unmount: () => void spawnSync('umount', [dir]) };
}
