/**
 * Builds the `medsynth view` page into dist/viewer/: index.html and viewer.css copied from
 * viewer/, and viewer.js, one ES-module bundle of viewer/main.ts with NiiVue and its npm
 * dependencies inside (esbuild), so the page loads nothing from a CDN and works offline.
 * Runs as part of `npm run build:ts` and `prepare`; esbuild is a dev dependency.
 * `node scripts/build-viewer.mjs [OUTDIR]` builds into OUTDIR instead (the tests do).
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'viewer');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'viewer'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(src, 'main.ts')],
  outfile: path.join(out, 'viewer.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'linked', // NiiVue's and its dependencies' licence texts, in viewer.js.LEGAL.txt
  logLevel: 'warning',
});
for (const file of ['index.html', 'viewer.css']) copyFileSync(path.join(src, file), path.join(out, file));
