#include "filter/binary_dilation.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

// One row: rows[x] = 1 when seed[x - r … x + r] (clipped) holds a set byte.
void dilate_row(const uint8_t* MS_RESTRICT seed, int64_t w, int64_t r, uint8_t* MS_RESTRICT rows) {
  int64_t count = 0;
  for (int64_t x = 0; x <= std::min(r, w - 1); ++x) count += seed[x] != 0;
  for (int64_t x = 0; x < w; ++x) {
    rows[x] = count > 0;
    if (x + r + 1 < w) count += seed[x + r + 1] != 0;
    if (x - r >= 0) count -= seed[x - r] != 0;
  }
}

// count[x] += sign · row[x] over a whole row: the column window moving by one row.
MS_SIMD_CLONES void add_row(int32_t* MS_RESTRICT count, const uint8_t* MS_RESTRICT row, int64_t w, int32_t sign) {
  for (int64_t x = 0; x < w; ++x) count[x] += sign * static_cast<int32_t>(row[x]);
}

MS_SIMD_CLONES void store_nonzero(const int32_t* MS_RESTRICT count, int64_t w, uint8_t* MS_RESTRICT out) {
  for (int64_t x = 0; x < w; ++x) out[x] = count[x] > 0;
}

// One slice; rows: [h, w] scratch, count: [w] scratch.
void dilate_slice(const uint8_t* seed, int64_t h, int64_t w, int64_t r, uint8_t* rows, int32_t* count, uint8_t* out) {
  for (int64_t y = 0; y < h; ++y) dilate_row(seed + y * w, w, r, rows + y * w);
  std::fill(count, count + w, 0);
  for (int64_t y = 0; y <= std::min(r, h - 1); ++y) add_row(count, rows + y * w, w, 1);
  for (int64_t y = 0; y < h; ++y) {
    store_nonzero(count, w, out + y * w);
    if (y + r + 1 < h) add_row(count, rows + (y + r + 1) * w, w, 1);
    if (y - r >= 0) add_row(count, rows + (y - r) * w, w, -1);
  }
}

}  // namespace

void dilate_slices_square(const uint8_t* seed, int64_t slices, int64_t h, int64_t w, int64_t radius, uint8_t* out) {
  require(slices >= 0 && h >= 1 && w >= 1, "dilation needs h, w >= 1 and slices >= 0");
  require(radius >= 0, "dilation radius must be >= 0");
  const int64_t r = std::min(radius, std::max(h, w));  // a wider window changes nothing
  const int64_t plane = h * w;
  // About 64 KiB of pixels per task, at least one slice.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / plane);
  parallel_for(slices, grain, [&](int64_t s0, int64_t s1) {
    std::vector<uint8_t> rows(static_cast<size_t>(plane));
    std::vector<int32_t> count(static_cast<size_t>(w));
    for (int64_t s = s0; s < s1; ++s) dilate_slice(seed + s * plane, h, w, r, rows.data(), count.data(), out + s * plane);
  });
}

}  // namespace ms
