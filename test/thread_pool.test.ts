// The addon's thread pool under resizes between async jobs. A pool bug here does not fail a
// test, it hangs the process (and every later test with it), so the stress runs in a child
// process that is killed if it does not finish.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers/cli.js';

const STRESS = `
import { setThreads, getThreads, segmentationMetrics, gaussianBlur } from ${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'index.js'))};
const n = 20000;
const prob = Float32Array.from({ length: 2 * n }, (_, i) => (i * 0.618) % 1);
const target = Uint8Array.from(prob, (p) => (p > 0.7 ? 1 : 0));
const volume = new Float32Array(8 * 32 * 32).fill(1);
const first = JSON.stringify(await segmentationMetrics(prob, target, [2, n]));
for (let i = 0; i < 1500; i++) {
  setThreads(1 + (i % 3));
  if (getThreads() !== 1 + (i % 3)) throw new Error('setThreads did not take');
  const [a, b] = await Promise.all([
    segmentationMetrics(prob, target, [2, n]),
    gaussianBlur(volume, [8, 32, 32], { sigma: 1 }),
    segmentationMetrics(prob, target, [2, n]),
  ]);
  if (JSON.stringify(a) !== first) throw new Error('result changed with the thread count');
}
console.log('ok');
`;

describe('thread pool', () => {
  it('survives resizes between and during async jobs without hanging or changing results', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', STRESS], { encoding: 'utf8', timeout: 30_000 });
    expect(r.error?.message ?? r.stderr, 'the stress run hung or crashed').toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });
});
