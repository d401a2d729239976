// Internal: the Ornstein–Uhlenbeck Fokker–Planck problem ρ_t = ∇·(ρ∇V) + Δρ with a quadratic
// potential V(x) = ½(x − b)ᵀΣ⁻¹(x − b) (stationary density N(b, Σ)) from a Gaussian N(μ₀, Σ₀):
// the exact solution stays Gaussian, N(μ_t, Σ_t) with, for A = Σ⁻¹,
//   μ_t = b + e^{−tA}(μ₀ − b),   Σ_t = Σ + e^{−tA}(Σ₀ − Σ)e^{−tA}.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <utility>

namespace enflow::flows {

struct GaussianOU {
  at::Tensor b, sigma;        ///< target N(b, Σ) [d], [d, d]
  at::Tensor mean0, cov0;     ///< initial N(μ₀, Σ₀)
  at::Tensor eigval, eigvec;  ///< Σ = Q diag(λ) Qᵀ
  int64_t dim() const { return b.size(0); }
  /// V(x) [N] for x [N, d].
  at::Tensor potential(const at::Tensor& x) const;
  /// (μ_t, Σ_t).
  std::pair<at::Tensor, at::Tensor> moments(double t) const;
  /// log N(x; μ_t, Σ_t) [N].
  at::Tensor log_density(const at::Tensor& x, double t) const;
};

/// V = |x|²/2 (b = 0, Σ = I) from N(mean0·𝟙, sigma0² I).
GaussianOU isotropic_ou(int64_t dim, double mean0, double sigma0, const at::TensorOptions& o);

/// The Ornstein–Uhlenbeck set-up of Mokrov et al. (NeurIPS 2021, "Large-scale Wasserstein
/// gradient flows", experiment ou_vary_dim): from N(0, I) towards N(b, Σ) with b ~ N(0, I) and
/// Σ drawn as scikit-learn's make_spd_matrix does: Σ = Q(𝟙𝟙ᵀ + diag(u))Qᵀ, Q the eigenvectors
/// of MᵀM, M and u uniform on [0, 1). Drawn from the seed (the paper repeats 15 draws).
GaussianOU random_spd_ou(int64_t dim, uint64_t seed, const at::TensorOptions& o);

/// log N(x; mean, cov) [N] for x [N, d].
at::Tensor gaussian_log_density(const at::Tensor& x, const at::Tensor& mean, const at::Tensor& cov);

}  // namespace enflow::flows
