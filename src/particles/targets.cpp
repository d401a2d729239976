#include "enflow/particles/targets.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace enflow::particles {

Target gaussian_target(const at::Tensor& mean, const at::Tensor& cov) {
  if (mean.dim() != 1 || cov.dim() != 2 || cov.size(0) != mean.size(0) ||
      cov.size(1) != mean.size(0))
    throw std::invalid_argument("gaussian target: expected mean [d] and covariance [d, d]");
  const int64_t d = mean.size(0);
  // linalg_cholesky fails loudly on a matrix that is not positive definite.
  auto L = torch::linalg_cholesky(cov);
  const double log_det = 2 * torch::log(torch::diagonal(L)).sum().item<double>();
  const double log_norm = -0.5 * (d * std::log(2 * M_PI) + log_det);
  Target t;
  t.name = "gaussian";
  t.dim = d;
  t.mean = mean;
  t.cov = cov;
  t.log_prob = [mean, L, log_norm](const at::Tensor& x) {
    // Solve L z = (x − μ)ᵀ: |z|² is the Mahalanobis distance.
    auto z = torch::linalg_solve_triangular(L, (x - mean).t(), /*upper=*/false);
    return log_norm - 0.5 * z.pow(2).sum(0);
  };
  t.sample = [mean, L](int64_t n) {
    return mean + torch::matmul(torch::randn({n, mean.size(0)}, mean.options()), L.t());
  };
  return t;
}

Target mixture_target(const at::Tensor& weights, const at::Tensor& means, const at::Tensor& stds) {
  if (weights.dim() != 1 || means.dim() != 2 || stds.dim() != 1 ||
      means.size(0) != weights.size(0) || stds.size(0) != weights.size(0))
    throw std::invalid_argument("mixture target: expected weights [K], means [K, d], stds [K]");
  if (!(weights > 0).all().item<bool>() || !(stds > 0).all().item<bool>())
    throw std::invalid_argument("mixture target: weights and stds must be positive");
  const int64_t d = means.size(1);
  auto w = weights / weights.sum();
  auto log_w = torch::log(w) - d * torch::log(stds) - 0.5 * d * std::log(2 * M_PI);
  Target t;
  t.name = "mixture";
  t.dim = d;
  t.mean = torch::matmul(w, means);
  auto centred = means - t.mean;
  t.cov = torch::matmul(centred.t() * w, centred) +
          (w * stds.pow(2)).sum() * torch::eye(d, means.options());
  t.log_prob = [means, stds, log_w](const at::Tensor& x) {
    auto d2 = (x.unsqueeze(1) - means.unsqueeze(0)).pow(2).sum(2);  // [N, K]
    return torch::logsumexp(log_w - 0.5 * d2 / stds.pow(2), 1);
  };
  t.sample = [w, means, stds](int64_t n) {
    auto k = torch::multinomial(w, n, /*replacement=*/true);
    return means.index_select(0, k) +
           stds.index_select(0, k).unsqueeze(1) * torch::randn({n, means.size(1)}, means.options());
  };
  return t;
}

Target banana_target(double s, double b, const at::TensorOptions& options) {
  if (!(s > 0) || !std::isfinite(b)) throw std::invalid_argument("banana target: needs s > 0");
  Target t;
  t.name = "banana";
  t.dim = 2;
  t.mean = torch::zeros({2}, options);
  t.cov = torch::diag(torch::tensor({s * s, 1 + 2 * b * b * std::pow(s, 4)}, options));
  const double log_norm = -std::log(2 * M_PI * s);
  t.log_prob = [s, b, log_norm](const at::Tensor& x) {
    auto x1 = x.select(1, 0), x2 = x.select(1, 1);
    return log_norm - 0.5 * x1.pow(2) / (s * s) - 0.5 * (x2 - b * (x1.pow(2) - s * s)).pow(2);
  };
  t.sample = [s, b, options](int64_t n) {
    auto x1 = s * torch::randn({n}, options);
    auto x2 = b * (x1.pow(2) - s * s) + torch::randn({n}, options);
    return torch::stack({x1, x2}, 1);
  };
  return t;
}

}  // namespace enflow::particles
