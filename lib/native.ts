/**
 * Loads the native addon: a prebuilt binary for this platform first, a local build second, and
 * an error that lists why each candidate failed and what to do when none loads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { MedsynthError } from './errors.js';

const require = createRequire(import.meta.url);

/** The package root: the nearest folder above this file whose package.json names medsynth. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'medsynth') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new MedsynthError('ADDON_NOT_FOUND', 'cannot find the medsynth package root');
    dir = parent;
  }
}

/** Candidate binaries in load order. MEDSYNTH_ADDON names one explicitly (development builds). */
export function addonCandidates(root: string): string[] {
  const candidates: string[] = [];
  if (process.env.MEDSYNTH_ADDON) candidates.push(path.resolve(process.env.MEDSYNTH_ADDON));
  const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (existsSync(prebuildDir)) {
    for (const file of readdirSync(prebuildDir).sort()) {
      if (file.endsWith('.node')) candidates.push(path.join(prebuildDir, file));
    }
  }
  candidates.push(path.join(root, 'build', 'Release', 'medsynth.node'));
  return candidates;
}

let loaded: { addon: unknown; file: string } | undefined;

/**
 * Loads the first candidate that exists and loads; otherwise throws ADDON_NOT_FOUND listing why
 * each candidate failed and what to do.
 */
export function loadFirstAddon(candidates: readonly string[], root: string): { addon: unknown; file: string } {
  const failures: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      failures.push(`  ${path.relative(root, file) || file}: not present`);
      continue;
    }
    try {
      return { addon: require(file), file };
    } catch (err) {
      failures.push(`  ${path.relative(root, file)}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new MedsynthError(
    'ADDON_NOT_FOUND',
    [
      `medsynth's native addon could not be loaded for ${process.platform}-${process.arch} (node ${process.version}).`,
      'Tried:',
      ...failures,
      'Possible fixes:',
      `  - build it from source: (cd ${root} && npm run build:native)   [needs cmake and a C++17 compiler]`,
      '  - reinstall so the install script picks a prebuilt binary or builds one: npm install medsynth',
      '  - a prebuilt binary needs glibc >= 2.34 on Linux',
    ].join('\n'),
  );
}

function load(): { addon: unknown; file: string } {
  if (loaded) return loaded;
  const root = packageRoot();
  const found = loadFirstAddon(addonCandidates(root), root);
  loaded = { addon: withMedsynthErrors(found.addon as Record<string, unknown>), file: found.file };
  return loaded;
}

/**
 * The addon's functions, each wrapped so that an argument error it throws synchronously (before
 * any Promise exists) is a MedsynthError too, as a rejection is after callNative.
 */
function withMedsynthErrors(addon: Record<string, unknown>): Record<string, unknown> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(addon)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (err) {
        throw MedsynthError.fromNative(err);
      }
    };
  }
  return wrapped;
}

/**
 * The loaded addon as `T`. lib/ calls it through `binding()` (lib/binding.ts, the one typed
 * declaration of the native surface); tests use this directly to hand it deliberately bad input.
 */
export function nativeAddon<T>(): T {
  return load().addon as T;
}

/** Path of the binary that was loaded (for diagnostics and benchmarks). */
export function addonPath(): string {
  return load().file;
}

/** Awaits a native Promise, turning its rejection into a MedsynthError. */
export async function callNative<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw MedsynthError.fromNative(err);
  }
}

/** Runs a synchronous native call, turning a thrown error into a MedsynthError. */
export function callNativeSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw MedsynthError.fromNative(err);
  }
}
