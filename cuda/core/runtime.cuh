// The CUDA side's plumbing, shared by every .cu file: error mapping, the device probe, and a small
// pool of "slots" — each a compute stream, a copy stream, cached device buffers and two pinned
// staging buffers — that kernel calls lease for their duration. Buffers grow and are kept, so a
// dataset run allocates once; two slots let two calls overlap (one's copies with the other's
// kernels).
#pragma once

#include <cuda_runtime.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "cuda/device.h"
#include "core/error.h"

namespace ms {
namespace cuda {

// ---- errors --------------------------------------------------------------------------------------

// Throws the ms::Error for a failed CUDA call: OUT_OF_MEMORY for an allocation failure,
// CUDA_ERROR otherwise; the message names the call, the error's name, code and description.
[[noreturn]] void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line);

inline void check_cuda(cudaError_t err, const char* call, const char* file, int line) {
  if (err != cudaSuccess) throw_cuda_error(err, call, file, line);
}

#define MS_CUDA(call) ::ms::cuda::check_cuda((call), #call, __FILE__, __LINE__)
// After a kernel launch: a bad launch configuration is reported by cudaGetLastError.
#define MS_CUDA_LAUNCH(kernel_name) ::ms::cuda::check_cuda(cudaGetLastError(), "launch of " kernel_name, __FILE__, __LINE__)

// Throws CUDA_UNAVAILABLE (with the probe's reason) unless a usable device was found.
void require_device();

// Blocks for a 1D grid-stride loop over n items: enough to fill the device, never above the
// grid limit (the loop covers the rest).
int grid_for(int64_t n, int threads);

// ---- buffers -------------------------------------------------------------------------------------

// A device allocation that only grows. Bytes are counted against set_memory_limit().
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { release(); }

  // At least `bytes` bytes (contents undefined after growth); `what` names it in errors.
  void* reserve(size_t bytes, const char* what);
  void release();
  size_t capacity() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Page-locked host memory for staging copies.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { release(); }

  void* reserve(size_t bytes);
  void release();

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// The cached device buffers of a slot, by role (one role per buffer, so the steps of a whole
// sample never share one).
enum Buf : int {
  kVolA = 0,   // float volumes (ping-pong)
  kVolB,
  kLabels,     // uint8 labels
  kOut,        // a cast image
  kBlurZ,      // blur taps + reflect indices, per axis
  kBlurY,
  kBlurX,
  kShapes,     // the rasterizer's shape table
  kCounters,   // per-shape coverage counters
  kBiasRows,   // the bias field's per-row cubics and x coordinates
  kBufCount
};

struct Slot {
  cudaStream_t stream = nullptr;  // uploads and kernels
  cudaStream_t copy = nullptr;    // downloads that overlap kernels
  cudaEvent_t start = nullptr, stop = nullptr, mark = nullptr;  // kernel timing; cross-stream mark
  DeviceBuffer buffers[kBufCount];
  PinnedBuffer stage[2];
  cudaEvent_t stage_free[2] = {nullptr, nullptr};  // recorded after the copy that last used stage[i]

  template <typename T>
  T* buffer(Buf b, int64_t count, const char* what) {
    return static_cast<T*>(buffers[b].reserve(static_cast<size_t>(count) * sizeof(T), what));
  }
  void release_memory();
};

// Exclusive use of one slot for the lifetime of the lease; waits while both are busy. On release
// (normal or by exception) it waits for the slot's streams, so no copy outlives the call.
class Lease {
 public:
  Lease();
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Slot& slot() { return *slot_; }

 private:
  Slot* slot_ = nullptr;
  int index_ = -1;
};

// ---- copies --------------------------------------------------------------------------------------

// Host -> device through the slot's pinned staging, on slot.stream: copying chunk i into pinned
// memory overlaps the transfer of chunk i - 1. Returns once `src` may be reused (the transfers
// themselves are queued on the stream, ahead of any kernel launched after).
void upload(Slot& s, void* dst_device, const void* src_host, size_t bytes);

// Device -> host through the staging, on `stream` (slot.stream, or slot.copy after an event):
// the transfer of chunk i + 1 overlaps copying chunk i out of pinned memory. Returns when
// `dst_host` holds the data.
void download(Slot& s, cudaStream_t stream, void* dst_host, const void* src_device, size_t bytes);

// ---- timing --------------------------------------------------------------------------------------

// Collects one call's CallTiming: construct at the call's start, mark the phases, finish at the
// end (it records into the calling thread's last_call_timing()).
class CallClock {
 public:
  explicit CallClock(Slot& s);
  void uploaded();                    // host side of the uploads done
  void kernels_begin();               // records slot.start on slot.stream
  void kernels_end();                 // records slot.stop on slot.stream
  void kernels_wait();                // host waits for slot.stop
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  Slot& s_;
  Clock::time_point t0_, t_up_, t_dev_;
};

}  // namespace cuda
}  // namespace ms
