#include "ad/divided_difference.h"

#include <cmath>
#include <limits>

namespace enflow::ad::dd {
namespace {

double eps_of(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat64:
      return std::numeric_limits<double>::epsilon();
    case torch::kFloat32:
      return std::numeric_limits<float>::epsilon();
    case torch::kFloat16:
      return 9.77e-4;
    case torch::kBFloat16:
      return 7.81e-3;
    default:
      return std::numeric_limits<float>::epsilon();
  }
}

// Even function g(x) = 1 + c2 x² + c4 x⁴ + c6 x⁶ + ...: series below the cut where the
// dropped c6 x⁶ term is under ε, closed form `ratio` above it. Both branches are
// evaluated on safe inputs so neither produces NaN (a NaN in the unused branch of
// torch::where would still poison the gradient).
torch::Tensor even_series(const torch::Tensor& x, double c2, double c4, double c6,
                          const std::function<torch::Tensor(const torch::Tensor&)>& ratio) {
  const double cut = std::pow(eps_of(x.scalar_type()) / c6, 1.0 / 6.0);
  auto small = x.abs() < cut;
  auto xs = torch::where(small, torch::ones_like(x), x);
  auto x2 = x * x;
  auto series = 1.0 + x2 * (c2 + c4 * x2);
  return torch::where(small, series, ratio(xs));
}

}  // namespace

double midpoint_threshold(torch::ScalarType dtype) { return std::pow(4320.0 * eps_of(dtype), 0.2); }

torch::Tensor sinc(const torch::Tensor& x) {
  return even_series(x, -1.0 / 6, 1.0 / 120, 1.0 / 5040,
                     [](const torch::Tensor& s) { return torch::sin(s) / s; });
}
torch::Tensor sinhc(const torch::Tensor& x) {
  return even_series(x, 1.0 / 6, 1.0 / 120, 1.0 / 5040,
                     [](const torch::Tensor& s) { return torch::sinh(s) / s; });
}
torch::Tensor tanhc(const torch::Tensor& x) {
  return even_series(x, -1.0 / 3, 2.0 / 15, 17.0 / 315,
                     [](const torch::Tensor& s) { return torch::tanh(s) / s; });
}
torch::Tensor atanhc(const torch::Tensor& x) {
  return even_series(x, 1.0 / 3, 1.0 / 5, 1.0 / 7,
                     [](const torch::Tensor& s) { return torch::atanh(s) / s; });
}

torch::Tensor generic(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& fa,
                      const torch::Tensor& fb, const Fn& fprime) {
  auto h = a - b;
  auto m = 0.5 * (a + b);
  // Threshold relative to the argument scale: for |m| ≫ 1 the values f(a), f(b) can be
  // ~|m| times larger than f', and their rounding would swamp the ratio.
  auto small = h.abs() <= midpoint_threshold(a.scalar_type()) * torch::clamp_min(m.abs(), 1.0);
  auto hs = torch::where(small, torch::ones_like(h), h);
  // Below it, D = ∫₀¹ f'(b + t h) dt by two-point Gauss–Legendre around the midpoint:
  // exact at h = 0 (f'(m)), symmetric, error f⁽⁵⁾h⁴/4320 instead of the plain
  // midpoint's f'''h²/24.
  auto off = h * (0.5 / std::sqrt(3.0));
  auto gauss = 0.5 * (fprime(m - off) + fprime(m + off));
  return torch::where(small, gauss, (fa - fb) / hs);
}

torch::Tensor exp(const torch::Tensor& a, const torch::Tensor& b) {
  // e^a − e^b = 2 e^m sinh(h/2).
  return torch::exp(0.5 * (a + b)) * dd::sinhc(0.5 * (a - b));
}

torch::Tensor log(const torch::Tensor& a, const torch::Tensor& b) {
  // log a − log b = 2 atanh((a − b)/(a + b)).
  auto s = a + b;
  return (2.0 / s) * dd::atanhc((a - b) / s);
}

torch::Tensor sin(const torch::Tensor& a, const torch::Tensor& b) {
  // sin a − sin b = 2 cos(m) sin(h/2).
  return torch::cos(0.5 * (a + b)) * dd::sinc(0.5 * (a - b));
}

torch::Tensor cos(const torch::Tensor& a, const torch::Tensor& b) {
  // cos a − cos b = −2 sin(m) sin(h/2).
  return -torch::sin(0.5 * (a + b)) * dd::sinc(0.5 * (a - b));
}

torch::Tensor kinked(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& fa,
                     const torch::Tensor& fb, const Fn& fprime) {
  auto h = a - b;
  auto same = h == 0;
  auto hs = torch::where(same, torch::ones_like(h), h);
  return torch::where(same, fprime(a), (fa - fb) / hs);
}

torch::Tensor pow(const torch::Tensor& a, const torch::Tensor& b, int n) {
  if (n == 0) return torch::zeros_like(a);
  if (n < 0) {
    const int m = -n;
    return -pow(a, b, m) / (a.pow(m) * b.pow(m));
  }
  // Horner-like accumulation of Σ_{k<n} a^k b^{n-1-k}.
  auto acc = torch::ones_like(a);
  for (int k = 1; k < n; ++k) acc = acc * a + b.pow(k);
  return acc;
}

}  // namespace enflow::ad::dd
