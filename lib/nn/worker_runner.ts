/**
 * Runs a training job (training_jobs.ts) in a worker thread: the native ops are synchronous, so
 * the loop must not run on the thread that serves the event loop. The first Ctrl-C (SIGINT) asks
 * the job to stop after the current step, which saves a checkpoint; a second one terminates.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { MedsynthError, type MedsynthErrorCode } from '../errors.js';
import { packageRoot } from '../native.js';

/** The compiled worker script (under vitest this module is TypeScript; the worker runs dist/). */
export function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'train_worker.js');
  const compiled = path.join(packageRoot(), 'dist', 'lib', 'nn', 'train_worker.js');
  if (!existsSync(compiled)) throw new MedsynthError('ADDON_NOT_FOUND', `${compiled} is missing; run \`npm run build:ts\``);
  return compiled;
}

export interface WorkerRunOptions {
  onEvent: (event: unknown) => void;
  /** Called on the first SIGINT (e.g. to print that a checkpoint is being saved). */
  onInterrupt?: () => void;
  /** Listen to SIGINT (default true). */
  handleSignals?: boolean;
}

export function runTrainingJob<R>(job: string, options: unknown, run: WorkerRunOptions): Promise<R> {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const worker = new Worker(workerScript(), { workerData: { job, options, stop } });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      Atomics.store(flag, 0, 1);
      run.onInterrupt?.();
    } else {
      void worker.terminate();
    }
  };
  if (run.handleSignals !== false) process.on('SIGINT', onSigint);
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSigint);
      fn();
    };
    worker.on('message', (m: { kind: string; event?: unknown; result?: R; code?: MedsynthErrorCode; message?: string }) => {
      if (m.kind === 'event') run.onEvent(m.event);
      else if (m.kind === 'done') finish(() => resolve(m.result as R));
      else if (m.kind === 'error') finish(() => reject(new MedsynthError(m.code ?? 'NATIVE_ERROR', m.message ?? 'training failed')));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) =>
      finish(() => reject(new MedsynthError('NATIVE_ERROR', interrupts > 1 ? 'training terminated by a second interrupt (no checkpoint saved for the current step)' : `the training worker exited with code ${code}`))),
    );
  });
}

