/**
 * Dataset-level atomicity. A run writes every file into a staging directory inside the output
 * directory (same filesystem, so renames are atomic) while the previous dataset, if any, stays
 * complete. Only when everything is written does it commit: remove the old metadata.json (from
 * then on no reader takes the directory for a dataset), rename the new files into place, remove
 * what is left of the old dataset, and write the new metadata.json last, with the byte size of
 * every file it lists. metadata.json is the completion marker every reader requires, so after a
 * SIGKILL, ENOSPC or crash at any point the directory holds the complete previous dataset, the
 * complete new one, or something every reader refuses (INCOMPLETE_DATASET) — never a mixture
 * that looks finished. A lock file keeps a second writer out; staging directories and temp files
 * of killed runs are removed by the next run, which reports them.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { acquireOutputLock, processAlive, type OutputLock } from '../core/output_lock.js';
import { onTerminationCleanup } from '../core/signals.js';
import { faultPoint } from '../core/fault_points.js';
import { errnoOf, fsError } from '../core/fs_errors.js';
import { MedsynthError } from '../errors.js';

export const METADATA_NAME = 'metadata.json';
const STAGING_PREFIX = '.medsynth-staging-';
/** writeAtomically's temp files: `.<name>.<pid>.<8 hex>.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const STAGING_DIR = /^\.medsynth-staging-(\d+)-[0-9a-f]+$/;

/**
 * mkdir -p without Node's recursive mkdir (which can spin on paths such as /proc/x): one
 * mkdir per missing component, each error mapped to a coded one-line MedsynthError.
 */
export function ensureDirectory(dir: string): void {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let p = absolute; ; p = path.dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'ENOENT' && isDanglingLink(p)) {
        throw new MedsynthError('NOT_A_DIRECTORY', `${p} is a symbolic link to a missing target`, { cause: err });
      }
      if (errno !== 'ENOENT') throw fsError(err, 'cannot use', p);
      missing.push(p);
      if (path.dirname(p) === p) break;
      continue;
    }
    if (!isDir) throw new MedsynthError('NOT_A_DIRECTORY', `${p} exists and is not a directory`);
    break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (err) {
      if (errnoOf(err) === 'EEXIST' && statSync(p, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw fsError(err, 'cannot create directory', p);
    }
  }
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export interface StaleCleanup {
  /** Paths removed (staging directories and temp files of runs that no longer exist). */
  removed: string[];
  bytes: number;
}

/** Removes the staging directories and temp files that killed runs left in `dir`. */
export function removeStaleTemporaries(dir: string): StaleCleanup {
  const result: StaleCleanup = { removed: [], bytes: 0 };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return result;
  }
  for (const name of names) {
    const m = STAGING_DIR.exec(name) ?? TEMP_FILE.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    const p = path.join(dir, name);
    result.bytes += sizeOf(p);
    rmSync(p, { recursive: true, force: true });
    result.removed.push(p);
  }
  return result;
}

function sizeOf(p: string): number {
  try {
    const s = lstatSync(p);
    if (!s.isDirectory()) return s.size;
    return readdirSync(p).reduce((sum, n) => sum + sizeOf(path.join(p, n)), 0);
  } catch {
    return 0;
  }
}

export interface DatasetStageOptions {
  /**
   * Top-level names this run writes (files or directories), metadata.json excluded. Each is
   * checked before any work: something that is not a regular file under that name is refused
   * rather than replaced. (Staged directories replace same-named directories on commit.)
   */
  outputs: readonly string[];
  /** Names an older dataset of this kind may hold that this run does not write (removed on commit). */
  replaces?: readonly string[];
}

export interface DatasetStage {
  /** The final output directory. */
  readonly outputDir: string;
  /** The staging directory the run writes into. */
  readonly dir: string;
  /** What removeStaleTemporaries found from earlier killed runs. */
  readonly stale: StaleCleanup;
  /** Where to write `name` now (inside the staging directory). */
  path(name: string): string;
  /**
   * Moves everything staged into the output directory and writes `metadata` (with `file_bytes`,
   * the size of each top-level file, added) as metadata.json last. Returns the final paths.
   */
  commit(metadata: Record<string, unknown>): string[];
  /** Removes the staging directory and the lock; the output directory is as it was. */
  abort(): void;
}

/** Creates the output directory if needed, takes its lock and opens a staging directory in it. */
export function beginDatasetStage(outputDir: string, options: DatasetStageOptions): DatasetStage {
  ensureDirectory(outputDir);
  const lock = acquireOutputLock(outputDir);
  try {
    const stale = removeStaleTemporaries(outputDir);
    for (const name of [...options.outputs, METADATA_NAME]) refuseNonRegular(outputDir, name);
    const dir = path.join(outputDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(dir);
    } catch (err) {
      throw fsError(err, 'cannot write in', outputDir);
    }
    return new Stage(outputDir, dir, stale, lock, options);
  } catch (err) {
    lock.release();
    throw err;
  }
}

function refuseNonRegular(outputDir: string, name: string): void {
  const p = path.join(outputDir, name);
  let s;
  try {
    s = lstatSync(p);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    throw fsError(err, 'cannot inspect', p);
  }
  if (!s.isFile()) throw new MedsynthError('OUTPUT_EXISTS', `${p} exists and is not a regular file; refusing to replace it`);
}

class Stage implements DatasetStage {
  private done = false;
  /** A SIGINT/SIGTERM that ends the process removes the staging directory and the lock. */
  private readonly unregister = onTerminationCleanup(() => this.abort());

  constructor(
    readonly outputDir: string,
    readonly dir: string,
    readonly stale: StaleCleanup,
    private readonly lock: OutputLock,
    private readonly options: DatasetStageOptions,
  ) {}

  path(name: string): string {
    return path.join(this.dir, name);
  }

  commit(metadata: Record<string, unknown>): string[] {
    if (this.done) throw new MedsynthError('IO_ERROR', `the staged dataset for ${this.outputDir} was already committed or aborted`);
    const finalPaths: string[] = [];
    try {
      const staged = readdirSync(this.dir).sort();
      const fileBytes: Record<string, number> = {};
      const directories = new Set<string>();
      for (const name of staged) {
        const s = lstatSync(path.join(this.dir, name));
        if (s.isFile()) fileBytes[name] = s.size;
        else if (s.isDirectory()) directories.add(name);
      }
      const metaText = JSON.stringify({ ...metadata, file_bytes: fileBytes }, null, 2) + '\n';
      const metaTemp = path.join(this.dir, METADATA_NAME);
      writeFileSync(metaTemp, metaText);
      faultPoint('commit:staged');
      // From here until the last rename, the directory holds no metadata.json: not a dataset.
      rmSync(path.join(this.outputDir, METADATA_NAME), { force: true });
      faultPoint('commit:old-metadata-removed');
      for (const name of staged) {
        const target = path.join(this.outputDir, name);
        if (directories.has(name)) rmSync(target, { recursive: true, force: true });
        renameSync(path.join(this.dir, name), target);
        finalPaths.push(target);
        faultPoint(`commit:moved:${name}`);
      }
      for (const name of this.options.replaces ?? []) {
        if (!staged.includes(name)) rmSync(path.join(this.outputDir, name), { recursive: true, force: true });
      }
      faultPoint('commit:before-metadata');
      const metaFinal = path.join(this.outputDir, METADATA_NAME);
      renameSync(metaTemp, metaFinal);
      faultPoint('commit:done');
      finalPaths.push(metaFinal);
    } catch (err) {
      this.abort();
      throw fsError(err, 'cannot move the finished dataset into', this.outputDir);
    }
    this.abort();
    return finalPaths;
  }

  abort(): void {
    this.done = true;
    this.unregister();
    rmSync(this.dir, { recursive: true, force: true });
    this.lock.release();
  }
}
