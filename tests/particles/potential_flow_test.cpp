#include "enflow/particles/potential_flow.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/particles/toy_data.h"
#include "support/files.h"
#include "support/threads.h"

namespace enflow::particles {
namespace {

TEST(PotentialFlow, GradientAndLaplacianAreExact) {
  testing::OneThread one_thread;
  // φ = sin(x₁) x₂² + t x₁: ∇φ = (cos x₁ x₂² + t, 2 sin x₁ x₂), Δφ = −sin x₁ x₂² + 2 sin x₁.
  Potential phi = [](const at::Tensor& x, double t) {
    return torch::sin(x.select(1, 0)) * x.select(1, 1).pow(2) + t * x.select(1, 0);
  };
  auto x = torch::randn({20, 2}, torch::kDouble);
  auto [g, lap] = gradient_and_laplacian(phi, x, 0.3, false);
  auto x1 = x.select(1, 0), x2 = x.select(1, 1);
  EXPECT_LT((g.select(1, 0) - (torch::cos(x1) * x2.pow(2) + 0.3)).abs().max().item<double>(),
            1e-14);
  EXPECT_LT((g.select(1, 1) - 2 * torch::sin(x1) * x2).abs().max().item<double>(), 1e-14);
  EXPECT_LT((lap - (-torch::sin(x1) * x2.pow(2) + 2 * torch::sin(x1))).abs().max().item<double>(),
            1e-14);
  EXPECT_FALSE(g.requires_grad());
}

TEST(PotentialFlow, QuadraticPotentialMatchesClosedForm) {
  testing::OneThread one_thread;
  // φ = c|x|²/2: x(T) = e^{cT} z, p_T = N(0, e^{2cT} I), so log p_T(x) = log N(z) − c d T.
  const double c = 0.7, T = 1.0;
  Potential phi = [c](const at::Tensor& x, double) { return 0.5 * c * x.pow(2).sum(1); };
  auto z = torch::randn({50, 2}, torch::kDouble);
  auto field = autograd_field(phi);
  auto f = push_forward(field, z, T, 40);
  EXPECT_LT((f.x - std::exp(c * T) * z).abs().max().item<double>(), 1e-8);
  auto exact = standard_normal_log_prob(z) - c * 2 * T;
  EXPECT_LT((f.log_p - exact).abs().max().item<double>(), 1e-12);  // Δφ is constant
  auto b = pull_back(field, f.x, T, 40);
  EXPECT_LT((b.z - z).abs().max().item<double>(), 1e-8);
  EXPECT_LT((b.log_p - exact).abs().max().item<double>(), 1e-8);
}

/// A flow far from the identity: random output weights and quadratic part.
PotentialFlow random_flow(int64_t steps) {
  torch::manual_seed(21);
  auto flow = PotentialFlow(
      PotentialFlowOptions(2).width(16).depth(2).horizon(2.0).steps(steps).time_dependent(true));
  torch::NoGradGuard ng;
  for (auto& p : flow->named_parameters()) {
    if (p.key().find("out_w") != std::string::npos) p.value().normal_(0, 0.5);
    if (p.key().find("quad") != std::string::npos) p.value().fill_(0.3);
  }
  return flow;
}

TEST(PotentialFlow, ClosedFormDerivativesOfTheNetworkMatchAutograd) {
  testing::OneThread one_thread;
  auto flow = random_flow(4);
  auto x = torch::randn({30, 2}, torch::kDouble);
  auto [g, lap] = flow->field()(x, 0.7, false);
  auto [g_ref, lap_ref] = gradient_and_laplacian(
      [&](const at::Tensor& y, double t) { return flow->potential(y, t); }, x, 0.7, false);
  EXPECT_LT((g - g_ref).abs().max().item<double>(), 1e-13);
  EXPECT_LT((lap - lap_ref).abs().max().item<double>(), 1e-13);
  // With create_graph the closed form is differentiable in the parameters, like autograd's.
  auto [g2, lap2] = flow->field()(x, 0.7, true);
  auto [g2_ref, lap2_ref] = gradient_and_laplacian(
      [&](const at::Tensor& y, double t) { return flow->potential(y, t); }, x, 0.7, true);
  auto params = flow->parameters();
  auto da = torch::autograd::grad({lap2.sum() + g2.pow(2).sum()}, params, {}, true, false, true);
  auto db =
      torch::autograd::grad({lap2_ref.sum() + g2_ref.pow(2).sum()}, params, {}, true, false, true);
  for (size_t i = 0; i < params.size(); ++i) {
    // out_b shifts φ only: neither derivative depends on it.
    auto a = da[i].defined() ? da[i] : torch::zeros_like(params[i]);
    auto b = db[i].defined() ? db[i] : torch::zeros_like(params[i]);
    EXPECT_LT((a - b).abs().max().item<double>(), 1e-11) << i;
  }
}

TEST(PotentialFlow, DirectionsInvertEachOtherAtFourthOrder) {
  testing::OneThread one_thread;
  auto z = torch::randn({64, 2}, torch::kDouble);
  double err_prev = 0, lp_prev = 0;
  for (int64_t steps : {8, 16, 32}) {
    auto flow = random_flow(steps);
    auto f = flow->push_forward(z);
    auto b = flow->pull_back(f.x);
    const double err = (b.z - z).abs().max().item<double>();
    const double lp = (b.log_p - f.log_p).abs().max().item<double>();
    // The flow moves the points: this is not the identity.
    EXPECT_GT((f.x - z).abs().max().item<double>(), 0.3);
    if (steps == 32) {
      EXPECT_LT(err, 1e-6);
      EXPECT_LT(lp, 1e-6);
    }
    if (err_prev > 0) {
      // Halving the step divides the round-trip error by ~2⁴ (RK4); stated bound: by > 8.
      EXPECT_GT(err_prev / err, 8.0) << steps;
      EXPECT_GT(lp_prev / lp, 8.0) << steps;
    }
    err_prev = err;
    lp_prev = lp;
  }
}

TEST(PotentialFlow, LogDensityIntegratesToOneOnAGrid) {
  testing::OneThread one_thread;
  auto flow = random_flow(16);
  const int64_t n = 81;
  const double a = 9;
  auto c = (torch::arange(n, torch::kDouble) + 0.5) * (2 * a / n) - a;
  auto mesh = torch::meshgrid({c, c}, "ij");
  auto pts = torch::stack({mesh[0].reshape({-1}), mesh[1].reshape({-1})}, 1);
  const double mass = torch::exp(flow->log_prob(pts)).sum().item<double>() * std::pow(2 * a / n, 2);
  // Stated bound: |∫p − 1| < 1e-4 with 16 RK4 steps (measured ~1e-6; the grid rule is spectral).
  EXPECT_NEAR(mass, 1.0, 1e-4);
  // The same grid with a badly under-resolved flow (1 step) is visibly off.
  auto coarse = random_flow(1);
  const double bad =
      torch::exp(coarse->log_prob(pts)).sum().item<double>() * std::pow(2 * a / n, 2);
  EXPECT_GT(std::abs(bad - 1), 10 * std::abs(mass - 1));
}

TEST(PotentialFlow, MaximumLikelihoodLowersTheNll) {
  testing::OneThread one_thread;
  torch::manual_seed(22);
  auto data = toy_density("eight_gaussians", torch::TensorOptions().dtype(torch::kDouble));
  auto flow = PotentialFlow(PotentialFlowOptions(2).width(16).steps(4).horizon(1.0));
  auto test = data.sample(1000);
  const double before = mean_nll(*flow, test).first;
  auto fit = fit_potential_flow(*flow, data.sample,
                                PotentialFlowFitOptions().iterations(40).batch_size(128).lr(2e-2));
  const double after = mean_nll(*flow, test).first;
  ASSERT_EQ(fit.nll.size(), 40u);
  EXPECT_LT(after, before - 0.3) << before << " -> " << after;
  EXPECT_GT(after, data.entropy_closed_form - 0.05);  // no model beats the entropy
}

TEST(PotentialFlow, ModelFilesRoundTrip) {
  testing::OneThread one_thread;
  auto dir = testing::fresh_dir("potential-flow");
  auto flow = random_flow(6);
  save_potential_flow((dir / "m.pt").string(), *flow, "seed = 21\n");
  auto loaded = load_potential_flow((dir / "m.pt").string());
  EXPECT_EQ(loaded.config_text, "seed = 21\n");
  EXPECT_EQ(loaded.model->options().steps(), 6);
  EXPECT_TRUE(loaded.model->options().time_dependent());
  auto x = torch::randn({10, 2}, torch::kDouble);
  EXPECT_TRUE(loaded.model->log_prob(x).allclose(flow->log_prob(x), 0, 0));
  std::ofstream(dir / "junk.pt") << "not a model";
  EXPECT_THROW(load_potential_flow((dir / "junk.pt").string()), std::runtime_error);
  EXPECT_THROW(load_potential_flow((dir / "missing.pt").string()), std::runtime_error);
  EXPECT_THROW(flow->log_prob(torch::randn({3, 3}, torch::kDouble)), std::invalid_argument);
  auto nan = x.clone();
  nan[0][0] = std::nan("");
  EXPECT_THROW(flow->log_prob(nan), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::particles
