// The exact Ornstein–Uhlenbeck solution used as the Fokker–Planck reference, and the symmetric
// KL estimator the EVNN runs report: checked against closed forms on data made here.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/flows/lagrangian.h"
#include "flows/gaussian_ou.h"

namespace enflow::flows {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

// The moments solve dμ/dt = −A(μ − b), dΣ/dt = 2I − AΣ − ΣA (A = Σ∞⁻¹), start at the initial
// Gaussian and end at the target.
TEST(EvnnGaussianOU, MomentsSolveTheMomentEquations) {
  const auto ou = random_spd_ou(5, 3, kF64);
  const auto A = torch::inverse(ou.sigma);
  const double h = 1e-5;
  for (double t : {0.05, 0.3, 0.9}) {
    const auto m = ou.moments(t), mp = ou.moments(t + h), mm = ou.moments(t - h);
    auto dmu = (mp.first - mm.first) / (2 * h), dcov = (mp.second - mm.second) / (2 * h);
    auto rhs_mu = -torch::matmul(A, m.first - ou.b);
    auto rhs_cov =
        2 * torch::eye(5, kF64) - torch::matmul(A, m.second) - torch::matmul(m.second, A);
    EXPECT_LT((dmu - rhs_mu).abs().max().item<double>(),
              1e-6 * (1 + rhs_mu.abs().max().item<double>()))
        << "t = " << t;
    EXPECT_LT((dcov - rhs_cov).abs().max().item<double>(),
              1e-6 * (1 + rhs_cov.abs().max().item<double>()))
        << "t = " << t;
  }
  EXPECT_LT((ou.moments(0).second - torch::eye(5, kF64)).abs().max().item<double>(), 1e-14);
  EXPECT_LT((ou.moments(0).first).abs().max().item<double>(), 1e-14);
  EXPECT_LT((ou.moments(1000).second - ou.sigma).abs().max().item<double>(), 1e-10);
  EXPECT_LT((ou.moments(1000).first - ou.b).abs().max().item<double>(), 1e-10);
}

// Mokrov et al.'s targets (scikit-learn's make_spd_matrix): symmetric positive definite, one
// eigenvalue near d from the all-ones block, the others below 1; the same seed, the same draw.
TEST(EvnnGaussianOU, RandomTargetsAreSeededAndPositiveDefinite) {
  const auto a = random_spd_ou(12, 7, kF64), b = random_spd_ou(12, 7, kF64);
  const auto c = random_spd_ou(12, 8, kF64);
  EXPECT_TRUE(torch::equal(a.sigma, b.sigma));
  EXPECT_TRUE(torch::equal(a.b, b.b));
  EXPECT_FALSE(torch::equal(a.sigma, c.sigma));
  EXPECT_LT((a.sigma - a.sigma.t()).abs().max().item<double>(), 1e-15);
  EXPECT_GT(a.eigval.min().item<double>(), 0.0);
  EXPECT_GT(a.eigval.max().item<double>(), 12.0);
  EXPECT_LT(a.eigval.max().item<double>(), 14.0);
  EXPECT_LT(a.eigval.narrow(0, 0, 11).max().item<double>(), 1.0);
  // The potential is ½(x − b)ᵀΣ⁻¹(x − b).
  auto x = torch::randn({9, 12}, kF64);
  auto direct = 0.5 * ((x - a.b) * torch::matmul(x - a.b, torch::inverse(a.sigma))).sum(1);
  EXPECT_LT((a.potential(x) - direct).abs().max().item<double>(), 1e-10);
}

// The symmetric KL estimate on independent samples of ρ_h against the closed form for two
// Gaussians: unbiased, within four of its own standard errors.
TEST(EvnnGaussianOU, SymmetricKlEstimateMatchesTheClosedForm) {
  torch::manual_seed(5);
  const int64_t d = 4, n = 20000;
  auto m1 = torch::zeros({d}, kF64), m2 = torch::full({d}, 0.1, kF64);
  auto S1 = torch::eye(d, kF64), S2 = 1.2 * torch::eye(d, kF64);
  S2[0][1] = S2[1][0] = 0.3;
  auto x = m1 + torch::matmul(torch::randn({n, d}, kF64), torch::linalg_cholesky(S1).t());
  auto l1 = gaussian_log_density(x, m1, S1), l2 = gaussian_log_density(x, m2, S2);
  // KL(N1‖N2) + KL(N2‖N1) = ½ tr(S2⁻¹S1 + S1⁻¹S2) − d + ½ Δμᵀ(S1⁻¹ + S2⁻¹)Δμ.
  auto i1 = torch::inverse(S1), i2 = torch::inverse(S2), dm = m2 - m1;
  const double exact =
      (0.5 * (torch::trace(torch::matmul(i2, S1)) + torch::trace(torch::matmul(i1, S2))) - d +
       0.5 * torch::dot(dm, torch::matmul(i1 + i2, dm)))
          .item<double>();
  const double est = particle_symmetric_kl(torch::full({n}, 1.0 / n, kF64), l1, l2);
  const double se = sample_symmetric_kl_std_error(l1, l2);
  EXPECT_GT(se, 0.0);
  EXPECT_LT(se, 0.1 * exact);
  EXPECT_NEAR(est, exact, 4 * se);
  // The Gaussian log density itself against the explicit formula.
  auto q = (x * torch::matmul(x, i1)).sum(1);
  EXPECT_LT((l1 - (-0.5 * q - 0.5 * d * std::log(2 * M_PI))).abs().max().item<double>(), 1e-12);
}

}  // namespace
}  // namespace enflow::flows
