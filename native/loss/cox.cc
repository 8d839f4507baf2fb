#include "loss/cox.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "core/sort_order.h"

namespace ms {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log(e^a + e^b), exact for −inf operands.
inline double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double hi = std::max(a, b), lo = std::min(a, b);
  return hi + std::log1p(std::exp(lo - hi));
}

template <typename R, typename Tm>
void validate(const R* risk, const Tm* time, const uint8_t* event, int64_t n, int64_t* events) {
  require(n >= 1, "risk must hold at least one element");
  require(n <= int64_t{0xFFFFFFFF}, "too many subjects");
  int64_t e = 0;
  bool bad_risk = false, bad_time = false, bad_event = false;
  for (int64_t i = 0; i < n; ++i) {
    bad_risk |= !std::isfinite(static_cast<double>(risk[i]));
    bad_time |= !std::isfinite(static_cast<double>(time[i]));
    bad_event |= event[i] > 1;
    e += event[i] == 1;
  }
  require(!bad_risk, "risk must hold finite numbers");
  require(!bad_time, "time must hold finite numbers");
  require(!bad_event, "event must hold only 0 (censored) and 1 (event)");
  require(e > 0, "the Cox partial likelihood is undefined when every subject is censored (no events)");
  *events = e;
}

}  // namespace

template <typename R, typename Tm>
double cox_loss(const R* risk, const Tm* time, const uint8_t* event, int64_t n, CoxTies ties, R* grad) {
  int64_t events = 0;
  validate(risk, time, event, n, &events);

  // by_time[k]: subject at position k in DEScending time (the ascending order reversed).
  std::vector<uint32_t> by_time(static_cast<size_t>(n));
  std::vector<uint64_t> time_key(static_cast<size_t>(n));  // equal exactly when times are equal
  sort_order(time, n, by_time.data(), time_key.data());
  std::reverse(by_time.begin(), by_time.end());
  std::reverse(time_key.begin(), time_key.end());

  // Pass 1, descending time: the risk set only grows. Per tie group g keep log c_g, with c_g
  // the coefficient of e^{η_k} in d(−ℓ)/dη_k for a subject k at risk at t_g (k ∉ D_g), and
  // log c'_g for k ∈ D_g (Efron weighs its own group's denominators by 1 − l/d_g):
  //   Breslow: c_g = c'_g = d_g / Σ_{R_g} e^η
  //   Efron:   c_g = Σ_l 1/den_l,  c'_g = Σ_l (1 − l/d_g)/den_l,  den_l = Σ_{R_g} e^η − (l/d_g) Σ_{D_g} e^η
  // All e^η are scaled by e^{−m}, m the running maximum of η over the risk set.
  std::vector<uint32_t> group_of(static_cast<size_t>(n));
  std::vector<double> log_c, log_c_own;
  double m = kNegInf, s = 0.0, nll = 0.0;
  for (int64_t begin = 0; begin < n;) {
    int64_t end = begin + 1;
    while (end < n && time_key[end] == time_key[begin]) ++end;
    const auto g = static_cast<uint32_t>(log_c.size());
    for (int64_t k = begin; k < end; ++k) {
      group_of[k] = g;
      const double eta = static_cast<double>(risk[by_time[k]]);
      if (eta > m) {
        s = s * std::exp(m - eta) + 1.0;
        m = eta;
      } else {
        s += std::exp(eta - m);
      }
    }
    int64_t d = 0;
    double eta_events = 0.0, s_events = 0.0;
    for (int64_t k = begin; k < end; ++k) {
      const uint32_t i = by_time[k];
      if (event[i]) {
        const double eta = static_cast<double>(risk[i]);
        ++d;
        eta_events += eta;
        s_events += std::exp(eta - m);
      }
    }
    if (d == 0) {
      log_c.push_back(kNegInf);
      log_c_own.push_back(kNegInf);
    } else if (ties == CoxTies::kBreslow || d == 1) {
      const double log_r = m + std::log(s);
      nll += static_cast<double>(d) * log_r - eta_events;
      log_c.push_back(std::log(static_cast<double>(d)) - log_r);
      log_c_own.push_back(log_c.back());
    } else {
      double inv = 0.0, inv_own = 0.0;
      for (int64_t l = 0; l < d; ++l) {
        const double f = static_cast<double>(l) / static_cast<double>(d);
        const double den = s - f * s_events;  // >= s_events / d > 0
        nll += m + std::log(den);
        inv += 1.0 / den;
        inv_own += (1.0 - f) / den;
      }
      nll -= eta_events;
      log_c.push_back(std::log(inv) - m);
      log_c_own.push_back(std::log(inv_own) - m);
    }
    begin = end;
  }
  const double inv_events = 1.0 / static_cast<double>(events);
  if (grad == nullptr) return nll * inv_events;

  // Pass 2, ascending time: later[g] = log Σ c_h over the groups h with t_h < t_g, whose risk
  // sets contain every subject of group g.
  const size_t groups = log_c.size();
  std::vector<double> later(groups);
  double acc = kNegInf;
  for (size_t g = groups; g-- > 0;) {
    later[g] = acc;
    acc = log_add(acc, log_c[g]);
  }
  // d loss/dη_k = (e^{η_k} (Σ_{h later} c_h + c_g or c'_g) − δ_k) / E; each e^{η_k}·c term is at
  // most a few units, so the exponent below never overflows.
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const uint32_t i = by_time[k];
      const uint32_t g = group_of[k];
      const double own = event[i] ? log_c_own[g] : log_c[g];
      const double total = log_add(later[g], own);
      const double eta = static_cast<double>(risk[i]);
      grad[i] = static_cast<R>((std::exp(eta + total) - static_cast<double>(event[i])) * inv_events);
    }
  });
  return nll * inv_events;
}

template double cox_loss<float, float>(const float*, const float*, const uint8_t*, int64_t, CoxTies, float*);
template double cox_loss<float, double>(const float*, const double*, const uint8_t*, int64_t, CoxTies, float*);
template double cox_loss<double, float>(const double*, const float*, const uint8_t*, int64_t, CoxTies, double*);
template double cox_loss<double, double>(const double*, const double*, const uint8_t*, int64_t, CoxTies, double*);

}  // namespace ms
