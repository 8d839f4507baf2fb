// The addon's own thread pool. One pool per process, so concurrent async calls from libuv's
// workers share the cores instead of each starting a team of their own: jobs run one at a time,
// and the thread that submits a job works on it too. It is a process-wide singleton, not per
// Node environment: every worker_thread that loads the addon uses the same threads, and a
// resize from any of them applies to all (it is never destroyed, so no environment's cleanup
// can take it from the others).
#pragma once

#include <cstdint>
#include <functional>

namespace ms {

// Size from MEDSYNTH_THREADS when set to a positive integer, else the number of cores.
int default_thread_count();

// Number of threads (including the caller) that parallel_for uses.
int thread_count();

// Resizes the pool; n >= 1. Waits for a running job to finish first.
void set_thread_count(int n);

// Calls fn(begin, end) on consecutive chunks of [0, n) of at most `grain` items, spread over the
// pool, and returns when all are done. The first exception thrown by fn is rethrown here.
// Chunk boundaries depend only on n and grain, never on the thread count, so a kernel whose
// chunks write disjoint outputs is deterministic. Nested calls run serially on the caller.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace ms
