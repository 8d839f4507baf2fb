// The README is the front door: its set-up command, its CLI examples and its API example must
// work as written (run here at small sizes by appending overrides; later flags win).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { CHILD_TIMEOUT_MS, medsynth, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = (lang: string) => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
const SMALL = ['--total-samples', '8', '--image-size', '12,24,24'];

function splitArgs(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

describe('README', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('has the two set-up commands', () => {
    const bash = blocks('bash');
    expect(bash[0]).toMatch(/^npm install && npx medsynth generate /);
    expect(bash[1].trim()).toBe('npm test');
  });

  it('main command and CLI examples run as written (at small sizes)', () => {
    const lines = blocks('bash')
      .flatMap((b) => b.split('\n'))
      .map((l) => l.replace(/^npm install && /, '').trim())
      .filter((l) => l.startsWith('npx medsynth '));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const args = splitArgs(line).slice(2);
      const extra = args[0] === 'generate' ? SMALL : [];
      const r = medsynth([...args, ...extra], tmp.dir);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    expect(readdirSync(path.join(tmp.dir, 'medical_dataset'))).toContain('preview_train_0000.png');
  }, 240_000); // every CLI line of the README in turn (bench --quick alone is ~17 s)

  it('the API example runs as written', () => {
    const [example] = blocks('ts');
    const script = example.replace("from 'medsynth'", `from '${path.join(ROOT, 'dist', 'lib', 'index.js')}'`);
    const file = path.join(tmp.dir, 'api_example.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { cwd: tmp.dir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/20\/20/);
  });
});
