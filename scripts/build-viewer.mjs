/**
 * Builds the `medsynth view` page into dist/viewer/: index.html and viewer.css copied from
 * viewer/, and viewer.js, one ES-module bundle of viewer/main.ts with NiiVue and its npm
 * dependencies inside (esbuild), so the page loads nothing from a CDN and works offline.
 * Runs as part of `npm run build:ts` and `prepare`; esbuild is a dev dependency.
 * `node scripts/build-viewer.mjs [OUTDIR]` builds into OUTDIR instead (the tests do).
 * THIRD-PARTY-LICENSES.txt beside the bundle names every npm package inside it with its licence.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'viewer');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'viewer'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [path.join(src, 'main.ts')],
  outfile: path.join(out, 'viewer.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'linked', // NiiVue's and its dependencies' licence texts, in viewer.js.LEGAL.txt
  logLevel: 'warning',
  metafile: true,
});
for (const file of ['index.html', 'viewer.css']) copyFileSync(path.join(src, file), path.join(out, file));

/** The npm packages esbuild put into the bundle, with their licence texts (or licence names). */
function thirdPartyNotices(inputs) {
  const packages = new Map();
  for (const file of Object.keys(inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.split(path.sep).join('/'));
    if (m) packages.set(m[1], path.join(root, file.slice(0, m.index + m[0].length)));
  }
  return [...packages.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const licenseFile = existsSync(dir) ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f)) : undefined;
    const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : `(no licence file in the package; package.json says: ${manifest.license ?? 'unknown'})`;
    return `${name} ${manifest.version} — ${manifest.license ?? 'unknown'}\n${manifest.homepage ?? ''}\n\n${text}\n`;
  }).join('\n' + '-'.repeat(78) + '\n\n');
}
writeFileSync(path.join(out, 'THIRD-PARTY-LICENSES.txt'), `Packages bundled into viewer.js\n\n${thirdPartyNotices(result.metafile.inputs)}`);
