import { readFileSync } from 'node:fs';
import path from 'node:path';

import { packageRoot } from './native.js';

let cached: string | undefined;

/** The package version from package.json. */
export function medsynthVersion(): string {
  cached ??= JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version as string;
  return cached;
}
