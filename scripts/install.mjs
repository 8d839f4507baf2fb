// npm install hook: use a prebuilt binary when one loads on this machine, else build from source.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function prebuildLoads() {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!existsSync(dir)) return false;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.node'))) {
    try {
      require(path.join(dir, file));
      console.log(`medsynth: using prebuilt binary ${path.relative(root, path.join(dir, file))}`);
      return true;
    } catch (err) {
      console.log(`medsynth: prebuilt ${file} does not load here (${err.message.split('\n')[0]}); building from source`);
    }
  }
  return false;
}

if (process.env.MEDSYNTH_FORCE_BUILD !== '1' && prebuildLoads()) process.exit(0);

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(
    'medsynth: building the native addon failed. It needs cmake >= 3.18 and a C++17 compiler ' +
      '(on Debian: apt-get install cmake g++). CUDA is optional.',
  );
  process.exit(result.status ?? 1);
}
