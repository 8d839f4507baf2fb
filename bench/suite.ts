/** The repository's suites in bench/suites/ use the shipped benchmark's types (lib/bench/suite.ts). */
export type { BenchCase, BenchContext, BenchRow, BenchSuite } from '../lib/bench/suite.js';
