/** Stable error codes; a caller can branch on `error.code`. */
export type MedsynthErrorCode =
  | 'INVALID_ARGUMENT'
  | 'OUT_OF_MEMORY'
  | 'INSUFFICIENT_DISK'
  | 'ADDON_NOT_FOUND'
  | 'CUDA_UNAVAILABLE'
  | 'CUDA_ERROR'
  | 'IO_ERROR'
  | 'CORRUPT_FILE'
  | 'TRAINING_DIVERGED'
  | 'NATIVE_ERROR'
  // reliability (issue 11): a buffer taken away during a call, filesystem and run-state errors
  | 'BUFFER_DETACHED'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_LOCKED'
  | 'NOT_A_DIRECTORY'
  | 'PERMISSION_DENIED'
  | 'READ_ONLY_FILESYSTEM'
  | 'NAME_TOO_LONG'
  | 'INCOMPLETE_DATASET'
  // sharded runs (issue 17): a directory without shard.json, shards of different runs, a shard missing or given twice
  | 'NOT_A_SHARD'
  | 'SHARD_MISMATCH'
  | 'SHARD_MISSING'
  | 'SHARD_DUPLICATE'
  // a shard file that is not what its shard wrote (missing, another size or SHA-256 than shard.json records)
  | 'SHARD_CORRUPT'
  | 'ABORTED';

export class MedsynthError extends Error {
  readonly code: MedsynthErrorCode;

  constructor(code: MedsynthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MedsynthError';
    this.code = code;
  }

  /** Wraps an error thrown or rejected by the addon (it carries `.code`) as a MedsynthError. */
  static fromNative(error: unknown): MedsynthError {
    if (error instanceof MedsynthError) return error;
    const e = error as { code?: string; message?: string };
    const code = (typeof e?.code === 'string' ? e.code : 'NATIVE_ERROR') as MedsynthErrorCode;
    return new MedsynthError(code, e?.message ?? String(error), { cause: error });
  }
}

/** "Expected <expected> for <name> but received <actual>" — one message shape for every check. */
export function invalidParameter(name: string, expected: string, actual: unknown): MedsynthError {
  return new MedsynthError(
    'INVALID_ARGUMENT',
    `Expected ${expected} for ${name} but received ${describe(actual)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  }
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return typeof value;
}
