// Where a kernel call runs. Every domain binding reads its arguments once and then runs the CPU
// kernel or its CUDA twin (same name and signature, cuda/device.h) by the params' `device` field:
//   params.device: 'cpu' (or absent) | 'cuda'
// A CPU call resolves with undefined, a CUDA call with its timing {deviceMs, uploadMs,
// downloadMs, totalMs}; in a build without CUDA a CUDA call rejects with CUDA_UNAVAILABLE.
#pragma once

#include <napi.h>

#include <initializer_list>

#include "async_task.h"

namespace msb {

enum class Device { kCpu, kCuda };

// o.device as a Device (INVALID_ARGUMENT for anything but 'cpu', 'cuda' or undefined).
Device device_field(const Napi::Object& o);

// The CPU kernel or its CUDA twin: on_device(d, ms::gaussian_blur, ms::cuda::gaussian_blur).
template <typename Fn>
Fn* on_device(Device d, Fn* cpu, Fn* cuda) {
  return d == Device::kCuda ? cuda : cpu;
}

// Queues `task` (which calls the kernel on_device picked) and settles as described above.
Napi::Value queue_on(Napi::Env env, Device d, NativeTask task, std::initializer_list<Napi::Value> keep_alive);

}  // namespace msb
