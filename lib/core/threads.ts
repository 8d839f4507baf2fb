/** The native thread pool: one per process, shared by every kernel call. */
import { checkInteger } from '../validate.js';
import { callNativeSync, nativeAddon } from '../native.js';

interface CoreNative {
  threadCount(): number;
  defaultThreadCount(): number;
  setThreadCount(options: { threads: number }): void;
  buildInfo(): { simd: string; cudaCompiled: boolean; napiVersion: number };
}

const core = () => nativeAddon<CoreNative>();

/** Threads the native kernels use (the caller's thread included). */
export function getThreads(): number {
  return core().threadCount();
}

/** Sets the pool size; `undefined` restores the default (MEDSYNTH_THREADS, else the core count). */
export function setThreads(threads?: number): void {
  const n = threads === undefined ? core().defaultThreadCount() : checkInteger('threads', threads, 1, 1024);
  callNativeSync(() => core().setThreadCount({ threads: n }));
}

/** What the loaded binary was built with and uses on this CPU. */
export function buildInfo(): { simd: string; cudaCompiled: boolean; napiVersion: number } {
  return core().buildInfo();
}
