#include "nn/scratch.h"

#include <cstdlib>
#include <new>

namespace ms {
namespace {

struct Buffer {
  float* data = nullptr;
  int64_t capacity = 0;
  ~Buffer() { std::free(data); }
};

thread_local Buffer t_buffers[static_cast<int>(ScratchSlot::count)];

}  // namespace

float* scratch_floats(ScratchSlot slot, int64_t count) {
  Buffer& b = t_buffers[static_cast<int>(slot)];
  if (count > b.capacity) {
    // Round up so slowly growing requests do not reallocate every time.
    const int64_t capacity = (count + count / 4 + 1023) & ~int64_t{1023};
    void* p = std::aligned_alloc(64, static_cast<size_t>(capacity) * sizeof(float));
    if (!p) throw std::bad_alloc();
    std::free(b.data);
    b.data = static_cast<float*>(p);
    b.capacity = capacity;
  }
  return b.data;
}

}  // namespace ms
