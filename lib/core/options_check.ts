/**
 * Unknown option keys are refused instead of silently ignored: `{ size: 64 }` where `imageSize`
 * was meant would otherwise give the default without a word. Near misses get a suggestion.
 */
import { MedsynthError } from '../errors.js';

/** Levenshtein distance, case-insensitive, for "did you mean". */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The known key closest to `key`, if it is a plausible typo (or one contains the other). */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    const contains = k.toLowerCase().includes(key.toLowerCase()) || key.toLowerCase().includes(k.toLowerCase());
    const score = contains && key.length >= 3 ? Math.min(d, 1) : d;
    if (score < bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws INVALID_ARGUMENT naming the first key of `options` that is not in `known`, with a
 * suggestion when one is close. `what` names the options object ("generateDataset options").
 */
export function checkKnownKeys(what: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = suggestKey(key, known);
    throw new MedsynthError(
      'INVALID_ARGUMENT',
      `unknown option '${key}' in ${what}` + (hint ? ` (did you mean '${hint}'?)` : `; known options: ${known.join(', ')}`),
    );
  }
}
