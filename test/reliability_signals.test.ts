// Issue 11: Ctrl-C and kill. SIGINT/SIGTERM during a run stop it cleanly: exit 130/143, no
// staging directory, temp file or lock left, a message saying what was kept, and the previous
// dataset (if any) untouched.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateDataset } from '../lib/index.js';
import { BIN } from './helpers/cli.js';
import { inspectDataset, leftovers } from './helpers/dataset_state.js';
import { tempDir } from './helpers/tmp.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('medsynth-signals-');
});
afterAll(() => tmp.cleanup());

/** Starts the CLI, waits until its staging directory holds a file, sends `signal`, returns how it ended. */
async function interrupt(argv: string[], dir: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sawStaging: boolean }> {
  const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.resume();
  const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let sawStaging = false;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const staging = existsSync(dir) ? readdirSync(dir).find((n) => n.startsWith('.medsynth-staging-')) : undefined;
    if (staging && readdirSync(path.join(dir, staging)).length > 0) {
      sawStaging = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  return { code: await ended, stderr, sawStaging };
}

describe('signals', () => {
  const generateArgs = (dir: string) => ['generate', '--image-size', '32,48,48', '--total-samples', '400', '--output-dir', dir, '--seed', '2',
    '--skip-training-test', '--skip-visualization', '--threads', '1'];

  it('SIGINT during generate: exit 130, no temp files, the previous dataset kept', async () => {
    const dir = path.join(tmp.dir, 'int');
    await generateDataset({ outputDir: dir, imageSize: [16, 16, 16], totalSamples: 4, seed: 1 });
    const r = await interrupt(generateArgs(dir), dir, 'SIGINT');
    expect(r.sawStaging).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted by SIGINT: stopped, temporary files removed; .* was left as it was/);
    expect(leftovers(dir)).toEqual([]);
    expect(await inspectDataset(dir)).toEqual({ complete: true, seed: 1 });
  });

  it('SIGTERM during generate into a new directory: exit 143, nothing left that looks like a dataset', async () => {
    const dir = path.join(tmp.dir, 'term');
    const r = await interrupt(generateArgs(dir), dir, 'SIGTERM');
    expect(r.code, r.stderr).toBe(143);
    expect(leftovers(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('SIGINT during petct (no AbortSignal there): exit 130, staging directory removed', async () => {
    const dir = path.join(tmp.dir, 'petct');
    const r = await interrupt(['petct', '--out', dir, '--patients', '200', '--size', '48,64,64', '--no-preview', '--threads', '1'], dir, 'SIGINT');
    expect(r.sawStaging).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted by SIGINT; temporary files removed/);
    expect(leftovers(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
