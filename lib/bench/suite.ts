/**
 * The shape of a benchmark suite. The runner (runner.ts) times every case with tinybench next to
 * baselines measured in the same run: a memory-copy floor of `floorBytes` bytes, the plain TS
 * reference (when the case has one) and any other `baselines` (e.g. the same work on another
 * device). `medsynth bench` and `npm run bench` both run suites through it.
 */
export interface BenchContext {
  /** Small sizes and few iterations: the whole `medsynth bench --quick` in under a minute. */
  quick: boolean;
}

export interface BenchCase {
  /** What is timed, e.g. 'gaussianBlur σ=2'. */
  name: string;
  /** Problem size as printed, e.g. '256×512×512'. */
  size: string;
  /** Bytes of the volume the kernel reads or writes, for the copy floor (0: no floor). */
  floorBytes: number;
  /** Allocates inputs; not timed. */
  setup?: () => Promise<void> | void;
  /** The native kernel. */
  run: () => Promise<unknown> | unknown;
  /** The plain TS reference doing the same work, if any (lib/reference/, test/reference/). */
  reference?: () => Promise<unknown> | unknown;
  /** The same work done another way, timed like `run`, by what does it (e.g. 'CPU'). */
  baselines?: Readonly<Record<string, () => Promise<unknown> | unknown>>;
  /** Times of the same work measured in this run by other programs (ms, e.g. { PyTorch: 812 }). */
  elsewhere?: () => Promise<Record<string, number>> | Record<string, number>;
  /** Published times of the same work (ms, not measured here), by whose they are (e.g. 'seed 001'). */
  published?: Readonly<Record<string, number>>;
  /** Frees inputs; not timed. */
  teardown?: () => Promise<void> | void;
}

/** One measured case, as the runner records it. */
export interface BenchRow {
  suite: string;
  name: string;
  size: string;
  nativeMs: number;
  copyMs?: number;
  referenceMs?: number;
  /** The case's baselines and its `elsewhere` times, measured in the same run. */
  baselineMs?: Record<string, number>;
  /** The case's published times, copied. */
  publishedMs?: Record<string, number>;
}

export interface BenchSuite {
  name: string;
  /** The cases at the sizes this suite benchmarks (smaller ones when `context.quick`). */
  cases: (context: BenchContext) => BenchCase[];
  /** Extra Markdown lines for RESULTS.md, computed from this suite's rows (e.g. a target table). */
  summarize?: (rows: readonly BenchRow[]) => string[];
  /** Why the suite cannot run here (e.g. no CUDA device); checked before its cases are built. */
  unavailable?: () => string | undefined;
}
