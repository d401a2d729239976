// Generalized gradient dynamics models: the structure holds for random parameters, the
// entropy never decreases along predictions (continuous time with small steps, the
// discrete-time scheme with large ones), and prescribed potentials reproduce the reference
// systems exactly.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/models/ggd.h"
#include "enflow/models/stepper.h"
#include "support/hessian.h"

namespace enflow::models {
namespace {

using testing::hessians;
using testing::randomize;
using testing::relative_min_eigenvalue;

std::shared_ptr<GgdModelImpl> make_ggd(int64_t dim, const GgdOptions& g, bool grid = false,
                                       uint64_t seed = 0, double param_std = 0.0) {
  auto o = ModelOptions().type("ggd").dim(dim).ggd(g);
  if (grid) o.network("periodic_conv").channels(6).depth(2).kernel(3);
  auto m = std::dynamic_pointer_cast<GgdModelImpl>(make_model(o));
  m->to(torch::kFloat64);
  if (param_std > 0) randomize(*m, param_std, seed);
  return m;
}

GgdOptions small() { return GgdOptions().entropy_hidden({8, 8}).dissipation_hidden({8, 8}); }

// S concave, Ξ(x, 0) = 0 with its gradient, Ξ convex in x*, the rate ∂Ξ/∂x* at x* = ∂S/∂x,
// and dS/dt = ⟨x*, rate⟩ ≥ Ξ ≥ 0, at the states x.
void expect_structure(GgdModelImpl& m, const torch::Tensor& x) {
  auto HS = hessians([&](const torch::Tensor& u) { return m.entropy(u); }, x);
  EXPECT_GE(relative_min_eigenvalue(-HS).min().item<double>(), -1e-12);  // S concave
  auto xs = m.conjugate(x);
  auto zero = torch::zeros_like(x);
  EXPECT_LE(m.dissipation(x, zero).abs().max().item<double>(), 1e-12);
  EXPECT_LE(m.dissipation_gradient(x, zero).abs().max().item<double>(), 1e-12);
  auto HX = hessians(
      [&](const torch::Tensor& y) { return m.dissipation(x, y, /*create_graph=*/true); }, xs);
  EXPECT_GE(relative_min_eigenvalue(HX).min().item<double>(), -1e-12);
  auto f = m.time_derivative(x, false);
  EXPECT_TRUE(torch::allclose(f, m.dissipation_gradient(x, xs), 1e-12, 1e-14));
  auto xi = m.dissipation(x, xs);
  const double scale = std::max(1.0, xi.abs().max().item<double>());
  EXPECT_GE(xi.min().item<double>(), -1e-12 * scale);
  EXPECT_GE(((xs * f).sum(1) - xi).min().item<double>(), -1e-12 * scale);
}

TEST(Ggd, StructureHoldsForRandomParameters) {
  for (bool grid : {false, true}) {
    const int64_t d = grid ? 8 : 3;
    for (uint64_t seed = 0; seed < 3; ++seed) {
      auto m = make_ggd(d, small(), grid, seed, 1.0);
      expect_structure(*m, torch::randn({24, d}, torch::kFloat64));
    }
  }
}

// Entropy increments along a rollout [B, T, d] (the smallest, relative to max |S|).
double min_entropy_increment(GgdModelImpl& m, const torch::Tensor& traj) {
  auto S = m.entropy(traj.reshape({-1, traj.size(2)})).reshape({traj.size(0), traj.size(1)});
  auto dS = S.narrow(1, 1, S.size(1) - 1) - S.narrow(1, 0, S.size(1) - 1);
  return dS.min().item<double>() / std::max(1.0, S.abs().max().item<double>());
}

TEST(Ggd, ContinuousTimeEntropyNeverDecreasesWithSmallSteps) {
  auto m = make_ggd(2, small(), false, 3, 0.5);
  auto x0 = torch::randn({6, 2}, torch::kFloat64);
  auto t = torch::arange(300, torch::kFloat64) * 1e-3;
  auto traj = rollout(*m, x0, t, StepOptions().integrator("rk4"));
  EXPECT_GE(min_entropy_increment(*m, traj), -1e-12);
  // It moves: the entropy does increase.
  auto S = m->entropy(traj.reshape({-1, 2})).reshape({6, -1});
  EXPECT_GT((S.select(1, -1) - S.select(1, 0)).max().item<double>(), 1e-8);
}

void expect_entropy_never_decreases(GgdModelImpl& m, const torch::Tensor& x0, double dt,
                                    const std::string& what) {
  auto t = torch::arange(15, torch::kFloat64) * dt;
  auto traj = rollout(m, x0, t, StepOptions().integrator("discrete_gradient"));
  EXPECT_GE(min_entropy_increment(m, traj), -1e-12) << what << " dt " << dt;
  // Each step solves its scheme (to the Newton tolerance).
  auto x1 = traj.select(1, 1), xb = traj.select(1, 0);
  auto r = x1 - xb - dt * m.discrete_time_derivative(x1, xb, false);
  EXPECT_LE(r.abs().max().item<double>(), 1e-12 * std::max(1.0, x1.abs().max().item<double>()))
      << what << " dt " << dt;
}

TEST(Ggd, DiscreteTimeEntropyNeverDecreasesWithLargeSteps) {
  // Both potentials random; the learned entropy strongly concave (ε = 0.5) so that it has a
  // maximum and the flow stays bounded. Steps of 1 to 100 times the model's own time scale
  // |x|/|dx/dt| at the start with x̄ = x₀ (the default); the midpoint x̄, whose Newton
  // problem is harder far from equilibrium, up to 10 times. Dense networks only: Newton on
  // the periodic-grid networks takes tens of seconds per rollout, too slow for CI.
  for (const std::string xbar : {"start", "midpoint"}) {
    for (bool grid : {false}) {
      const int64_t d = grid ? 8 : 2;
      auto m = make_ggd(d, small().entropy_curvature(0.5).xbar(xbar), grid, 11, 0.5);
      auto x0 = torch::randn({4, d}, torch::kFloat64);
      const double tau =
          (x0.norm(2, 1) / m->time_derivative(x0, false).norm(2, 1)).median().item<double>();
      for (double k : {1.0, 10.0, 100.0}) {
        if (xbar == "midpoint" && k > 10) continue;
        expect_entropy_never_decreases(*m, x0, k * tau, xbar + (grid ? " grid" : " dense"));
      }
    }
  }
  // A strictly concave entropy with a maximum (the particle's) and a random learned Ξ:
  // steps far beyond the relaxation time.
  auto m = make_ggd(2, small().entropy("system").system("particle-2d"), false, 12, 0.5);
  for (double dt : {5.0, 50.0, 500.0}) {
    expect_entropy_never_decreases(*m, 2.0 * torch::randn({4, 2}, torch::kFloat64), dt,
                                   "particle entropy");
  }
}

// The positive-state options (ideal-mixture entropy term, Ξ reading ln x) keep every
// guarantee for random parameters: S concave, Ξ(x, 0) = 0 with its gradient, Ξ convex in x*,
// and the discrete-time step never decreases S.
TEST(Ggd, PositiveStateOptionsKeepTheStructure) {
  for (bool grid : {false, true}) {
    const int64_t d = grid ? 8 : 4;
    auto g = small().entropy_basis("ideal_mixture").x_features("log");
    auto m = make_ggd(d, g, grid, 7, 0.5);
    ASSERT_EQ(m->mixture_weights().numel(), grid ? 1 : d);
    EXPECT_GT(m->mixture_weights().min().item<double>(), 0.0);
    expect_structure(*m, 1e-3 + torch::rand({16, d}, torch::kFloat64));
  }
  auto m = make_ggd(4, small().entropy_basis("ideal_mixture").x_features("log"), false, 8, 0.5);
  auto lo = m->conjugate(torch::full({1, 4}, 1e-6, torch::kFloat64));
  auto hi = m->conjugate(torch::full({1, 4}, 1e-2, torch::kFloat64));
  // The mixture term makes x* = ∂S/∂x diverge like −a ln x at x → 0: it grows by
  // a ln(1e4) ≈ 9.2 a between the two states; an ICNN's gradient is bounded there.
  EXPECT_GT((lo - hi).min().item<double>(),
            0.5 * std::log(1e4) * m->mixture_weights().min().item<double>());
  auto c0 = 0.05 + torch::rand({4, 4}, torch::kFloat64);
  expect_entropy_never_decreases(*m, c0, 0.05, "ideal mixture, log features");
}

TEST(Ggd, PrescribedEntropyStepStaysPositiveAndIncreasesEntropyAtLargeSteps) {
  auto g = small().entropy("system").system("chemical-kinetics");
  auto m = make_ggd(4, g, false, 5, 0.5);
  auto c0 = 0.05 + torch::rand({4, 4}, torch::kFloat64);
  auto traj = rollout(*m, c0, torch::arange(10, torch::kFloat64) * 20.0,
                      StepOptions().integrator("discrete_gradient"));
  EXPECT_TRUE((traj > 0).all().item<bool>());
  EXPECT_GE(min_entropy_increment(*m, traj), -1e-12);
}

TEST(Ggd, SystemPotentialsReproduceTheReferenceDynamics) {
  struct Case {
    std::string system;
    int64_t dim;
    std::string params;
  };
  for (const auto& c : std::vector<Case>{{"particle-2d", 2, ""},
                                         {"chemical-kinetics", 4, "k1=0.7 k2=1.3"},
                                         {"diffusion", 16, "points=16 D=0.01"}}) {
    auto sys = ggd_system(GgdOptions().system(c.system).system_params(c.params));
    auto m = make_ggd(
        c.dim, GgdOptions().entropy("system").dissipation("system").system(c.system).system_params(
                   c.params));
    auto x = sys->sample_initial(8, 3);
    auto f = m->time_derivative(x, false), ft = sys->time_derivative(x);
    EXPECT_LE((f - ft).abs().max().item<double>(),
              1e-12 * std::max(1.0, ft.abs().max().item<double>()))
        << c.system;
  }
}

TEST(Ggd, RejectsUnknownChoicesAndUnsuitableSystems) {
  EXPECT_THROW(make_ggd(2, GgdOptions().entropy("quadratic")), std::invalid_argument);
  EXPECT_THROW(make_ggd(2, GgdOptions().xbar("end")), std::invalid_argument);
  EXPECT_THROW(make_ggd(2, GgdOptions().entropy_basis("gibbs")), std::invalid_argument);
  EXPECT_THROW(make_ggd(2, GgdOptions().x_features("sqrt")), std::invalid_argument);
  EXPECT_THROW(make_ggd(4, GgdOptions()
                               .entropy("system")
                               .system("chemical-kinetics")
                               .entropy_basis("ideal_mixture")),
               std::invalid_argument);
  EXPECT_THROW(
      make_ggd(4, GgdOptions().dissipation("system").system("chemical-kinetics").x_features("log")),
      std::invalid_argument);
  EXPECT_THROW(make_ggd(2, GgdOptions().dissipation("system")),
               std::invalid_argument);  // no system
  EXPECT_THROW(make_ggd(2, GgdOptions().entropy("system").system("mass-spring")),
               std::invalid_argument);
  EXPECT_THROW(make_ggd(3, GgdOptions().entropy("system").system("particle-2d")),
               std::invalid_argument);  // dimension mismatch
  EXPECT_THROW(make_model(ModelOptions().type("ggd").dim(2).network("transformer")),
               std::invalid_argument);
}

}  // namespace
}  // namespace enflow::models
