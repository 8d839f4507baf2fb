/** Joining the rows of several shards' files: typed arrays in order, attributes to copy. */
import type { H5Dataset, H5File, H5Group } from '../io/hdf5.js';

export type RowArray = Float32Array | Float64Array | Uint8Array | Uint32Array;

/** The parts concatenated into one array of `Kind` (empty parts, e.g. a shard's empty split, add nothing). */
export function concatRows<A extends RowArray>(parts: readonly A[], Kind: { new (n: number): A }): A {
  const out = new Kind(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    if (p.length === 0) continue;
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

/** An HDF5 object's attributes as setAttributes takes them back (typed arrays as number arrays). */
export function attributesOf(target: H5File | H5Group | H5Dataset): Record<string, unknown> {
  const attrs = target.attrs as Record<string, { value: unknown }>;
  return Object.fromEntries(
    Object.entries(attrs).map(([key, a]) => {
      const v = a.value;
      return [key, ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'bigint' ? Number(v) : v];
    }),
  );
}
