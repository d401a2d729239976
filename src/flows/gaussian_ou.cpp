#include "flows/gaussian_ou.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>

namespace enflow::flows {
namespace {

GaussianOU finish(GaussianOU g) {
  g.sigma = 0.5 * (g.sigma + g.sigma.t());
  auto eig = torch::linalg_eigh(g.sigma, "L");
  g.eigval = std::get<0>(eig);
  g.eigvec = std::get<1>(eig);
  if (!(g.eigval.min().item<double>() > 0))
    throw std::invalid_argument("GaussianOU: the target covariance must be positive definite");
  return g;
}

}  // namespace

at::Tensor GaussianOU::potential(const at::Tensor& x) const {
  // ½ |Λ^{−1/2} Qᵀ(x − b)|².
  auto y = torch::matmul(x - b, eigvec) / eigval.sqrt();
  return 0.5 * y.pow(2).sum(1);
}

std::pair<at::Tensor, at::Tensor> GaussianOU::moments(double t) const {
  // e^{−tA} = Q diag(e^{−t/λ}) Qᵀ.
  auto e = torch::matmul(eigvec * torch::exp(-t / eigval), eigvec.t());
  auto mean = b + torch::matmul(e, mean0 - b);
  auto cov = sigma + torch::matmul(torch::matmul(e, cov0 - sigma), e);
  return {mean, 0.5 * (cov + cov.t())};
}

at::Tensor GaussianOU::log_density(const at::Tensor& x, double t) const {
  const auto m = moments(t);
  return gaussian_log_density(x, m.first, m.second);
}

at::Tensor gaussian_log_density(const at::Tensor& x, const at::Tensor& mean,
                                const at::Tensor& cov) {
  const int64_t d = mean.size(0);
  auto L = torch::linalg_cholesky(cov);
  // Solve L z = (x − μ)ᵀ: the Mahalanobis distance is |z|².
  auto z = torch::linalg_solve_triangular(L, (x - mean).t(), /*upper=*/false);
  return -0.5 * z.pow(2).sum(0) - L.diagonal().log().sum() - 0.5 * d * std::log(2 * M_PI);
}

GaussianOU isotropic_ou(int64_t dim, double mean0, double sigma0, const at::TensorOptions& o) {
  GaussianOU g;
  g.b = torch::zeros({dim}, o);
  g.sigma = torch::eye(dim, o);
  g.mean0 = torch::full({dim}, mean0, o);
  g.cov0 = sigma0 * sigma0 * torch::eye(dim, o);
  return finish(g);
}

GaussianOU random_spd_ou(int64_t dim, uint64_t seed, const at::TensorOptions& o) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  auto M = torch::rand({dim, dim}, gen, f64);
  auto Q = std::get<1>(torch::linalg_eigh(torch::matmul(M.t(), M), "L"));
  auto u = torch::rand({dim}, gen, f64);
  GaussianOU g;
  g.sigma =
      torch::matmul(torch::matmul(Q, torch::ones({dim, dim}, f64) + torch::diag(u)), Q.t()).to(o);
  g.b = torch::randn({dim}, gen, f64).to(o);
  g.mean0 = torch::zeros({dim}, o);
  g.cov0 = torch::eye(dim, o);
  return finish(g);
}

}  // namespace enflow::flows
