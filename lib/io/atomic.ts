/**
 * Atomic file output: everything is written under a temporary name in the destination folder
 * and renamed over the final name only when complete, so a crash or a bad input never leaves a
 * half-written file under the name a user (or a reader) would open.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { MedsynthError } from '../errors.js';

/** A temporary path next to `finalPath` (same filesystem, so rename is atomic). */
export function temporaryPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
}

/**
 * Runs `write(tempPath)`, then renames the temp file to `finalPath`. On any error the temp file
 * is removed and the error rethrown; `finalPath` is untouched.
 */
export async function writeAtomically<T>(finalPath: string, write: (tempPath: string) => Promise<T> | T): Promise<T> {
  mkdirSync(path.dirname(finalPath), { recursive: true });
  const temp = temporaryPathFor(finalPath);
  try {
    const result = await write(temp);
    renameSync(temp, finalPath);
    return result;
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof MedsynthError) throw err;
    throw new MedsynthError('IO_ERROR', `writing ${finalPath} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Writes bytes or text to `finalPath` atomically. */
export function writeFileAtomicSync(finalPath: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(finalPath), { recursive: true });
  const temp = temporaryPathFor(finalPath);
  try {
    writeFileSync(temp, data);
    renameSync(temp, finalPath);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new MedsynthError('IO_ERROR', `writing ${finalPath} failed: ${(err as Error).message}`, { cause: err });
  }
}
