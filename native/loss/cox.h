// Cox proportional hazards loss: the negative log partial likelihood of risk scores η (log
// relative hazards), averaged over events, and its gradient with respect to η. With tie groups
// of equal time t_g, d_g events D_g, risk sets R_g = {j : t_j >= t_g} and E events in all:
//   Breslow: −ℓ = Σ_g [ d_g·log Σ_{R_g} e^η − Σ_{D_g} η ]
//   Efron:   −ℓ = Σ_g [ Σ_{l<d_g} log(Σ_{R_g} e^η − (l/d_g)·Σ_{D_g} e^η) − Σ_{D_g} η ]
//   loss = −ℓ / E.
// One stable sort by time, then cumulative sums: O(n log n) (radix sort: O(n)) in float64,
// with log-sum-exp against a running maximum over the growing risk sets.
#pragma once

#include <cstdint>

namespace ms {

enum class CoxTies { kBreslow, kEfron };

// risk, time, event, grad: [n]; event holds 0 (censored) or 1 (event). grad (nullable) is
// assigned d loss / d risk. Throws INVALID_ARGUMENT for non-finite risk or time, an event value
// other than 0/1, or no events at all (the partial likelihood is then undefined).
template <typename R, typename Tm>
double cox_loss(const R* risk, const Tm* time, const uint8_t* event, int64_t n, CoxTies ties, R* grad);

}  // namespace ms
