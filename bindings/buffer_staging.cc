#include "buffer_staging.h"

#include <cstring>
#include <new>
#include <set>

#include "async_task.h"

namespace msb {
namespace {

// Copies taken during the exported call now running on this thread (the JS thread of one
// environment; worker_threads each have their own).
thread_local StagedBuffers pending;
// True while a wrapped (possibly asynchronous) export runs on this thread: only then are
// ordinary buffers copied.
thread_local bool staging_call = false;

// Names of the exports register_synchronous recorded (the same in every environment).
std::mutex synchronous_mutex;
std::set<std::string> synchronous_names;

size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

struct ArrayInfo {
  void* data = nullptr;
  size_t bytes = 0;
  size_t byte_offset = 0;
  napi_value buffer = nullptr;
};

ArrayInfo array_info(napi_env env, napi_value array) {
  ArrayInfo info;
  napi_typedarray_type type;
  size_t length = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, array, &type, &length, &info.data, &info.buffer,
                                                     &info.byte_offset),
                       ArrayInfo());
  info.bytes = length * element_size(type);
  return info;
}

// Blocks kept for reuse, at most kPoolBytes in all; a block serves requests from half its size up.
constexpr size_t kPoolBytes = size_t{1} << 30;
std::mutex pool_mutex;
std::vector<StagingBlock> pool;
size_t pool_bytes = 0;

bool flag(const Napi::Object& buffer, const char* key) { return buffer.Get(key).ToBoolean().Value(); }

}  // namespace

StagingBlock acquire_staging(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(pool_mutex);
    for (size_t i = 0; i < pool.size(); ++i) {
      if (pool[i].capacity >= bytes && pool[i].capacity / 2 <= bytes) {
        const StagingBlock block = pool[i];
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(i));
        pool_bytes -= block.capacity;
        return block;
      }
    }
  }
  return StagingBlock{new (std::nothrow) uint8_t[bytes], bytes};
}

void release_staging(StagingBlock block) {
  if (block.data == nullptr) return;
  std::lock_guard<std::mutex> lock(pool_mutex);
  // Keep the newest blocks: evict the oldest until this one fits.
  while (!pool.empty() && pool_bytes + block.capacity > kPoolBytes) {
    delete[] pool.front().data;
    pool_bytes -= pool.front().capacity;
    pool.erase(pool.begin());
  }
  if (block.capacity > kPoolBytes) {
    delete[] block.data;
    return;
  }
  pool.push_back(block);
  pool_bytes += block.capacity;
}

void* stage_typed_array(const Napi::TypedArray& array, const char* name, Access access) {
  Napi::Env env = array.Env();
  const ArrayInfo info = array_info(env, array);
  const Napi::Object buffer(env, info.buffer);
  bool ordinary = false;
  NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, info.buffer, &ordinary), nullptr);
  if (ordinary ? flag(buffer, "resizable") : flag(buffer, "growable")) {
    throw make_error(env, "INVALID_ARGUMENT",
                     std::string(name) + " is backed by a resizable or growable buffer; pass an array over a fixed-length ArrayBuffer or SharedArrayBuffer");
  }
  // A SharedArrayBuffer can be neither detached nor shrunk; an empty view has nothing to lose.
  // Outside a wrapped call (a synchronous export) JS cannot run until the call returns.
  if (!staging_call || !ordinary || info.bytes == 0) return info.data;

  // Views of one call are compared by the memory they cover now, on the JS thread.
  const auto* begin = static_cast<const uint8_t*>(info.data);
  for (const auto& s : pending) {
    const auto* other = static_cast<const uint8_t*>(array_info(env, s->array.Value()).data);
    if (other == begin && s->bytes == info.bytes) {
      // The same view passed twice (in-place work) shares one copy, filled if either use reads it.
      s->written = s->written || access != Access::kRead;
      if (!s->filled && access != Access::kWrite) {
        std::memcpy(s->copy(), info.data, info.bytes);
        s->filled = true;
      }
      return s->copy();
    }
    const bool overlap = begin < other + s->bytes && other < begin + info.bytes;
    if (overlap && (s->written || access != Access::kRead)) {
      // Separate copies would hide the aliasing the kernel was written against.
      throw make_error(env, "INVALID_ARGUMENT", std::string(name) + " partially overlaps another array of the call");
    }
  }
  auto staged = std::make_shared<StagedBuffer>();
  staged->block = acquire_staging(info.bytes);
  if (staged->copy() == nullptr) {
    throw make_error(env, "OUT_OF_MEMORY", std::string("cannot allocate a native copy of ") + name + " (" +
                                               std::to_string(info.bytes) + " bytes)");
  }
  if (access != Access::kWrite) std::memcpy(staged->copy(), info.data, info.bytes);
  staged->array = Napi::Persistent(Napi::Value(array));
  staged->byte_offset = info.byte_offset;
  staged->bytes = info.bytes;
  staged->written = access != Access::kRead;
  staged->filled = access != Access::kWrite;
  pending.push_back(staged);
  return staged->copy();
}

StagedBuffers take_pending_buffers() {
  StagedBuffers taken;
  taken.swap(pending);
  return taken;
}

std::string write_back(Napi::Env env, const StagedBuffers& staged) {
  std::string lost;
  for (const auto& s : staged) {
    if (!s->written) continue;
    const ArrayInfo now = array_info(env, s->array.Value());
    bool detached = false;
    napi_is_detached_arraybuffer(env, now.buffer, &detached);
    if (detached || now.bytes != s->bytes || now.byte_offset != s->byte_offset) {
      lost += lost.empty() ? "" : "; ";
      lost += "an output array (" + std::to_string(s->bytes) + " bytes) was detached or resized while the call ran";
      continue;
    }
    std::memcpy(now.data, s->copy(), s->bytes);
  }
  return lost.empty() ? lost : lost + "; its result was discarded";
}

void register_synchronous(Napi::Env env, Napi::Object exports, void (*register_fn)(Napi::Env, Napi::Object)) {
  const Napi::Array before = exports.GetPropertyNames();
  std::set<std::string> existing;
  for (uint32_t i = 0; i < before.Length(); ++i) existing.insert(before.Get(i).As<Napi::String>().Utf8Value());
  register_fn(env, exports);
  const Napi::Array after = exports.GetPropertyNames();
  std::lock_guard<std::mutex> lock(synchronous_mutex);
  for (uint32_t i = 0; i < after.Length(); ++i) {
    std::string name = after.Get(i).As<Napi::String>().Utf8Value();
    if (existing.count(name) == 0) synchronous_names.insert(std::move(name));
  }
}

void wrap_exports(Napi::Env env, Napi::Object exports) {
  const Napi::Array keys = exports.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const Napi::Value key = keys.Get(i);
    const Napi::Value value = exports.Get(key);
    if (!value.IsFunction()) continue;
    const std::string name = key.As<Napi::String>().Utf8Value();
    {
      std::lock_guard<std::mutex> lock(synchronous_mutex);
      if (synchronous_names.count(name) != 0) continue;
    }
    auto binding = std::make_shared<Napi::FunctionReference>(Napi::Persistent(value.As<Napi::Function>()));
    exports.Set(key, Napi::Function::New(env, [binding](const Napi::CallbackInfo& info) -> Napi::Value {
      pending.clear();
      std::vector<napi_value> args(info.Length());
      for (size_t a = 0; a < args.size(); ++a) args[a] = info[a];
      Napi::Value result;
      staging_call = true;
      try {
        result = binding->Call(info.This(), args);
      } catch (...) {
        staging_call = false;
        pending.clear();
        throw;
      }
      staging_call = false;
      // A synchronous binding ran on the copies with JS stopped: what it wrote goes back now.
      const StagedBuffers left = take_pending_buffers();
      const std::string lost = write_back(info.Env(), left);
      if (!lost.empty()) throw make_error(info.Env(), "BUFFER_DETACHED", lost);
      return result;
    }, name));
  }
}

}  // namespace msb
