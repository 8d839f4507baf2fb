/**
 * Two things h5wasm does not let us configure, fixed where every call into HDF5 passes:
 *
 * - Object timestamps. HDF5 stamps each object header with the wall-clock time (H5Pset_obj_track_times
 *   would turn that off, but h5wasm 0.10 exposes no property-list call), so the same seed gave
 *   files differing in ~48 bytes. HDF5 reads the clock through Emscripten's clock_time_get, which
 *   calls Date.now(): during each HDF5 call Date.now returns a fixed time (SOURCE_DATE_EPOCH in
 *   seconds when set, else 0), so files are byte-identical run to run.
 * - Diagnostics. HDF5 prints its error stack (thousands of HDF5-DIAG lines on a full disk) to
 *   its stderr, which h5wasm's Node build (NODERAWFS) writes straight to file descriptor 2. Writes
 *   to that stream are kept instead (the last 16 KiB, for `lastHdf5Diagnostics()`, shown with
 *   --verbose) and never reach the terminal.
 *
 * Every HDF5 call is synchronous on the JS thread, so no other JS code runs while Date.now is
 * swapped.
 */
const MAX_DIAGNOSTIC_CHARS = 16_384;

let diagnostics = '';

/** The last 16 KiB HDF5 wrote to its stderr (error stacks), or ''. */
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
  captureStderr(module.FS as EmscriptenFs | undefined);
  module.__medsynthWrapped = true;
}

interface EmscriptenFs {
  write: (stream: { fd?: number; nfd?: number }, buffer: Uint8Array, offset: number, length: number, ...rest: unknown[]) => number;
}

function captureStderr(fs: EmscriptenFs | undefined): void {
  if (!fs || typeof fs.write !== 'function') return;
  const write = fs.write;
  const decoder = new TextDecoder();
  fs.write = function (this: unknown, stream, buffer, offset, length, ...rest) {
    if (stream?.fd === 2 || stream?.nfd === 2) {
      diagnostics = (diagnostics + decoder.decode(buffer.subarray(offset, offset + length))).slice(-MAX_DIAGNOSTIC_CHARS);
      return length;
    }
    return write.call(this, stream, buffer, offset, length, ...rest);
  };
}

function quietly<T>(call: () => T): T {
  const realNow = Date.now;
  const now = fixedNow();
  Date.now = () => now;
  try {
    return call();
  } finally {
    Date.now = realNow;
  }
}
