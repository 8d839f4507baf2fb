/**
 * Float32 buffers for the engine. Inside an arena scope, buffers released by `releaseScope` are
 * kept by length and handed out again, so a training loop that allocates the same shapes every
 * step touches fresh memory only in its first step (fresh pages cost 0.4–2 s per GiB here).
 * Outside a scope every allocation is an ordinary Float32Array.
 */
interface Scope {
  readonly allocated: Float32Array[];
}

const free = new Map<number, Float32Array[]>();
let scope: Scope | null = null;

export function allocFloat32(length: number): Float32Array {
  const pool = free.get(length);
  const buffer = pool?.pop() ?? new Float32Array(length);
  scope?.allocated.push(buffer);
  return buffer;
}

/**
 * Runs `fn` in a scope; every buffer allocated inside it returns to the free lists when it ends,
 * except those reachable from `keep` (called with fn's result). Whatever escapes otherwise must
 * not be used after the scope: its memory will be handed out again.
 */
export function withArena<T>(fn: () => T, keep: (result: T) => readonly Float32Array[] = () => []): T {
  const outer = scope;
  const mine: Scope = { allocated: [] };
  scope = mine;
  let result: T;
  try {
    result = fn();
  } finally {
    scope = outer;
  }
  const kept = new Set(keep(result));
  for (const buffer of mine.allocated) {
    if (kept.has(buffer)) {
      outer?.allocated.push(buffer);
      continue;
    }
    let pool = free.get(buffer.length);
    if (!pool) free.set(buffer.length, (pool = []));
    pool.push(buffer);
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
