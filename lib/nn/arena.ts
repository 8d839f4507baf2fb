/**
 * Float32 buffers for the engine. Inside an arena scope, buffers released by `releaseScope` are
 * kept by length and handed out again, so a training loop that allocates the same shapes every
 * step touches fresh memory only in its first step (fresh pages cost 0.4–2 s per GiB here).
 * Outside a scope every allocation is an ordinary Float32Array. The tape also hands back each
 * gradient buffer as soon as backward has used it (`releaseFloat32`), so a step's peak holds the
 * activations and the gradients still in flight, not every gradient of the step.
 */
interface Scope {
  readonly allocated: Set<Float32Array>;
}

const free = new Map<number, Float32Array[]>();
let scope: Scope | null = null;
/** Allocation order, so a caller can free only what was allocated after a point it marked. */
let allocations = 0;
const birth = new WeakMap<Float32Array, number>();

export function allocFloat32(length: number): Float32Array {
  const pool = free.get(length);
  const buffer = pool?.pop() ?? new Float32Array(length);
  birth.set(buffer, allocations++);
  scope?.allocated.add(buffer);
  return buffer;
}

/** A mark for `releaseFloat32`: buffers allocated from now on are after it. */
export function allocationMark(): number {
  return allocations;
}

/**
 * Hands `buffer` back to the free lists before its scope ends, when it was allocated in the
 * current scope after `mark`; the caller guarantees nothing uses it any more. Returns whether it
 * was released (buffers from elsewhere are left to the garbage collector).
 */
export function releaseFloat32(buffer: Float32Array, mark: number): boolean {
  if (!scope || (birth.get(buffer) ?? -1) < mark || !scope.allocated.delete(buffer)) return false;
  pool(buffer);
  return true;
}

function pool(buffer: Float32Array): void {
  let list = free.get(buffer.length);
  if (!list) free.set(buffer.length, (list = []));
  list.push(buffer);
}

/**
 * Runs `fn` in a scope; every buffer allocated inside it returns to the free lists when it ends,
 * except those reachable from `keep` (called with fn's result). Whatever escapes otherwise must
 * not be used after the scope: its memory will be handed out again.
 */
export function withArena<T>(fn: () => T, keep: (result: T) => readonly Float32Array[] = () => []): T {
  const outer = scope;
  const mine: Scope = { allocated: new Set() };
  scope = mine;
  let result: T;
  try {
    result = fn();
  } finally {
    scope = outer;
  }
  const kept = new Set(keep(result));
  for (const buffer of mine.allocated) {
    if (kept.has(buffer)) outer?.allocated.add(buffer);
    else pool(buffer);
  }
  return result;
}

/** Drops every pooled buffer (e.g. after training, to give the memory back). */
export function clearArena(): void {
  free.clear();
}

/** Bytes held in the free lists (for benchmarks and memory reports). */
export function arenaPooledBytes(): number {
  let bytes = 0;
  for (const [length, pool] of free) bytes += length * 4 * pool.length;
  return bytes;
}
