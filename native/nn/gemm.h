// fp32 GEMM for the training engine: C = alpha · op(A) · op(B) + beta · C, row-major.
//
// Blocked and packed (Goto / BLIS): op(A) is packed into MR-row panels and op(B) into NR-column
// panels, KC deep, and an MR×NR register-tile microkernel runs over them. Microkernels: AVX-512
// (8×48), AVX2+FMA (6×16) and a scalar one (4×8), chosen once at run time from the CPU.
//
// Numbers. Every C element is one fused multiply-add chain over k in order 0..K-1, restarted per
// KC-deep block: acc = Σ_k fma(a, b, acc) over the block, then C = alpha·acc + beta·C (separate
// multiply and add) for the first block and C = alpha·acc + C after it. The chain does not depend
// on the tile an element falls in nor on the thread that computes it, so the result is the same
// bytes for any thread count, and the AVX-512 and AVX2 kernels give the same bytes as each other.
// The scalar kernel (CPUs without FMA) multiplies and adds separately (-ffp-contract=off), so it
// rounds differently: results differ from the FMA kernels by float rounding only.
//
// The plain reference for a later CUDA twin in cuda/nn/ is simply the definition above.
#pragma once

#include <cstdint>
#include <functional>

namespace ms {

// C[m×n] (row stride ldc) = alpha · op(A)[m×k] · op(B)[k×n] + beta · C. op(A) is A (m×k, row
// stride lda) or, with trans_a, the transpose of A stored k×m. Likewise op(B). beta == 0 never
// reads C (it may hold NaN). k == 0 gives C = beta · C.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// A packer writes the block of an operand whose "rows" are [r0, r0 + rows) (rows of op(A), or
// columns of op(B)) and whose depth is [k0, k0 + kc) into panels of `panel` rows:
//   dst[(r / panel) · panel · kc + kk · panel + r % panel] = op(r0 + r, k0 + kk),
// zero-filling rows past `rows` up to the next multiple of `panel`. Convolution uses custom
// packers to read im2col columns straight from the image (implicit GEMM, no column buffer).
using GemmPacker = std::function<void(int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel, float* dst)>;

// sgemm with operands given by packers; C as in sgemm. Packers are called from pool threads
// concurrently and must only read shared data. `parallel` false runs on the calling thread (for
// callers that already share out independent GEMMs).
void sgemm_packed(int64_t m, int64_t n, int64_t k, float alpha, const GemmPacker& pack_a, const GemmPacker& pack_b,
                  float beta, float* c, int64_t ldc, bool parallel = true);

// sgemm with op(B) read in place: op(B)(p, j) = b[row_offset[p] + j]. Every row is read up to
// the next multiple of the register tile width past n (up to 47 floats beyond b[row_offset[p] +
// n − 1]): the caller keeps that memory readable. Convolution points the rows at shifted windows
// of a padded image, so op(B) — the im2col matrix — is never written out.
void sgemm_rows(int64_t m, int64_t n, int64_t k, float alpha, const GemmPacker& pack_a, const float* b,
                const int64_t* row_offset, float beta, float* c, int64_t ldc, bool parallel = true);

// A packer for rows scattered in memory, each contiguous along k:
// op(r, kk) = base[row_offset[r] + kk]. Transposes 16×16 blocks in registers on AVX-512.
GemmPacker row_offset_packer(const float* base, const int64_t* row_offset);

// A packer for a plain strided matrix: op(r, kk) = data[r · row_stride + kk · k_stride].
GemmPacker strided_packer(const float* data, int64_t row_stride, int64_t k_stride);

enum class GemmIsa { scalar, avx2, avx512 };

// The kernel set in use: the best the CPU supports unless set_gemm_isa chose another.
GemmIsa gemm_isa();
const char* gemm_isa_name(GemmIsa isa);
// Tests and benchmarks: forces a kernel set. Returns false (and changes nothing) when the CPU
// lacks it.
bool set_gemm_isa(GemmIsa isa);
bool gemm_isa_supported(GemmIsa isa);

}  // namespace ms
