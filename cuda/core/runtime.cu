// Device probe, error mapping, the slot pool and the staged copies (see runtime.cuh).
#include "cuda/core/runtime.cuh"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "core/thread_pool.h"

namespace ms {
namespace cuda {
namespace {

constexpr int kSlots = 2;
// Pinned staging per slot: two buffers of this size, so one transfers while the other is copied.
constexpr size_t kStageBytes = size_t{8} << 20;
// Device allocations are rounded up to this, so slowly growing volumes do not reallocate often.
constexpr size_t kGranule = size_t{2} << 20;
// Host copies above this size are split over the thread pool in pieces of kCopyPiece.
constexpr size_t kCopyPiece = size_t{1} << 20;

// A kernel that exists only so the probe can ask whether this binary has code for the device.
__global__ void probe_kernel(int* flag) {
  if (flag != nullptr) *flag = 1;
}

std::string mib(uint64_t bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / 1048576.0);
  return buf;
}

std::string describe(cudaError_t e) {
  return std::string(cudaGetErrorName(e)) + " (" + std::to_string(static_cast<int>(e)) + "): " + cudaGetErrorString(e);
}

// Errors after which the context is corrupt: every later call fails with the same error.
bool is_sticky(cudaError_t e) {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorAssert:
    case cudaErrorLaunchTimeout:
    case cudaErrorECCUncorrectable:
      return true;
    default:
      return false;
  }
}

const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

struct Runtime {
  std::once_flag probed;
  CudaInfo info;
  std::mutex mu;  // guards slots and busy
  std::condition_variable freed;
  std::unique_ptr<Slot> slots[kSlots];
  bool busy[kSlots] = {};
  std::atomic<uint64_t> in_use{0};
  std::atomic<uint64_t> limit{0};
};

// Never destroyed: CUDA calls from static destructors at exit may run after the CUDA runtime has
// shut down. The driver frees everything when the process ends.
Runtime& runtime() {
  static Runtime* r = new Runtime;
  return *r;
}

thread_local CallTiming g_last_timing;

CudaInfo probe() {
  CudaInfo info;
  info.compiled = true;
  if (cudaRuntimeGetVersion(&info.runtime_version) != cudaSuccess) info.runtime_version = 0;
  if (cudaDriverGetVersion(&info.driver_version) != cudaSuccess) info.driver_version = 0;
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    cudaGetLastError();
    info.reason = "no CUDA device: " + std::string(cudaGetErrorString(e)) + " (" + cudaGetErrorName(e) +
                  " = " + std::to_string(static_cast<int>(e)) + ")";
    return info;
  }
  info.device_count = count;
  if (count == 0) {
    info.reason = "no CUDA device: the driver reports none";
    return info;
  }
  info.device = 0;
  cudaDeviceProp prop{};
  e = cudaGetDeviceProperties(&prop, info.device);
  if (e != cudaSuccess) {
    cudaGetLastError();
    info.reason = "cannot query CUDA device 0: " + describe(e);
    return info;
  }
  info.name = prop.name;
  info.cc_major = prop.major;
  info.cc_minor = prop.minor;
  info.multiprocessors = prop.multiProcessorCount;
  info.total_memory = prop.totalGlobalMem;
  const std::string who = "CUDA device 0 (" + info.name + ", compute capability " + std::to_string(prop.major) +
                          "." + std::to_string(prop.minor) + ")";
  if (prop.major < 8) {
    info.reason = who + " is older than medsynth's CUDA kernels support (8.0 or newer)";
    return info;
  }
  e = cudaSetDevice(info.device);
  if (e == cudaSuccess) e = cudaFree(nullptr);  // creates the context: fails on a prohibited or busy device
  if (e != cudaSuccess) {
    cudaGetLastError();
    info.reason = "cannot use " + who + ": " + describe(e);
    return info;
  }
  cudaFuncAttributes attributes{};
  e = cudaFuncGetAttributes(&attributes, probe_kernel);
  if (e != cudaSuccess) {
    cudaGetLastError();
    info.reason = "this binary has no kernels for " + who + ": " + describe(e);
    return info;
  }
  size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
    info.free_memory = free_bytes;
  } else {
    cudaGetLastError();
  }
  info.available = true;
  return info;
}

const CudaInfo& probed_info() {
  Runtime& r = runtime();
  std::call_once(r.probed, [&r] { r.info = probe(); });
  return r.info;
}

// Frees the device buffers of every slot no call is using (memory pressure or a lower limit).
void trim_idle_slots() {
  Runtime& r = runtime();
  std::lock_guard<std::mutex> lock(r.mu);
  for (int i = 0; i < kSlots; ++i) {
    if (!r.busy[i] && r.slots[i]) r.slots[i]->release_memory();
  }
}

void create_slot(Slot& s) {
  MS_CUDA(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
  MS_CUDA(cudaStreamCreateWithFlags(&s.copy, cudaStreamNonBlocking));
  MS_CUDA(cudaEventCreate(&s.start));
  MS_CUDA(cudaEventCreate(&s.stop));
  MS_CUDA(cudaEventCreateWithFlags(&s.mark, cudaEventDisableTiming));
  for (cudaEvent_t& e : s.stage_free) MS_CUDA(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
}

void destroy_slot(Slot& s) {
  // Best effort: only reached when creating the slot failed part way.
  if (s.stream != nullptr) cudaStreamDestroy(s.stream);
  if (s.copy != nullptr) cudaStreamDestroy(s.copy);
  for (cudaEvent_t e : {s.start, s.stop, s.mark, s.stage_free[0], s.stage_free[1]}) {
    if (e != nullptr) cudaEventDestroy(e);
  }
  cudaGetLastError();
}

// memcpy, spread over the thread pool when large.
void host_copy(void* dst, const void* src, size_t bytes) {
  if (bytes < 2 * kCopyPiece) {
    std::memcpy(dst, src, bytes);
    return;
  }
  const auto pieces = static_cast<int64_t>((bytes + kCopyPiece - 1) / kCopyPiece);
  parallel_for(pieces, 1, [&](int64_t b, int64_t e) {
    const size_t begin = static_cast<size_t>(b) * kCopyPiece;
    const size_t end = std::min(bytes, static_cast<size_t>(e) * kCopyPiece);
    std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin, end - begin);
  });
}

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

// ---- errors ----------------------------------------------------------------------------------------

void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line) {
  cudaGetLastError();  // clears a non-sticky error so the next call starts clean
  std::string message = "CUDA call " + std::string(call) + " failed: " + describe(err);
  if (is_sticky(err)) message += "; the CUDA context is unusable until the process restarts";
  message += " [" + std::string(base_name(file)) + ":" + std::to_string(line) + "]";
  throw Error(err == cudaErrorMemoryAllocation ? "OUT_OF_MEMORY" : "CUDA_ERROR", message);
}

void require_device() {
  const CudaInfo& info = probed_info();
  if (!info.available) throw Error("CUDA_UNAVAILABLE", "CUDA is unavailable: " + info.reason);
}

int grid_for(int64_t n, int threads) {
  const int sms = std::max(1, probed_info().multiprocessors);
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(blocks, int64_t{64} * sms)));
}

// ---- buffers ---------------------------------------------------------------------------------------

void* DeviceBuffer::reserve(size_t bytes, const char* what) {
  if (ptr_ != nullptr && bytes <= bytes_) return ptr_;
  const size_t want = (std::max<size_t>(bytes, 1) + kGranule - 1) / kGranule * kGranule;
  release();
  Runtime& r = runtime();
  const uint64_t limit = r.limit.load();
  if (limit != 0 && r.in_use.load() + want > limit) {
    trim_idle_slots();
    if (r.in_use.load() + want > limit) {
      throw Error("OUT_OF_MEMORY", "the CUDA buffer for " + std::string(what) + " needs " + mib(want) +
                                       ", above medsynth's CUDA memory limit of " + mib(limit) + " (" +
                                       mib(r.in_use.load()) + " in use); raise it with setCudaMemoryLimit, "
                                       "or use smaller volumes or the CPU");
    }
  }
  cudaError_t e = cudaMalloc(&ptr_, want);
  if (e == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    trim_idle_slots();
    e = cudaMalloc(&ptr_, want);
  }
  if (e != cudaSuccess) {
    ptr_ = nullptr;
    if (e != cudaErrorMemoryAllocation) throw_cuda_error(e, "cudaMalloc", __FILE__, __LINE__);
    cudaGetLastError();
    size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) cudaGetLastError();
    throw Error("OUT_OF_MEMORY", "CUDA device out of memory: cudaMalloc of " + mib(want) + " for " + what +
                                     " failed (cudaErrorMemoryAllocation = 2); the device has " + mib(free_bytes) +
                                     " free of " + mib(total_bytes) + " and medsynth holds " +
                                     mib(r.in_use.load()) + ". Use smaller volumes or the CPU");
  }
  bytes_ = want;
  r.in_use += want;
  return ptr_;
}

void DeviceBuffer::release() {
  if (ptr_ == nullptr) return;
  cudaFree(ptr_);  // fails only on a corrupt context, which every later call reports
  cudaGetLastError();
  runtime().in_use -= bytes_;
  ptr_ = nullptr;
  bytes_ = 0;
}

void* PinnedBuffer::reserve(size_t bytes) {
  if (ptr_ != nullptr && bytes <= bytes_) return ptr_;
  release();
  const cudaError_t e = cudaMallocHost(&ptr_, bytes);
  if (e != cudaSuccess) {
    ptr_ = nullptr;
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw Error("OUT_OF_MEMORY", "cannot allocate " + mib(bytes) + " of pinned host memory for CUDA transfers");
    }
    throw_cuda_error(e, "cudaMallocHost", __FILE__, __LINE__);
  }
  bytes_ = bytes;
  return ptr_;
}

void PinnedBuffer::release() {
  if (ptr_ == nullptr) return;
  cudaFreeHost(ptr_);
  cudaGetLastError();
  ptr_ = nullptr;
  bytes_ = 0;
}

void Slot::release_memory() {
  for (DeviceBuffer& b : buffers) b.release();
}

// ---- leases ----------------------------------------------------------------------------------------

Lease::Lease() {
  require_device();
  Runtime& r = runtime();
  {
    std::unique_lock<std::mutex> lock(r.mu);
    r.freed.wait(lock, [&r] { return std::find(r.busy, r.busy + kSlots, false) != r.busy + kSlots; });
    index_ = static_cast<int>(std::find(r.busy, r.busy + kSlots, false) - r.busy);
    r.busy[index_] = true;
  }
  try {
    MS_CUDA(cudaSetDevice(r.info.device));
    if (!r.slots[index_]) {
      auto s = std::make_unique<Slot>();
      try {
        create_slot(*s);
      } catch (...) {
        destroy_slot(*s);
        throw;
      }
      r.slots[index_] = std::move(s);
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(r.mu);
    r.busy[index_] = false;
    r.freed.notify_one();
    throw;
  }
  slot_ = r.slots[index_].get();
}

Lease::~Lease() {
  // Nothing queued by this call may outlive it: after an exception, copies into the caller's
  // memory or out of the staging buffers could still be in flight.
  cudaStreamSynchronize(slot_->stream);
  cudaStreamSynchronize(slot_->copy);
  cudaGetLastError();
  Runtime& r = runtime();
  std::lock_guard<std::mutex> lock(r.mu);
  const uint64_t limit = r.limit.load();
  if (limit != 0 && r.in_use.load() > limit) slot_->release_memory();
  r.busy[index_] = false;
  r.freed.notify_one();
}

// ---- copies ----------------------------------------------------------------------------------------

void upload(Slot& s, void* dst_device, const void* src_host, size_t bytes) {
  auto* dst = static_cast<char*>(dst_device);
  const auto* src = static_cast<const char*>(src_host);
  for (size_t off = 0, i = 0; off < bytes; off += kStageBytes, ++i) {
    const size_t len = std::min(kStageBytes, bytes - off);
    const int b = static_cast<int>(i & 1);
    void* stage = s.stage[b].reserve(kStageBytes);
    MS_CUDA(cudaEventSynchronize(s.stage_free[b]));  // its previous transfer has finished
    host_copy(stage, src + off, len);
    MS_CUDA(cudaMemcpyAsync(dst + off, stage, len, cudaMemcpyHostToDevice, s.stream));
    MS_CUDA(cudaEventRecord(s.stage_free[b], s.stream));
  }
}

void download(Slot& s, cudaStream_t stream, void* dst_host, const void* src_device, size_t bytes) {
  auto* dst = static_cast<char*>(dst_host);
  const auto* src = static_cast<const char*>(src_device);
  const size_t chunks = (bytes + kStageBytes - 1) / kStageBytes;
  auto issue = [&](size_t i) {
    const int b = static_cast<int>(i & 1);
    const size_t off = i * kStageBytes, len = std::min(kStageBytes, bytes - off);
    void* stage = s.stage[b].reserve(kStageBytes);
    MS_CUDA(cudaEventSynchronize(s.stage_free[b]));
    MS_CUDA(cudaMemcpyAsync(stage, src + off, len, cudaMemcpyDeviceToHost, stream));
    MS_CUDA(cudaEventRecord(s.stage_free[b], stream));
  };
  for (size_t i = 0; i < std::min<size_t>(chunks, 2); ++i) issue(i);
  for (size_t i = 0; i < chunks; ++i) {
    const int b = static_cast<int>(i & 1);
    const size_t off = i * kStageBytes, len = std::min(kStageBytes, bytes - off);
    MS_CUDA(cudaEventSynchronize(s.stage_free[b]));  // chunk i has arrived
    host_copy(dst + off, s.stage[b].reserve(kStageBytes), len);
    if (i + 2 < chunks) issue(i + 2);
  }
}

// ---- timing ----------------------------------------------------------------------------------------

CallClock::CallClock(Slot& s) : s_(s), t0_(Clock::now()), t_up_(t0_), t_dev_(t0_) {}

void CallClock::uploaded() { t_up_ = Clock::now(); }

void CallClock::kernels_begin() { MS_CUDA(cudaEventRecord(s_.start, s_.stream)); }

void CallClock::kernels_end() { MS_CUDA(cudaEventRecord(s_.stop, s_.stream)); }

void CallClock::kernels_wait() {
  MS_CUDA(cudaEventSynchronize(s_.stop));
  t_dev_ = Clock::now();
}

void CallClock::finish() {
  float device_ms = 0;
  MS_CUDA(cudaEventElapsedTime(&device_ms, s_.start, s_.stop));
  const Clock::time_point end = Clock::now();
  g_last_timing = CallTiming{device_ms, ms_between(t0_, t_up_), ms_between(t_dev_, end), ms_between(t0_, end)};
}

// ---- public ----------------------------------------------------------------------------------------

CudaInfo cuda_info() {
  CudaInfo info = probed_info();
  if (info.available) {
    size_t free_bytes = 0, total_bytes = 0;
    if (cudaSetDevice(info.device) == cudaSuccess && cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      info.free_memory = free_bytes;
    } else {
      cudaGetLastError();
    }
  }
  return info;
}

void set_memory_limit(uint64_t bytes) {
  runtime().limit = bytes;
  if (bytes != 0 && runtime().in_use.load() > bytes) trim_idle_slots();
}

uint64_t memory_limit() { return runtime().limit.load(); }

uint64_t memory_in_use() { return runtime().in_use.load(); }

void release_cached_memory() {
  Runtime& r = runtime();
  std::lock_guard<std::mutex> lock(r.mu);
  for (int i = 0; i < kSlots; ++i) {
    if (r.busy[i] || !r.slots[i]) continue;
    r.slots[i]->release_memory();
    for (PinnedBuffer& p : r.slots[i]->stage) p.release();
  }
}

CallTiming last_call_timing() { return g_last_timing; }

double measure_copy_bandwidth(uint64_t bytes, int repeats) {
  require(bytes >= 1 && repeats >= 1, "copy bandwidth needs bytes >= 1 and repeats >= 1");
  Lease lease;
  Slot& s = lease.slot();
  void* a = s.buffers[kVolA].reserve(bytes, "the copy-bandwidth source");
  void* b = s.buffers[kVolB].reserve(bytes, "the copy-bandwidth destination");
  MS_CUDA(cudaMemsetAsync(a, 1, bytes, s.stream));
  MS_CUDA(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, s.stream));  // warm-up
  float best = std::numeric_limits<float>::infinity();
  for (int i = 0; i < repeats; ++i) {
    MS_CUDA(cudaEventRecord(s.start, s.stream));
    MS_CUDA(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, s.stream));
    MS_CUDA(cudaEventRecord(s.stop, s.stream));
    MS_CUDA(cudaEventSynchronize(s.stop));
    float ms = 0;
    MS_CUDA(cudaEventElapsedTime(&ms, s.start, s.stop));
    best = std::min(best, ms);
  }
  return 2.0 * static_cast<double>(bytes) / (static_cast<double>(best) * 1e-3) / 1e9;
}

}  // namespace cuda
}  // namespace ms
