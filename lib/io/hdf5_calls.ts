/**
 * Two things h5wasm does not let us configure, fixed where every call into HDF5 passes:
 *
 * - Object timestamps. HDF5 stamps each object header with the wall-clock time (H5Pset_obj_track_times
 *   would turn that off, but h5wasm 0.10 exposes no property-list call), so the same seed gave
 *   files differing in ~48 bytes. HDF5 reads the clock through Emscripten's clock_time_get, which
 *   calls Date.now(): during each HDF5 call Date.now returns a fixed time (SOURCE_DATE_EPOCH in
 *   seconds when set, else 0), so files are byte-identical run to run.
 * - Diagnostics. HDF5 prints its error stack (thousands of HDF5-DIAG lines on a full disk) to
 *   stderr. During each call stderr writes are captured instead; the last stack is kept for
 *   `lastHdf5Diagnostics()` (shown with --verbose) and never floods the terminal.
 *
 * Every HDF5 call is synchronous on the JS thread, so no other JS code runs while Date.now and
 * stderr are swapped.
 */
const MAX_DIAGNOSTIC_CHARS = 16_384;

let diagnostics = '';

/** The HDF5 error output of the most recent call that printed one (truncated), or ''. */
export function lastHdf5Diagnostics(): string {
  return diagnostics;
}

function fixedNow(): number {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isFinite(epoch) && epoch >= 0 ? epoch * 1000 : 0;
}

/** Wraps the functions of h5wasm's Emscripten module (idempotent). */
export function wrapHdf5Module(module: Record<string, unknown>): void {
  if (module.__medsynthWrapped) return;
  for (const [name, value] of Object.entries(module)) {
    // Embind exports (open, create_dataset, …) are plain names; internals start with _ or are classes.
    if (typeof value !== 'function' || name.startsWith('_') || name.startsWith('dynCall') || /^[A-Z]/.test(name)) continue;
    const fn = value as (...args: unknown[]) => unknown;
    module[name] = function (this: unknown, ...args: unknown[]) {
      return quietly(() => fn.apply(this, args));
    };
  }
  module.__medsynthWrapped = true;
}

function quietly<T>(call: () => T): T {
  const realNow = Date.now;
  const realWrite = process.stderr.write;
  let captured = '';
  const now = fixedNow();
  Date.now = () => now;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (captured.length < MAX_DIAGNOSTIC_CHARS) captured += String(chunk);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stderr.write;
  try {
    return call();
  } finally {
    Date.now = realNow;
    process.stderr.write = realWrite;
    if (captured) diagnostics = captured.slice(0, MAX_DIAGNOSTIC_CHARS);
  }
}
