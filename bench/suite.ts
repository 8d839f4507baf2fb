/**
 * The shape of a benchmark suite. bench/run.ts times every case with tinybench next to two
 * baselines measured in the same run: the plain TS reference (when the case has one) and a
 * memory-copy floor of `floorBytes` bytes, and writes the ratios to bench/RESULTS.md.
 */
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
  /** The plain TS reference doing the same work, if any (test/reference/). */
  reference?: () => Promise<unknown> | unknown;
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
}

export interface BenchSuite {
  name: string;
  /** The cases at the sizes this suite benchmarks. */
  cases: () => BenchCase[];
  /** Extra Markdown lines for RESULTS.md, computed from this suite's rows (e.g. a target table). */
  summarize?: (rows: readonly BenchRow[]) => string[];
}
