/**
 * One writer per output directory. A run creates `<dir>/.medsynth.lock` exclusively (O_EXCL) and
 * removes it when it ends; a second run finds it and stops with OUTPUT_LOCKED instead of both
 * "succeeding" with one dataset lost. A lock left by a killed run names a process that no longer
 * exists on this host and is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { MedsynthError } from '../errors.js';
import { errnoOf, fsError } from './fs_errors.js';

export const LOCK_NAME = '.medsynth.lock';

export interface OutputLock {
  readonly file: string;
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
}

/** True when `pid` names a live process on this machine (EPERM: alive, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host } : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as stale below
  }
}

/** Takes the lock on `dir` (which must exist) or throws OUTPUT_LOCKED naming the holder. */
export function acquireOutputLock(dir: string): OutputLock {
  const file = path.join(dir, LOCK_NAME);
  const owner: LockOwner = { pid: process.pid, host: os.hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw fsError(err, 'cannot create the lock file', file);
      const holder = readOwner(file);
      const live = holder !== undefined && (holder.host !== owner.host || processAlive(holder.pid));
      if (live && holder) {
        throw new MedsynthError(
          'OUTPUT_LOCKED',
          `${dir} is being written by another medsynth run (pid ${holder.pid} on ${holder.host}); ` +
            `wait for it, choose another directory, or remove ${file} if that run is gone`,
        );
      }
      rmSync(file, { force: true }); // left by a run that was killed
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(owner) + '\n');
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        const holder = readOwner(file);
        if (holder?.pid === owner.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new MedsynthError('OUTPUT_LOCKED', `cannot take the lock ${file}: another run keeps recreating it`);
}
