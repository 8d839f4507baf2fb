/**
 * Runs a Python snippet with Debian's python3 (where python3-h5py and python3-nibabel install),
 * not whatever python3 comes first on PATH. .ci/run installs the packages; a machine without
 * them fails these tests with a message that says how to install them.
 */
import { execFileSync } from 'node:child_process';

import { CHILD_TIMEOUT_MS } from './cli.js';

const PYTHON = '/usr/bin/python3';

export function runPython(code: string, args: string[] = [], modules: string[] = []): string {
  for (const m of modules) {
    try {
      execFileSync(PYTHON, ['-c', `import ${m}`], { stdio: 'pipe', timeout: CHILD_TIMEOUT_MS });
    } catch {
      throw new Error(`${PYTHON} cannot import ${m}: apt-get install -y python3-${m} (as .ci/run does)`);
    }
  }
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS });
}
