// The CLI and README tests run the compiled package (bin/medsynth.js → dist/): compile the
// TypeScript once before any test so they do not exercise stale output. A compile error is
// reported here and then fails those tests, while unrelated tests still run.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) process.stderr.write(`global setup: tsc failed; CLI tests will use stale dist/\n${r.stdout}${r.stderr}\n`);
}
