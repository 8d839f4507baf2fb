/**
 * Which suites exist: the five `medsynth bench` offers users, each a group of the suites in
 * lib/bench/suites/, and the shipped suites the repository's `npm run bench` runs beside its own
 * (bench/suites/).
 */
import { suite as devices } from './suites/devices.js';
import { suite as fieldNoise } from './suites/field_noise.js';
import { suite as filter } from './suites/filter.js';
import { suite as generate } from './suites/generate.js';
import { suite as int8 } from './suites/int8.js';
import { suite as nnTrain } from './suites/nn_train.js';
import { suite as rasterize } from './suites/rasterize.js';
import { suite as warp } from './suites/warp.js';
import type { BenchSuite } from './suite.js';

/** One user suite made of several: their cases in order (their RESULTS.md notes stay with `npm run bench`). */
function group(name: string, suites: readonly BenchSuite[]): BenchSuite {
  return { name, cases: (context) => suites.flatMap((s) => s.cases(context)) };
}

/**
 * The int8 suite with each INT8 case timed against its FP32 twin as a baseline (one row, one
 * 'FP32 / native' ratio: the INT8 speed-up) instead of as two rows. The models trained on the toy
 * task are left to `npm run bench`: they take minutes to train and only feed RESULTS.md's
 * accuracy notes, while speed does not depend on the weights.
 */
function int8AgainstFp32(suite: BenchSuite): BenchSuite {
  return {
    name: suite.name,
    cases: (context) => {
      const all = suite.cases(context);
      return all
        .filter((c) => c.name.includes(' INT8 ') && !c.name.includes(' trained'))
        .map((q) => {
          const f = all.find((c) => c.name === q.name.replace(' INT8 ', ' FP32 '));
          if (!f) return q;
          return {
            ...q,
            setup: async () => {
              await f.setup?.();
              await q.setup?.();
            },
            baselines: { FP32: f.run },
            teardown: async () => {
              await q.teardown?.();
              await f.teardown?.();
            },
          };
        });
    },
  };
}

/** `medsynth bench --suite NAME`: the names and what each times. */
export const USER_SUITES: ReadonlyArray<{ suite: BenchSuite; summary: string }> = [
  { suite: generate, summary: "one 3D anatomy sample per size, 64×64×32 … 512×512×256, against seed 001's published times and the plain TS path" },
  { suite: group('kernels', [filter, fieldNoise, rasterize, warp]), summary: 'each volume kernel against a memory copy of the same bytes (and its TS reference)' },
  { suite: { ...nnTrain, name: 'train' }, summary: "an engine training step, and PyTorch's when python3 with torch is found" },
  { suite: int8AgainstFp32(int8), summary: 'a U-Net in FP32 and in INT8 on onnxruntime-node' },
  { suite: devices, summary: 'CPU against CUDA for every volume kernel and a whole sample (when a CUDA device is present)' },
];

/** The shipped suites `npm run bench` runs beside bench/suites/ (generate's cases are in its anatomy suite; devices: `npm run bench:gpu`). */
export const REPOSITORY_SUITES: readonly BenchSuite[] = [fieldNoise, filter, int8, nnTrain, rasterize, warp];
