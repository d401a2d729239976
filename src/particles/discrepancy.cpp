#include "enflow/particles/discrepancy.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace enflow::particles {
double mean_distance(const at::Tensor& x, const at::Tensor& y) {
  if (x.dim() != 2 || y.dim() != 2 || x.size(1) != y.size(1) || x.size(0) < 1 || y.size(0) < 1)
    throw std::invalid_argument("mean distance: expected points [n, d] and [m, d]");
  const int64_t block = std::max<int64_t>(1, (1 << 22) / y.size(0));  // ~32 MB of distances
  double sum = 0;
  for (int64_t i = 0; i < x.size(0); i += block)
    sum += torch::cdist(x.narrow(0, i, std::min(block, x.size(0) - i)), y).sum().item<double>();
  return sum / (static_cast<double>(x.size(0)) * static_cast<double>(y.size(0)));
}

double mean_distance_within(const at::Tensor& y) {
  const double m = static_cast<double>(y.size(0));
  if (y.size(0) < 2) throw std::invalid_argument("mean distance: needs two points");
  return mean_distance(y, y) * m / (m - 1);  // the diagonal contributes zeros
}

double energy_distance(const at::Tensor& x, const at::Tensor& y, double within_y) {
  if (x.dim() != 2 || y.dim() != 2 || x.size(1) != y.size(1) || x.size(0) < 1 || y.size(0) < 2)
    throw std::invalid_argument("energy distance: expected points [n, d] and samples [m >= 2, d]");
  const double yy = within_y >= 0 ? within_y : mean_distance_within(y);
  return 2 * mean_distance(x, y) - mean_distance(x, x) - yy;
}

at::Tensor kernel_density(const at::Tensor& samples, const at::Tensor& points, double sigma) {
  if (samples.dim() != 2 || points.dim() != 2 || samples.size(1) != points.size(1))
    throw std::invalid_argument("kernel density: expected samples [n, d] and points [M, d]");
  if (!(sigma > 0)) throw std::invalid_argument("kernel density: bandwidth must be positive");
  const double d = static_cast<double>(samples.size(1));
  auto d2 = torch::cdist(points, samples).pow(2);
  return torch::exp(-0.5 * d2 / (sigma * sigma)).mean(1) /
         std::pow(2 * M_PI * sigma * sigma, d / 2);
}

double silverman_bandwidth(const at::Tensor& s) {
  auto x = s.reshape({-1});
  if (x.size(0) < 2) throw std::invalid_argument("silverman bandwidth: needs two samples");
  auto q = torch::quantile(x, torch::tensor({0.25, 0.75}, x.options()));
  const double iqr = (q[1] - q[0]).item<double>(), sd = x.std().item<double>();
  const double spread = iqr > 0 ? std::min(sd, iqr / 1.34) : sd;
  return 0.9 * spread * std::pow(static_cast<double>(x.size(0)), -0.2);
}

}  // namespace enflow::particles
