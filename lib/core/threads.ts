/**
 * The native thread pool: one per process, shared by every kernel call of the main thread and of
 * every worker_thread that loads medsynth (native/core/thread_pool.cc). Its size is therefore
 * process-wide: setThreads from any thread resizes it for all, and getThreads reports it
 * everywhere.
 */
import { checkInteger } from '../validate.js';
import { binding } from '../binding.js';
import { callNativeSync } from '../native.js';

/** Threads the native kernels use (the caller's thread included). */
export function getThreads(): number {
  return binding().threadCount();
}

/** Sets the pool size; `undefined` restores the default (MEDSYNTH_THREADS, else the core count). */
export function setThreads(threads?: number): void {
  const n = threads === undefined ? binding().defaultThreadCount() : checkInteger('threads', threads, 1, 1024);
  callNativeSync(() => binding().setThreadCount({ threads: n }));
}

/** What the loaded binary was built with and uses on this CPU. */
export function buildInfo(): { simd: string; cudaCompiled: boolean; napiVersion: number } {
  return binding().buildInfo();
}
