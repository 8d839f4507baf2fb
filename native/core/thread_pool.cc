#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ms {
namespace {

thread_local bool t_inside_job = false;

class Pool {
 public:
  explicit Pool(int n) { start(n); }
  ~Pool() { stop(); }

  // Read without the job lock (getThreads from any worker_thread while another resizes).
  int size() const { return size_.load(); }

  void resize(int n) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);
    stop();
    start(n);
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    grain = std::max<int64_t>(1, grain);
    const int64_t chunks = (n + grain - 1) / grain;
    if (chunks == 1 || t_inside_job) {
      run_serial(n, grain, fn);
      return;
    }
    std::unique_lock<std::mutex> job_lock(job_mutex_);
    // Checked under the job lock: resize() (setThreads from any JS thread) replaces workers_.
    // A one-thread pool runs the job outside the lock, as a nested call would (fn may nest).
    if (workers_.empty()) {
      job_lock.unlock();
      run_serial(n, grain, fn);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = Job{&fn, n, grain, chunks};
      next_chunk_.store(0);
      pending_workers_ = static_cast<int>(workers_.size());
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    work_on_job();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_workers_ == 0; });
    job_.fn = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn = nullptr;
    int64_t n = 0, grain = 1, chunks = 0;
  };

  static void run_serial(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    for (int64_t begin = 0; begin < n; begin += grain) fn(begin, std::min(n, begin + grain));
  }

  void work_on_job() {
    t_inside_job = true;
    for (;;) {
      const int64_t c = next_chunk_.fetch_add(1);
      if (c >= job_.chunks) break;
      const int64_t begin = c * job_.grain;
      try {
        (*job_.fn)(begin, std::min(job_.n, begin + job_.grain));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
        next_chunk_.store(job_.chunks);  // stop handing out work
      }
    }
    t_inside_job = false;
  }

  // `seen` starts at the generation current when the worker is created: a worker started by
  // resize() must not take the last finished job for a new one (it would decrement
  // pending_workers_ twice for the next job, and run() would wait forever).
  void worker_loop(uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      work_on_job();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_workers_ == 0) done_.notify_one();
    }
  }

  void start(int n) {
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = false;
      generation = generation_;
    }
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, generation] { worker_loop(generation); });
    size_.store(n);
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex job_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::atomic<int> size_{1};
  Job job_;
  std::atomic<int64_t> next_chunk_{0};
  int pending_workers_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* instance = new Pool(default_thread_count());  // never destroyed: exit order safe
  return *instance;
}

}  // namespace

int default_thread_count() {
  if (const char* env = std::getenv("MEDSYNTH_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= 1024) return static_cast<int>(n);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

int thread_count() { return pool().size(); }

void set_thread_count(int n) { pool().resize(std::max(1, n)); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  pool().run(n, grain, fn);
}

}  // namespace ms
