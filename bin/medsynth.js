#!/usr/bin/env node
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/lib/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('medsynth: dist/ is missing; run `npm run build` in the package folder first.');
  process.exit(1);
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
