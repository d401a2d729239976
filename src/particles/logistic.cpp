#include "enflow/particles/logistic.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace enflow::particles {

LogisticData synthetic_logistic_data(int64_t n_train, int64_t n_test, int64_t features,
                                     uint64_t seed, const at::TensorOptions& options) {
  if (n_train < 1 || n_test < 1 || features < 1)
    throw std::invalid_argument("logistic data: needs n_train, n_test, features >= 1");
  torch::manual_seed(seed);
  auto idx = torch::arange(features, options);
  auto cov = torch::pow(0.5, (idx.unsqueeze(0) - idx.unsqueeze(1)).abs());
  auto L = torch::linalg_cholesky(cov);
  LogisticData d;
  d.w_true = torch::randn({features + 1}, options);
  auto make = [&](int64_t n, at::Tensor& x, at::Tensor& y) {
    x = torch::cat(
        {torch::ones({n, 1}, options), torch::matmul(torch::randn({n, features}, options), L.t())},
        1);
    y = torch::bernoulli(torch::sigmoid(torch::matmul(x, d.w_true)));
  };
  make(n_train, d.x_train, d.y_train);
  make(n_test, d.x_test, d.y_test);
  return d;
}

LogDensity logistic_posterior(const at::Tensor& x, const at::Tensor& y, double prior_std) {
  if (x.dim() != 2 || y.dim() != 1 || y.size(0) != x.size(0))
    throw std::invalid_argument("logistic posterior: expected x [n, p] and labels y [n]");
  if (!(prior_std > 0)) throw std::invalid_argument("logistic posterior: prior_std must be > 0");
  const auto sign = 2 * y - 1;  // ±1
  return [x, sign, prior_std](const at::Tensor& w) {
    if (w.dim() != 2 || w.size(1) != x.size(1))
      throw std::invalid_argument("logistic posterior: weights must be [S, " +
                                  std::to_string(x.size(1)) + "]");
    auto margins = torch::matmul(w, x.t()) * sign;  // [S, n]
    // log σ(m) = −softplus(−m), stable for large |m|.
    return -torch::softplus(-margins).sum(1) - 0.5 * w.pow(2).sum(1) / (prior_std * prior_std);
  };
}

Predictive posterior_predictive(const at::Tensor& w, const at::Tensor& x, const at::Tensor& y) {
  if (w.dim() != 2 || x.dim() != 2 || w.size(1) != x.size(1) || y.size(0) != x.size(0))
    throw std::invalid_argument("posterior predictive: expected w [S, p], x [n, p], y [n]");
  auto p1 = torch::sigmoid(torch::matmul(x, w.t())).mean(1);  // [n]
  auto p_y = torch::where(y > 0.5, p1, 1 - p1);
  Predictive r;
  r.accuracy = ((p1 > 0.5) == (y > 0.5)).to(torch::kDouble).mean().item<double>();
  r.log_likelihood = torch::log(p_y.clamp_min(1e-300)).mean().item<double>();
  return r;
}

}  // namespace enflow::particles
