// A batch of 2D OCT-like B-scans of a layered retina, one per sample, each a pure function of its
// parameter row and its Philox key (seed, sample index): the renderer behind
// lib/generators/longitudinal. The generator decides every parameter (from the latent z); this
// kernel only draws.
//
// Depth y grows downwards (pixel (y, x) has its centre at (x, y)). For sample j (row p):
//   u(x)   = (x − (W − 1)/2) / ((W − 1)/2)                      (0 when W = 1): −1 … 1 across the scan
//   B(x)   = bruch + curvature·u² + tilt·u                       Bruch's membrane depth, px
//   d(x)   = Σ_{k < drusen_count} h_k·exp(−(x − m_k)² / (2 w_k²))  drusen: the RPE lifted off Bruch's
//   P(x)   = exp(−(x − pit_centre)² / (2 pit_width²))            foveal pit profile
//   t_l(x) = thickness·fraction_l·(1 − pit_weight_l·pit_depth·P(x))   thickness of layer l, px
// Boundaries, top to bottom (layers l = 0 RNFL, 1 GCL+IPL, 2 INL, 3 OPL, 4 ONL, 5 photoreceptors,
// 6 RPE are stacked upwards from the RPE's lower edge):
//   b_8 = B,  b_7 = B − d,  b_l = b_{l+1} − t_l  (l = 6 … 0; b_0 is the ILM)
// Reflectivity with soft boundaries (edge width e px), regions r_0 vitreous, r_1..r_7 the layers
// 0..6, r_8 drusen material (between b_7 and b_8), r_9 choroid:
//   R(y, x) = r_0 + Σ_{k=0..8} (r_{k+1} − r_k)·logistic((y − b_k(x)) / e)
//   A(y, x) = exp(−attenuation·max(0, y − b_0(x)))               light lost below the ILM
// Speckle: S = gaussian_blur(N, (grain_axial, grain_lateral)) / √(Σw_y²·Σw_x²), N = N[0 .. H·W)
// of key (seed, i, speckle_stream): unit variance away from the borders (scipy reflect border);
//   out = gain·R·A·exp(speckle·S − speckle²/2) + noise_sigma·N'   N' of key (seed, i, noise_stream)
// (log-normal multiplicative speckle with mean 1, then additive detector noise). Blurs are
// gaussian_blur's (truncate 4), noise is normal_noise / gaussian_noise's. Samples are independent,
// so the output does not depend on the batch or the thread count.
#pragma once

#include <cstdint>

namespace ms {

constexpr int kOctLayers = 7;                    // RNFL, GCL+IPL, INL, OPL, ONL, PR, RPE
constexpr int kOctRegions = kOctLayers + 3;      // + vitreous, drusen material, choroid
constexpr int kOctMaxDrusen = 8;

// Layout of one sample's parameter row (float64).
enum OctParam : int {
  kOctIndex = 0,      // global sample index i (Philox sample word), integer in [0, 2^32)
  kOctBruch,          // Bruch's membrane depth at the scan centre, px
  kOctCurvature,      // extra depth at the scan edges (u = ±1), px; > 0 edges deeper
  kOctTilt,           // depth change from centre to the right edge, px
  kOctThickness,      // total retinal thickness (ILM to RPE base) away from the pit, px, > 0
  kOctPitDepth,       // fraction of the pit-weighted layers removed at the pit centre, [0, 1]
  kOctPitCentre,      // px
  kOctPitWidth,       // px, > 0
  kOctGain,           // overall intensity, >= 0
  kOctAttenuation,    // per px below the ILM, >= 0
  kOctSpeckle,        // log-SD of the multiplicative speckle, [0, 10]
  kOctDrusenCount,    // integer in [0, kOctMaxDrusen]
  kOctDrusen,         // kOctMaxDrusen × (centre m_k px, width w_k px > 0, height h_k px >= 0)
  kOctStride = kOctDrusen + 3 * kOctMaxDrusen
};

struct OctOptions {
  int64_t height = 0, width = 0;
  uint64_t seed = 0;
  uint32_t speckle_stream = 0, noise_stream = 0;
  double reflectivity[kOctRegions] = {};  // r_0 … r_9, finite
  double fraction[kOctLayers] = {};       // >= 0: share of `thickness` per layer
  double pit_weight[kOctLayers] = {};     // <= 1: how much the pit thins each layer (< 0 thickens)
  double edge = 0;                        // e, px, > 0
  double grain_axial = 0, grain_lateral = 0;  // speckle grain sigmas, px, >= 0
  double noise_sigma = 0;                 // >= 0
};

// out: (n, height, width) float32; params: (n, kOctStride) float64.
void render_oct_layers(const OctOptions& options, const double* params, int64_t n, float* out);

}  // namespace ms
