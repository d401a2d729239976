#include "enflow/flows/quadrature.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace enflow::flows {
namespace {

void check_box(const std::vector<double>& lo, const std::vector<double>& hi) {
  if (lo.empty() || lo.size() != hi.size())
    throw std::invalid_argument("box: lo and hi must be non-empty and of equal length");
  for (size_t i = 0; i < lo.size(); ++i)
    if (!(hi[i] > lo[i])) throw std::invalid_argument("box: need hi > lo in every dimension");
}

const int kPrimes[64] = {2,   3,   5,   7,   11,  13,  17,  19,  23,  29,  31,  37,  41,
                         43,  47,  53,  59,  61,  67,  71,  73,  79,  83,  89,  97,  101,
                         103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
                         173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239,
                         241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311};

}  // namespace

std::pair<std::vector<double>, std::vector<double>> gauss_legendre(int64_t n) {
  if (n < 1) throw std::invalid_argument("gauss_legendre: need n >= 1");
  std::vector<double> x(n), w(n);
  for (int64_t i = 0; i < n; ++i) {
    double z = std::cos(M_PI * (i + 0.75) / (n + 0.5));
    double dp = 1;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = z;
      for (int64_t k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1) * z * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n == 1) p0 = 1;
      dp = n * (z * p1 - p0) / (z * z - 1);
      const double dz = p1 / dp;
      z -= dz;
      if (std::abs(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return {x, w};
}

Quadrature box_gauss(const std::vector<double>& lo, const std::vector<double>& hi, int64_t n,
                     const at::TensorOptions& options) {
  check_box(lo, hi);
  const auto gl = gauss_legendre(n);
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat64);
  auto x1 = torch::tensor(gl.first, cpu), w1 = torch::tensor(gl.second, cpu);
  std::vector<torch::Tensor> xs, ws;
  for (size_t i = 0; i < lo.size(); ++i) {
    const double h = 0.5 * (hi[i] - lo[i]);
    xs.push_back(lo[i] + h * (x1 + 1));
    ws.push_back(h * w1);
  }
  auto gx = torch::meshgrid(xs, "ij");
  auto gw = torch::meshgrid(ws, "ij");
  std::vector<torch::Tensor> cols;
  auto w = torch::ones_like(gw[0]);
  for (size_t i = 0; i < lo.size(); ++i) {
    cols.push_back(gx[i].reshape({-1}));
    w = w * gw[i];
  }
  return {torch::stack(cols, 1).to(options), w.reshape({-1}).to(options)};
}

Quadrature disk_gauss(double radius, int64_t n_radial, int64_t n_angular,
                      const at::TensorOptions& options) {
  if (!(radius > 0) || n_angular < 3) throw std::invalid_argument("disk_gauss: bad arguments");
  const auto gl = gauss_legendre(n_radial);
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat64);
  auto r = 0.5 * radius * (torch::tensor(gl.first, cpu) + 1);
  auto wr = 0.5 * radius * torch::tensor(gl.second, cpu) * r;
  auto th = torch::arange(n_angular, cpu) * (2 * M_PI / n_angular);
  auto R = r.unsqueeze(1).expand({n_radial, n_angular});
  auto T = th.unsqueeze(0).expand({n_radial, n_angular});
  auto pts =
      torch::stack({(R * torch::cos(T)).reshape({-1}), (R * torch::sin(T)).reshape({-1})}, 1);
  auto w = (wr.unsqueeze(1) * (2 * M_PI / n_angular)).expand({n_radial, n_angular}).reshape({-1});
  return {pts.to(options), w.contiguous().to(options)};
}

at::Tensor halton(int64_t n, int64_t dim, uint64_t seed, const at::TensorOptions& options) {
  if (n < 1 || dim < 1 || dim > 64)
    throw std::invalid_argument("halton: need n >= 1 and 1 <= dim <= 64");
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 12345);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<double> out(static_cast<size_t>(n * dim));
  for (int64_t j = 0; j < dim; ++j) {
    const int b = kPrimes[j];
    // Digit scrambling: a random permutation of {1, …, b−1} (0 stays 0), then a random shift.
    std::vector<int> perm(b);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin() + 1, perm.end(), rng);
    const double shift = uni(rng);
    for (int64_t i = 0; i < n; ++i) {
      int64_t k = i + 1;
      double f = 1.0 / b, v = 0;
      while (k > 0) {
        v += perm[k % b] * f;
        k /= b;
        f /= b;
      }
      v += shift;
      out[i * dim + j] = v - std::floor(v);
    }
  }
  return torch::tensor(out, torch::TensorOptions().dtype(torch::kFloat64))
      .reshape({n, dim})
      .to(options);
}

at::Tensor unit_cube_samples(int64_t n, int64_t dim, const std::string& kind, uint64_t seed,
                             const at::TensorOptions& options) {
  if (kind == "halton") return halton(n, dim, seed, options);
  if (kind == "mc") {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return torch::rand({n, dim}, gen, torch::TensorOptions().dtype(torch::kFloat64)).to(options);
  }
  throw std::invalid_argument("samples: unknown kind '" + kind + "' (use halton or mc)");
}

at::Tensor normal_samples(int64_t n, int64_t dim, const std::string& kind, uint64_t seed,
                          const at::TensorOptions& options) {
  auto u = unit_cube_samples(n, dim, kind, seed, options.dtype(torch::kFloat64));
  u = u.clamp(1e-12, 1 - 1e-12);
  return (std::sqrt(2.0) * torch::erfinv(2 * u - 1)).to(options);
}

Quadrature box_samples(const std::vector<double>& lo, const std::vector<double>& hi, int64_t n,
                       const std::string& kind, uint64_t seed, const at::TensorOptions& options) {
  check_box(lo, hi);
  const int64_t d = static_cast<int64_t>(lo.size());
  auto u = unit_cube_samples(n, d, kind, seed, options);
  auto l = torch::tensor(lo, options), h = torch::tensor(hi, options);
  double vol = 1;
  for (int64_t i = 0; i < d; ++i) vol *= hi[i] - lo[i];
  return {l + u * (h - l), torch::full({n}, vol / n, options)};
}

Quadrature box_boundary_samples(const std::vector<double>& lo, const std::vector<double>& hi,
                                int64_t n, const std::string& kind, uint64_t seed,
                                const at::TensorOptions& options) {
  check_box(lo, hi);
  const int64_t d = static_cast<int64_t>(lo.size());
  if (d < 2) throw std::invalid_argument("box_boundary_samples: need dim >= 2");
  // Points from a (d)-dimensional sample: d-1 coordinates place the point on the face, the
  // last chooses the face (2d faces, chosen with probability ∝ area).
  auto u = unit_cube_samples(n, d, kind, seed, options.dtype(torch::kFloat64)).cpu();
  std::vector<double> area(2 * d);
  double total = 0;
  for (int64_t f = 0; f < 2 * d; ++f) {
    double a = 1;
    for (int64_t i = 0; i < d; ++i)
      if (i != f / 2) a *= hi[i] - lo[i];
    area[f] = a;
    total += a;
  }
  auto acc = u.accessor<double, 2>();
  std::vector<double> pts(static_cast<size_t>(n * d));
  for (int64_t k = 0; k < n; ++k) {
    double c = acc[k][d - 1] * total;
    int64_t f = 0;
    while (f < 2 * d - 1 && c >= area[f]) c -= area[f++];
    const int64_t fixed = f / 2;
    int64_t j = 0;
    for (int64_t i = 0; i < d; ++i) {
      if (i == fixed) {
        pts[k * d + i] = (f % 2 == 0) ? lo[i] : hi[i];
      } else {
        pts[k * d + i] = lo[i] + acc[k][j++] * (hi[i] - lo[i]);
      }
    }
  }
  auto p = torch::tensor(pts, torch::TensorOptions().dtype(torch::kFloat64)).reshape({n, d});
  return {p.to(options), torch::full({n}, total / n, options)};
}

Quadrature circle_points(double radius, int64_t n, const at::TensorOptions& options) {
  if (!(radius > 0) || n < 3) throw std::invalid_argument("circle_points: bad arguments");
  auto th = torch::arange(n, options) * (2 * M_PI / n);
  return {torch::stack({radius * torch::cos(th), radius * torch::sin(th)}, 1),
          torch::full({n}, 2 * M_PI * radius / n, options)};
}

}  // namespace enflow::flows
