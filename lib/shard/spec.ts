/**
 * Which shard this process is: `--shard k/N` given by hand, or `--shard auto` read from the job
 * scheduler's environment (a Kubernetes Indexed Job or a SLURM job array). The partition itself
 * is in partition.ts.
 */
import { UsageError } from '../cli/args.js';
import type { ShardSpec } from './partition.js';

export { shardBlock, shardLabel, type IndexRange, type ShardSpec } from './partition.js';

const INTEGER = /^\s*\d+\s*$/;

function integerOf(what: string, text: string | undefined): number {
  if (text === undefined || !INTEGER.test(text)) throw new UsageError(`${what} must be a non-negative integer, got '${text ?? ''}'`);
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${what} is too large: '${text}'`);
  return v;
}

function checked(index: number, count: number, source: NonNullable<ShardSpec['source']>, what: string): ShardSpec {
  if (count < 1) throw new UsageError(`${what}: the shard count must be at least 1, got ${count}`);
  if (index >= count) throw new UsageError(`${what}: shard index ${index} is not below the shard count ${count} (indices run 0..${count - 1})`);
  return { index, count, source };
}

/**
 * `--shard k/N` or `--shard auto` (then `shardCount`, `--shard-count`, is N when given). The
 * environment is a parameter so tests can pass the variables each engine sets.
 */
export function parseShard(value: string | undefined, shardCount?: string, env: NodeJS.ProcessEnv = process.env): ShardSpec | undefined {
  if (value === undefined) {
    if (shardCount !== undefined) throw new UsageError('--shard-count is only used with --shard auto');
    return undefined;
  }
  if (value.trim() === 'auto') return shardFromEnvironment(shardCount, env);
  if (shardCount !== undefined) throw new UsageError('--shard-count is only used with --shard auto (--shard k/N names N already)');
  const m = /^\s*([^/]*)\/([^/]*)$/.exec(value);
  if (!m) throw new UsageError(`--shard must be k/N (e.g. 0/4) or auto, got '${value}'`);
  return checked(integerOf('--shard k', m[1]), integerOf('--shard N', m[2]), 'flag', `--shard ${value}`);
}

/**
 * Kubernetes Indexed Job: JOB_COMPLETION_INDEX is k; N is --shard-count, else JOB_COMPLETIONS
 * (not set by Kubernetes itself; the shipped manifest sets it from the Job's completions).
 * SLURM job array: SLURM_ARRAY_TASK_ID is the task id; with SLURM_ARRAY_TASK_MIN/_MAX the ids
 * may be offset (--array=1-8): k = id − min, N = max − min + 1. Else N = SLURM_ARRAY_TASK_COUNT.
 * A stepped array (--array=0-15:2) has gaps, so it is refused: N would not match the task count.
 */
export function shardFromEnvironment(shardCount: string | undefined, env: NodeJS.ProcessEnv = process.env): ShardSpec {
  const given = shardCount === undefined ? undefined : integerOf('--shard-count', shardCount);
  const k8s = env.JOB_COMPLETION_INDEX;
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (k8s !== undefined && slurm !== undefined) {
    throw new UsageError('--shard auto: both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (SLURM) are set; pass --shard k/N');
  }
  if (k8s !== undefined) {
    const k = integerOf('JOB_COMPLETION_INDEX', k8s);
    const fromEnv = env.JOB_COMPLETIONS === undefined ? undefined : integerOf('JOB_COMPLETIONS', env.JOB_COMPLETIONS);
    if (given !== undefined && fromEnv !== undefined && given !== fromEnv) {
      throw new UsageError(`--shard auto: --shard-count ${given} disagrees with JOB_COMPLETIONS=${fromEnv}`);
    }
    const n = given ?? fromEnv;
    if (n === undefined) throw new UsageError('--shard auto (Kubernetes Indexed Job): the shard count is unknown; pass --shard-count N (the Job\'s completions) or set JOB_COMPLETIONS');
    return checked(k, n, 'kubernetes', `--shard auto (JOB_COMPLETION_INDEX=${k})`);
  }
  if (slurm !== undefined) {
    const id = integerOf('SLURM_ARRAY_TASK_ID', slurm);
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? undefined : integerOf('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN);
    const max = env.SLURM_ARRAY_TASK_MAX === undefined ? undefined : integerOf('SLURM_ARRAY_TASK_MAX', env.SLURM_ARRAY_TASK_MAX);
    const taskCount = env.SLURM_ARRAY_TASK_COUNT === undefined ? undefined : integerOf('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT);
    const offset = min ?? 0;
    if (id < offset) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID=${id} is below SLURM_ARRAY_TASK_MIN=${offset}`);
    const span = min !== undefined && max !== undefined ? max - min + 1 : undefined;
    if (span !== undefined && taskCount !== undefined && span !== taskCount) {
      throw new UsageError(`--shard auto: the SLURM array ${min}-${max} has ${taskCount} tasks, not ${span}: stepped or sparse arrays are not supported; use --array=0-(N-1)`);
    }
    const n = given ?? span ?? taskCount;
    if (n === undefined) throw new UsageError('--shard auto (SLURM): SLURM_ARRAY_TASK_COUNT (or _MIN and _MAX) is not set; pass --shard-count N');
    if (given !== undefined && (span ?? taskCount) !== undefined && given !== (span ?? taskCount)) {
      throw new UsageError(`--shard auto: --shard-count ${given} disagrees with the SLURM array's ${span ?? taskCount} tasks`);
    }
    return checked(id - offset, n, 'slurm', `--shard auto (SLURM_ARRAY_TASK_ID=${id})`);
  }
  throw new UsageError('--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (SLURM array) is set; pass --shard k/N');
}


/** The flags every sharded command takes (spread into its flag table). */
export const SHARD_FLAGS = {
  shard: { type: 'string', metavar: 'k/N|auto', help: 'write only shard k of N (contiguous index blocks per split); auto: from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID' },
  'shard-count': { type: 'string', metavar: 'N', help: 'with --shard auto: the number of shards (default: JOB_COMPLETIONS or the SLURM array size)' },
} as const;

/** The shard the parsed flags name, if any. */
export function shardFromFlags(flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): ShardSpec | undefined {
  const value = flags.shard;
  const count = flags['shard-count'];
  return parseShard(value === undefined ? undefined : String(value), count === undefined ? undefined : String(count), env);
}
