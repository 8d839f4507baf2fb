import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'medsynth.js');

/** A child that has not finished by then is killed, so a hang fails its test instead of the run. */
export const CHILD_TIMEOUT_MS = 120_000;

/** Runs the real `medsynth` entry point in a child process. */
export function medsynth(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: CHILD_TIMEOUT_MS,
  });
  const killed = r.error ? `\n${r.error.message}` : r.signal ? `\nkilled by ${r.signal}` : '';
  return { status: r.status, stdout: r.stdout, stderr: r.stderr + killed };
}
