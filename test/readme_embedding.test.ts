// The README's "Embedding" section runs as written: each of its ts blocks is a script run
// against the compiled package (dist/), in a temporary directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { CHILD_TIMEOUT_MS, ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Embedding\n'), readme.indexOf('\n## ', readme.indexOf('\n## Embedding\n') + 1));
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

function run(dir: string, name: string, code: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, code.replace("from 'medsynth'", `from '${path.join(ROOT, 'dist', 'lib', 'index.js')}'`));
  const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('README: Embedding', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('has the streaming example and the worker_threads example', () => {
    expect(section).toMatch(/Ownership/);
    expect(blocks).toHaveLength(2);
  });

  it('the streaming example runs as written', () => {
    const out = run(tmp.dir, 'embedding_stream.mjs', blocks[0]);
    expect(out).toMatch(/^\d+ organs in 20 samples$/m);
    expect(out).toMatch(/^patient 1: [1-3] lesion\(s\)$/m);
    expect(out).toMatch(/^50 clinical rows$/m);
    const epochs = [...out.matchAll(/^epoch (\d): ([\d ]+)$/gm)].map((m) => m[2].split(' ').map(Number));
    expect(epochs).toHaveLength(2);
    expect([...epochs[0]].sort((a, b) => a - b)).toEqual([...epochs[1]].sort((a, b) => a - b));
    expect(epochs[0]).not.toEqual(epochs[1]);
  });

  it('the worker_threads example runs as written', () => {
    expect(run(tmp.dir, 'embedding_workers.mjs', blocks[1])).toMatch(/^10 \+ 10 samples from 2 workers sharing \d+ native threads$/m);
  });
});
