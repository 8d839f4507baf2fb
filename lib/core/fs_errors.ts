/**
 * Filesystem failures as MedsynthError: one line naming what was being done, the path and the
 * reason in words, with a stable code a caller can branch on (the errno stays in the message and
 * the original error in `cause`, shown by the CLI only with --verbose).
 */
import { statfsSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError, type MedsynthErrorCode } from '../errors.js';

const BY_ERRNO: Record<string, { code: MedsynthErrorCode; words: string }> = {
  ENOSPC: { code: 'INSUFFICIENT_DISK', words: 'no space left on the device' },
  EDQUOT: { code: 'INSUFFICIENT_DISK', words: 'disk quota exceeded' },
  EFBIG: { code: 'INSUFFICIENT_DISK', words: 'file too large for this filesystem' },
  EACCES: { code: 'PERMISSION_DENIED', words: 'permission denied' },
  EPERM: { code: 'PERMISSION_DENIED', words: 'operation not permitted' },
  EROFS: { code: 'READ_ONLY_FILESYSTEM', words: 'the filesystem is read-only' },
  ENOTDIR: { code: 'NOT_A_DIRECTORY', words: 'a part of the path is not a directory' },
  EISDIR: { code: 'OUTPUT_EXISTS', words: 'a directory is in the way' },
  ENAMETOOLONG: { code: 'NAME_TOO_LONG', words: 'the name is too long' },
  EEXIST: { code: 'OUTPUT_EXISTS', words: 'something already exists there' },
  ENOTEMPTY: { code: 'OUTPUT_EXISTS', words: 'a non-empty directory is in the way' },
  ELOOP: { code: 'IO_ERROR', words: 'too many levels of symbolic links' },
  ENOENT: { code: 'IO_ERROR', words: 'no such file or directory' },
  EMFILE: { code: 'IO_ERROR', words: 'too many open files' },
  EIO: { code: 'IO_ERROR', words: 'input/output error' },
  ENXIO: { code: 'IO_ERROR', words: 'no such device' },
  EINVAL: { code: 'IO_ERROR', words: 'not supported here' },
};

/** The errno name of a Node fs error ('ENOSPC'), or undefined. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('E') ? code : undefined;
}

/** `doing` is a phrase such as "cannot create directory"; the result reads "<doing> <path>: <reason> (ERRNO)". */
export function fsError(err: unknown, doing: string, target: string): MedsynthError {
  if (err instanceof MedsynthError) return err;
  const errno = errnoOf(err);
  const known = errno ? BY_ERRNO[errno] : undefined;
  const reason = known ? `${known.words} (${errno})` : firstLine(err);
  return new MedsynthError(known?.code ?? 'IO_ERROR', `${doing} ${target}: ${reason}`, { cause: err });
}

/**
 * A write that failed inside a library that hides errno (h5wasm reports "could not write"): if
 * the filesystem is (nearly) full, say so with INSUFFICIENT_DISK instead of a generic IO_ERROR.
 * Errors that are not about writing (an abort, a caller's callback throwing) pass unchanged.
 */
export function writeFailure(err: unknown, target: string): unknown {
  if (err instanceof MedsynthError && err.code !== 'IO_ERROR') return err;
  if (errnoOf(err)) return fsError(err, 'writing', target);
  const free = freeBytes(path.dirname(target));
  if (free !== undefined && free < 1 << 20) {
    return new MedsynthError('INSUFFICIENT_DISK', `writing ${target}: no space left on the device (${free} bytes free)`, { cause: err });
  }
  return err;
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

function firstLine(err: unknown): string {
  const text = typeof err === 'string' ? err : (err as Error)?.message ?? String(err);
  return text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? 'unknown error';
}
