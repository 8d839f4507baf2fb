// A batch of 2D "mammography-like" images, one per sample, each a pure function of its
// parameter row and its Philox key (seed, sample index): the renderer of lib/generators/clinical2d.
// The generator decides every parameter (density, lesion, scanner); this kernel only draws.
//
// For sample j (row p = params + j·kClinical2dStride, global index i = p[kIndex]):
//   The parenchyma field T is drawn on a coarse grid of step f = max(1, floor(σ_tex / 3)) pixels
//   (coarse node (a, b) sits at pixel (a·f, b·f)), which a field this smooth loses nothing to:
//   Wc    = N[0 .. (hc + 2m)·(wc + 2m)) of key (seed, i, texture_stream), as an (hc + 2m, wc + 2m)
//           grid with hc = ceil((H − 1)/f) + 1 (at least 2 when f > 1), wc alike, and a margin of
//           m = ceil(3σ_tex/f) nodes so the blur's reflected border stays outside the image
//   Tc    = the (hc, wc) interior of gaussian_blur(Wc, σ_tex / f) / s_tex,  s_tex = Σ_k w_k²
//   T     = Tc interpolated bilinearly to every pixel and divided by the interpolant's SD,
//           √(v(t_y)·v(t_x)) with v(t) = (1 − t)² + t² + 2t(1 − t)·ρ1 and ρ1 = Σ_k w_k·w_{k+1} / Σ_k w_k²
//           the field's lag-1 correlation, so T has unit variance at every pixel (T = Tc when f = 1)
//   B     = b0 + b1·logistic((T − t) / texture_edge) + b2·T             background: fat level b0, dense
//           tissue (T above threshold t) b1 brighter, b2 fine texture
//   L     = c·logistic((R(θ) − ρ) / lesion_edge)                        lesion (c = 0: none), with
//           (u, v) = rotate(x − cx, y − cy; −ψ) · (1/√e, √e), ρ = |(u, v)|, θ = atan2(v, u) and
//           R(θ) = r·(1 + Σ_{k=3,4,5} (α_k cos kθ + β_k sin kθ))     (elongation e, lobulation α, β),
//           evaluated out to 12 lesion_edge beyond the outline (the rest is < 6e-6·c)
//   out   = gaussian_blur(B + L, σ_psf) + noise_sigma·N'                scanner PSF, then detector noise,
//           N' = N[0 .. H·W) of key (seed, i, noise_stream)
// Pixel (y, x) has its centre at coordinates (x, y). Blurs are gaussian_blur's (scipy semantics,
// truncate 4, reflect border); the noise is gaussian_noise's. Samples are rendered independently,
// so the output does not depend on the batch they come in or on the thread count.
#pragma once

#include <cstdint>

namespace ms {

// Layout of one sample's parameter row (float64).
enum Clinical2dParam : int {
  kC2Index = 0,       // global sample index i (Philox sample word), integer in [0, 2^32)
  kC2PsfSigma,        // scanner PSF sigma, px (0: none)
  kC2Threshold,       // t: dense-tissue threshold on the unit-variance field
  kC2Fat,             // b0
  kC2Dense,           // b1
  kC2Fine,            // b2
  kC2Contrast,        // c (0: no lesion)
  kC2Cx,              // lesion centre x, px
  kC2Cy,              // lesion centre y, px
  kC2Radius,          // r, px (> 0 when c != 0)
  kC2Elongation,      // e >= 1: semi-axes r·√e and r/√e
  kC2Orientation,     // ψ, radians
  kC2Lobe3c, kC2Lobe3s, kC2Lobe4c, kC2Lobe4s, kC2Lobe5c, kC2Lobe5s,
  kClinical2dStride   // doubles per row
};

struct Clinical2dOptions {
  int64_t height = 0, width = 0;
  uint64_t seed = 0;
  uint32_t texture_stream = 0, noise_stream = 0;
  double texture_sigma = 0;   // px, > 0
  double texture_edge = 0;    // > 0, in units of the field's SD
  double lesion_edge = 0;     // > 0, px
  double noise_sigma = 0;     // >= 0
};

// out: (n, height, width) float32; params: (n, kClinical2dStride) float64.
void render_clinical2d(const Clinical2dOptions& options, const double* params, int64_t n, float* out);

// Coarse grid step f of the parenchyma field for texture_sigma.
int64_t clinical2d_texture_step(double texture_sigma);

}  // namespace ms
