/**
 * Mapping a request path onto a file under the viewer's root, refusing anything that leaves it.
 *
 * The raw path is split on '/' before any decoding, and each segment is percent-decoded on its
 * own: a segment that decodes to '.', '..', or contains '/', '\' or NUL is refused outright (so
 * `..`, `%2e%2e`, `..%2f..` and `%5c` all fail the same way). The joined path is then resolved,
 * and — following symbolic links with realpath — must still lie inside the root's real path: a
 * link inside the dataset that points outside it is refused too.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** Why a path was refused; the server answers 403 for 'outside' and 404 for 'missing'. */
export type PathRefusal = 'outside' | 'missing';

export type ResolvedPath = { ok: true; file: string } | { ok: false; why: PathRefusal };

/** Decodes one URL path segment; null when it is not valid percent-encoding or names no file. */
export function decodeSegment(raw: string): string | null {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s)) return null;
  return s;
}

/** True when `file` is `root` itself or lies below it (both absolute, normalised). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The real path of `rawRelative` (a '/'-separated, still percent-encoded URL tail) under the
 * directory `rootReal` (already a real path), or why not.
 */
export function resolveInside(rootReal: string, rawRelative: string): ResolvedPath {
  const segments = rawRelative.split('/').filter((s) => s !== '');
  const decoded = segments.map(decodeSegment);
  if (decoded.length === 0 || decoded.some((s) => s === null)) return { ok: false, why: 'outside' };
  const joined = path.resolve(rootReal, ...(decoded as string[]));
  if (!isInside(rootReal, joined)) return { ok: false, why: 'outside' };
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    return { ok: false, why: 'missing' };
  }
  return isInside(rootReal, real) ? { ok: true, file: real } : { ok: false, why: 'outside' };
}
