// Buffer lifetime for native calls. JS can take a buffer's memory away while a call runs:
// detaching it (structuredClone/postMessage transfer, ArrayBuffer.prototype.transfer) hands the
// memory to another owner that GC may free, and shrinking a resizable ArrayBuffer decommits
// pages. N-API gives no way to pin an ordinary ArrayBuffer, so:
//   - resizable ArrayBuffers and growable SharedArrayBuffers are refused (INVALID_ARGUMENT);
//   - SharedArrayBuffer-backed arrays cannot be detached or shrunk: zero copy;
//   - an ordinary ArrayBuffer-backed array is copied into native memory when its view is taken
//     (on the JS thread, before JS can run again); when the call completes, back on the JS
//     thread, the copy is written back only if it changed, and only if the array is still
//     attached with its original length — otherwise the call fails with BUFFER_DETACHED. Only
//     arrays the binding declares written (Access::kWrite / kReadWrite) go back: an input the
//     caller changed meanwhile keeps the caller's change.
// Measured (256³ float32, 2 threads): copying costs 4-6 ms per 64 MiB on reused memory, so an
// ordinary-array call of a memory-bound kernel (affine 3 ms, gaussian blur 14 ms) gets slower;
// SharedArrayBuffer-backed arrays keep the zero-copy path.
// The kernel therefore only ever touches memory JS cannot reclaim. Views taken during one
// exported call are "pending" until queue_task adopts them or the call returns (sync calls
// write back at once; see wrap_exports).
// Synchronous-only exports (register_synchronous: the engine's nn ops, thousands of calls per
// training step) get no copies: only the thread that owns an ArrayBuffer can detach or resize
// it, and that thread is blocked in the call, so their views are the arrays' own memory (the
// resizable/growable refusal still applies).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace msb {

// Native memory for copies, recycled: fresh pages cost more to fault in than the copy itself
// (measured: 37 ms to copy 64 MiB into new memory vs 4 ms into reused memory).
struct StagingBlock {
  uint8_t* data = nullptr;
  size_t capacity = 0;
};
StagingBlock acquire_staging(size_t bytes);  // data == nullptr when out of memory
void release_staging(StagingBlock block);

// kWrite: the kernel overwrites every element, so the copy needs no copy-in (one pass less).
enum class Access { kRead, kWrite, kReadWrite };

// One ordinary buffer's native copy and the array it must go back to.
struct StagedBuffer {
  Napi::Reference<Napi::Value> array;  // the TypedArray the copy was taken from
  size_t byte_offset = 0;              // of the view within its ArrayBuffer
  size_t bytes = 0;
  StagingBlock block;
  uint8_t* copy() const { return block.data; }
  ~StagedBuffer() { release_staging(block); }
  bool written = false;  // the binding writes it: the copy goes back when the call succeeds
  bool filled = false;   // the copy holds the array's bytes (not needed when only written whole)
};
using StagedBuffers = std::vector<std::shared_ptr<StagedBuffer>>;

// Returns the pointer a kernel may use for `array`'s elements: its own memory when the array is
// backed by a SharedArrayBuffer, else a native copy registered as pending for this call. Throws
// INVALID_ARGUMENT for resizable or growable backing buffers.
void* stage_typed_array(const Napi::TypedArray& array, const char* name, Access access);

// Hands the pending copies of the current call to its task (and forgets them here).
StagedBuffers take_pending_buffers();

// Writes the copies of written arrays back. Call on the JS thread only. Returns an empty
// string on success, else the message of a BUFFER_DETACHED error (nothing is written then for
// the arrays that were detached or resized; the others are still written).
std::string write_back(Napi::Env env, const StagedBuffers& staged);

// Calls `register_fn(env, exports)` and records the functions it adds as synchronous:
// wrap_exports leaves them as they are, and typed_view hands them the arrays' own memory.
void register_synchronous(Napi::Env env, Napi::Object exports, void (*register_fn)(Napi::Env, Napi::Object));

// Replaces every function on `exports` but the synchronous ones with a trampoline that starts a fresh pending set, calls
// the binding, writes back what a synchronous binding changed and drops what a failed call
// staged. Call once, after every register_* function.
void wrap_exports(Napi::Env env, Napi::Object exports);

}  // namespace msb
