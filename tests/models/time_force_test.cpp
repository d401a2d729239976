// Time-dependent and given external forces (phlearn's f(x, t)): the implicit step with the
// force at the step's midpoint time keeps H(u₁) − H(u₀) = Δt ∇̄H·(G∇̄H + f̄) to rounding; a
// zero force network is bitwise the unforced model; the system's known force in the
// discrete-gradient step reproduces the forced KdV reference step; bad choices are named.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

#include "enflow/geometry/grid_operators.h"
#include "enflow/io/config.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/model_io.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"

namespace enflow::models {
namespace {

constexpr int64_t kN = 16;

ModelOptions xt_dgnet(ForceKind force) {
  return ModelOptions()
      .type("dgnet")
      .dim(kN)
      .dx(0.5)
      .network("periodic_conv")
      .channels(8)
      .kernel(3)
      .depth(1)
      .structure("learned_skew_stencil")
      .force(force)
      .force_hidden(16);
}

DynamicsModel make_f64(const ModelOptions& o, uint64_t seed) {
  torch::manual_seed(seed);
  auto m = make_model(o);
  m->to(torch::kFloat64);
  return m;
}

// Gives the force network's zero output layer (and the skew stencil) random values, so f
// depends on x and t and G is not zero.
void randomize_force(DynamicsModelImpl& m) {
  torch::NoGradGuard ng;
  torch::manual_seed(11);
  for (auto& kv : m.named_parameters(/*recurse=*/true))
    if (kv.key().find("force_field.l3") != std::string::npos ||
        kv.key().find("structure") != std::string::npos)
      kv.value().copy_(0.5 * torch::randn(kv.value().sizes(), torch::kFloat64));
}

// max over steps of |H(u₁) − H(u₀) − Δt ∇̄H·(G∇̄H + f(t_f))| / max(1, |H|), t_f = t₀ + shift·Δt.
double balance(DynamicsModelImpl& m, double shift, int steps, double dt, double t_start) {
  torch::manual_seed(9);
  auto u = 0.5 * torch::randn({3, kN}, torch::kFloat64);
  auto H = m.energy_fn();
  auto d = m.energy_derivatives();
  double worst = 0;
  for (int k = 0; k < steps; ++k) {
    const double t0 = t_start + k * dt;
    auto u1 = predict_step(m, u, dt, StepOptions(), nullptr, torch::full({3}, t0, u.options()));
    auto g = d.discrete_gradient(u1, u, false).dgrad;
    auto rate =
        m.discrete_time_derivative(u1, u, false, torch::full({3}, t0 + shift * dt, u.options()));
    auto h0 = H(ad::Var(u)).a().detach(), h1 = H(ad::Var(u1)).a().detach();
    auto r = (h1 - h0 - dt * (g * rate).sum(1)).abs() / h0.abs().clamp_min(1.0);
    worst = std::max(worst, r.max().item<double>());
    u = u1;
  }
  return worst;
}

TEST(TimeDependentForce, ImplicitStepKeepsTheBalanceAtTheMidpointTime) {
  auto m = make_f64(xt_dgnet(ForceKind::kNetwork), 1);
  randomize_force(*m);
  ASSERT_TRUE(m->time_dependent_force());
  // The force moves with t: f(0) and f(1) differ by far more than rounding.
  const auto diff =
      (m->force(torch::zeros({1}, torch::kFloat64)) - m->force(torch::ones({1}, torch::kFloat64)))
          .abs()
          .max()
          .item<double>();
  const double mid = balance(*m, 0.5, 8, 0.05, 0.3);
  const double start = balance(*m, 0.0, 8, 0.05, 0.3);  // the force at t₀: not the scheme's
  std::printf("f(x,t): |f(0) - f(1)| %.2e; balance residual %.2e (midpoint), %.2e (start)\n", diff,
              mid, start);
  EXPECT_GT(diff, 1e-3);
  EXPECT_LE(mid, 1e-12);
  EXPECT_GT(start, 1e-8);
}

TEST(TimeDependentForce, EvaluationReportsTheBalanceWithTheDataTimes) {
  auto system = systems::make_system("kdv-burgers", {{"points", kN}, {"length", 8.0}});
  auto data = systems::generate_dataset(*system, systems::Protocol{2, 6, 0.01, 0.0, 0.5, ""}, 3);
  data.t = data.t + 0.7;  // a series that does not start at t = 0
  auto m = make_f64(xt_dgnet(ForceKind::kNetwork), 2);
  randomize_force(*m);
  const auto dg = StepOptions();
  auto ev = learn::evaluate(*m, data, {0, 1}, dg, dg, system.get());
  std::printf("evaluate with f(x,t): balance residual %.2e\n", ev.energy_balance_residual);
  EXPECT_LE(ev.energy_balance_residual, 1e-12);
}

TEST(TimeDependentForce, ZeroForceIsBitwiseTheUnforcedModel) {
  auto forced = make_f64(xt_dgnet(ForceKind::kNetwork), 3);
  auto plain = make_f64(xt_dgnet(ForceKind::kNone), 3);
  torch::manual_seed(4);
  auto u = 0.5 * torch::randn({4, kN}, torch::kFloat64);
  auto t0 = torch::full({4}, 0.25, torch::kFloat64);
  auto dt = torch::full({4}, 0.05, torch::kFloat64);
  EXPECT_TRUE(torch::equal(forced->time_derivative(u, false), plain->time_derivative(u, false)));
  EXPECT_TRUE(torch::equal(predict_step(*forced, u, 0.05, StepOptions(), nullptr, t0),
                           predict_step(*plain, u, 0.05, StepOptions())));
  auto u1 = u + 0.05 * torch::ones_like(u);
  EXPECT_TRUE(torch::equal(model_rate(*forced, u, u1, dt, StepOptions(), t0).detach(),
                           model_rate(*plain, u, u1, dt, StepOptions()).detach()));
  EXPECT_TRUE(torch::equal(differentiable_step(*forced, u, dt, StepOptions(), t0).detach(),
                           differentiable_step(*plain, u, dt, StepOptions()).detach()));
  auto times = torch::arange(4, torch::kFloat64) * 0.05;
  EXPECT_TRUE(torch::equal(rollout(*forced, u, times, StepOptions()),
                           rollout(*plain, u, times, StepOptions())));
  // The force network learns from the one-step loss (its zero output layer gets gradients).
  auto loss = (model_rate(*forced, u, u1, dt, StepOptions(), t0) - 1.0).pow(2).mean();
  loss.backward();
  double g = 0;
  for (auto& kv : forced->named_parameters(true))
    if (kv.key().find("force_field.l3") != std::string::npos && kv.value().grad().defined())
      g = std::max(g, kv.value().grad().abs().max().item<double>());
  EXPECT_GT(g, 0.0);
}

// The forced KdV (KdV–Burgers at ν = 0) with its exact energy H = Δx Σ(−η/6 u³) + γ²/2 Δx
// uᵀQu and G = D/Δx: the reference's Furihata scheme (v − u)/Δt = D g + f is the
// discrete-gradient step with ∇̄H = Δx g and the system's given force.
class ExactForcedKdv : public DynamicsModelImpl {
 public:
  ExactForcedKdv(const systems::System& s, int64_t n, double dx) : dx_(dx), f_(s.external_force()) {
    auto Dp = geometry::forward_difference(n, dx);
    Q_ = torch::matmul(Dp.t(), Dp);
    G_ = geometry::central_difference(n, dx) / dx;
  }
  std::string type() const override { return "dgnet"; }
  bool has_energy() const override { return true; }
  ad::EnergyFn energy_fn() override {
    return [dx = dx_, Q = Q_](const ad::Var& u) {
      return ad::sum_per_sample(ad::pow(u, 3)) * (-6.0 / 6.0 * dx) +
             ad::quadratic(u, Q) * (0.5 * dx);
    };
  }
  at::Tensor structure_matrix() override { return G_; }
  at::Tensor force(const at::Tensor& = {}) override { return f_; }
  at::Tensor time_derivative(const at::Tensor& u, bool cg) override {
    return apply_structure(energy_derivatives().gradient(u, cg)) + f_;
  }

 private:
  double dx_;
  at::Tensor f_, Q_, G_;
};

TEST(TimeDependentForce, GivenForceReproducesTheForcedKdvReferenceStep) {
  const int64_t n = 32;
  auto system = systems::make_system("kdv-burgers", {{"points", n}, {"nu", 0.0}});
  const double dx = system->dx();
  ExactForcedKdv m(*system, n, dx);
  ASSERT_GT(m.force().abs().max().item<double>(), 0.1);
  auto u = system->sample_initial(2, 5);
  double worst = 0;
  for (int k = 0; k < 5; ++k) {
    auto ref = system->reference_step(u, 0.01);
    auto ours = predict_step(m, u, 0.01, StepOptions());
    worst = std::max(worst, (ref - ours).abs().max().item<double>() /
                                std::max(1.0, u.abs().max().item<double>()));
    u = ref;
  }
  std::printf("given force: |reference step - discrete-gradient step| %.2e\n", worst);
  EXPECT_LE(worst, 1e-11);

  // make_model's given force is the system's f, kept exactly and not trained.
  const auto f = system->external_force();
  std::vector<double> values(f.data_ptr<double>(), f.data_ptr<double>() + f.numel());
  auto given = make_f64(xt_dgnet(ForceKind::kGiven).dim(n).given_force(values), 6);
  EXPECT_TRUE(torch::equal(given->force(), f));
  for (auto& kv : given->named_parameters(true))
    EXPECT_EQ(kv.key().find("force"), std::string::npos) << kv.key() << " is trained";
  EXPECT_FALSE(given->time_dependent_force());
}

TEST(TimeDependentForce, BadChoicesAreOneLineNamingTheKey) {
  auto expect_message = [](const std::function<void()>& f, const std::string& part) {
    try {
      f();
      ADD_FAILURE() << "no error; expected one naming " << part;
    } catch (const std::exception& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(part), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  };
  expect_message(
      [] {
        auto c = io::Config::parse("[model]\nforce = \"pushed\"\n", {}, "bad.toml", true);
        learn::model_options_from_config(c, kN, 0.5);
      },
      "config 'bad.toml': unknown model.force 'pushed'; known: none, learned, learned_xt, given");
  expect_message([] { make_model(xt_dgnet(ForceKind::kNetwork).type("hnn")); },
                 "model.force = learned_xt needs dgnet");
  expect_message([] { make_model(ModelOptions().type("node").dim(2).force(ForceKind::kGiven)); },
                 "model.force = given applies to energy models");
  expect_message(
      [] {
        make_model(xt_dgnet(ForceKind::kGiven).given_force({1.0, 2.0}));
      },
      "model.force = given");
  expect_message(
      [] {
        auto m = make_f64(xt_dgnet(ForceKind::kNetwork), 7);
        predict_step(*m, torch::zeros({1, kN}, torch::kFloat64), 0.1,
                     StepOptions().integrator("rk4"));
      },
      "needs the discrete_gradient integrator, not rk4");
}

}  // namespace
}  // namespace enflow::models
