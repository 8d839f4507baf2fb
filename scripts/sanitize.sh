#!/usr/bin/env bash
# The native kernels' tests under AddressSanitizer + UndefinedBehaviorSanitizer: builds the addon
# in build-asan/ (its own CMake build, CUDA off) and runs the vitest files that exercise the
# kernels and bindings against it. Exit status: vitest's (an ASan or UBSan report kills the
# worker, which fails its file).
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile --out build-asan --CDMEDSYNTH_SANITIZE=ON --CDMEDSYNTH_CUDA=OFF >/dev/null

addon="$PWD/build-asan/Release/medsynth.node"
# Node itself is not instrumented: the ASan runtime must be loaded first. Leak checking is off
# (V8 keeps memory until exit by design); UBSan prints a stack and stops at its first report.
asan_runtime="$(gcc -print-file-name=libasan.so)"
export LD_PRELOAD="$asan_runtime"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export MEDSYNTH_ADDON="$addon"

files=(
  test/buffer_lifetime.test.ts test/gaussian_blur.test.ts test/noise.test.ts test/bias_field.test.ts
  test/intensity.test.ts test/labels.test.ts test/rasterize.test.ts test/philox.test.ts test/thread_pool.test.ts
  test/loss_cox.test.ts test/loss_dice_bce.test.ts test/loss_focal_tversky.test.ts
  test/metric_segmentation.test.ts test/metric_c_index.test.ts test/metric_calibration.test.ts test/metric_correlation.test.ts
  test/clinical_render.test.ts test/finite_check.test.ts test/oct_render.test.ts test/warp.test.ts
  test/warp_paths.test.ts
  test/nn/ops.test.ts test/nn/conv.test.ts test/nn/layers.test.ts test/nn/optim.test.ts
  test/binary_dilation.test.ts test/metric_pixel_maps.test.ts
)
echo "sanitize: ${#files[@]} test files against $addon (ASan + UBSan)"
npx vitest run "${files[@]}" "$@"
