// Runs a native task on libuv's worker pool and settles a Promise with its result.
// The task must touch only plain C++ data (the "baton" it captured) and buffers kept alive by
// `keep_alive`; it never sees V8. Copies of ordinary buffers taken by typed_view for this call
// (buffer_staging.h) belong to the task and go back when it completes. Any exception becomes a rejection carrying the error's code.
#pragma once

#include <napi.h>

#include <functional>
#include <initializer_list>

namespace msb {

using NativeTask = std::function<void()>;
using ResultBuilder = std::function<Napi::Value(Napi::Env)>;

// Queues `task`; resolves with `result(env)` (undefined when empty) once it has run.
Napi::Value queue_task(Napi::Env env, NativeTask task, std::initializer_list<Napi::Value> keep_alive,
                       ResultBuilder result = nullptr);

// A JS Error with `.code`, the shape MedsynthError's constructor in lib/errors.ts recognises.
Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message);

}  // namespace msb
