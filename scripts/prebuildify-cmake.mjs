#!/usr/bin/env node
// prebuildify has no cmake-js backend: it runs this in place of node-gyp with node-gyp's
// arguments (`rebuild --target=… --devdir=… --arch=… --release`). cmake-js would misread them,
// so they are dropped: the addon is Node-API (one binary for every Node version) and is built
// for the host architecture.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'rebuild'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
