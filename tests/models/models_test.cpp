// DGNet and its baselines learn the mass-spring system from trajectories the test makes;
// the discrete-gradient prediction keeps the learned energy to rounding.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "enflow/integrators/adaptive.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/model_io.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/system.h"
#include "support/oscillator.h"

namespace enflow::models {
namespace {

using learn::PairSet;

struct LearnedDynamics : ::testing::Test {
  void SetUp() override {
    torch::manual_seed(0);
    data = testing::oscillator_dataset(10, 40, 0.1);
    train = learn::make_pairs(data, data.train, torch::kFloat64, torch::kCPU);
    test = learn::make_pairs(data, data.test, torch::kFloat64, torch::kCPU);
  }
  DynamicsModel make(const std::string& type) {
    auto m = make_model(ModelOptions().type(type).dim(2).hidden({32, 32}));
    m->to(torch::kFloat64);
    return m;
  }
  // Deriv. MSE before and after training.
  std::pair<double, double> fit(DynamicsModelImpl& m, const std::string& integrator, int iters) {
    auto step = StepOptions().integrator(integrator);
    const double before = learn::rate_mse(m, test, step);
    learn::train(
        m, train,
        learn::TrainOptions().lr(3e-3).batch(64).iterations(iters).log_every(0).step(step));
    return {before, learn::rate_mse(m, test, step)};
  }
  // A DGNet with learnable friction trained on a damped oscillator (stored in `damped`).
  DynamicsModel damped_dgnet(int iters) {
    damped = testing::oscillator_dataset(10, 40, 0.1, /*damping=*/0.3);
    auto tr = learn::make_pairs(damped, damped.train, torch::kFloat64, torch::kCPU);
    auto m = make_model(ModelOptions().type("dgnet").dim(2).hidden({32, 32}).structure("friction"));
    m->to(torch::kFloat64);
    learn::train(*m, tr, learn::TrainOptions().lr(3e-3).batch(64).iterations(iters).log_every(0));
    return m;
  }
  io::Dataset data, damped;
  PairSet train, test;
};

TEST_F(LearnedDynamics, DGNetLearnsAndItsPredictionConservesTheLearnedEnergy) {
  auto m = make("dgnet");
  auto [before, after] = fit(*m, "discrete_gradient", 400);
  EXPECT_LT(after, 0.02 * before) << "before " << before << " after " << after;
  auto u0 = data.states.select(1, 0).index_select(0, torch::tensor(data.test));
  auto traj = rollout(*m, u0, torch::arange(200, torch::kFloat64) * 0.1, StepOptions());
  auto H = m->energy_fn();
  auto E = ad::energy(H, traj.reshape({-1, 2})).reshape({traj.size(0), -1});
  auto drift = (E - E.select(1, 0).unsqueeze(1)).abs().max().item<double>();
  EXPECT_LE(drift, 1e-12 * E.abs().max().item<double>());
  // The true energy q² + p² stays close to its initial value too (learned physics).
  auto Etrue = traj.pow(2).sum(2);
  auto rel = ((Etrue - Etrue.select(1, 0).unsqueeze(1)).abs() / Etrue.select(1, 0).unsqueeze(1));
  EXPECT_LT(rel.max().item<double>(), 0.1);

  // Deriv. MSE compares the model's continuous-time G∇H(u) with the exact du/dt at the test
  // states: small against the mean square of du/dt once learned; NaN without a system.
  auto sys = systems::make_system("mass-spring");
  auto ev = learn::evaluate(*m, data, data.test, StepOptions(), StepOptions(), sys.get(), 20);
  auto states = data.states.index_select(0, torch::tensor(data.test)).reshape({-1, 2});
  const double scale = sys->time_derivative(states).pow(2).mean().item<double>();
  EXPECT_LT(ev.deriv_mse, 1e-2 * scale) << "deriv " << ev.deriv_mse << " scale " << scale;
  EXPECT_GT(ev.deriv_mse, 0.0);
  auto untrained = make("dgnet");
  EXPECT_GT(learn::derivative_mse(*untrained, *sys, states), 10 * ev.deriv_mse);
  auto blind = learn::evaluate(*m, data, data.test, StepOptions(), StepOptions(), nullptr, 5);
  EXPECT_TRUE(std::isnan(blind.deriv_mse));
  EXPECT_DOUBLE_EQ(blind.step_mse, ev.step_mse);
  // Imported data labelled with a system keep its energies but not its du/dt.
  auto imported = data;
  imported.source = "import record.txt";
  auto rec = learn::evaluate(*m, imported, data.test, StepOptions(), StepOptions(), sys.get(), 20);
  EXPECT_TRUE(std::isnan(rec.deriv_mse));
  ASSERT_EQ(rec.invariant_mse.count("energy"), 1u);
  EXPECT_DOUBLE_EQ(rec.invariant_mse.at("energy"), ev.invariant_mse.at("energy"));
}

TEST_F(LearnedDynamics, BaselinesLearnThroughTheirIntegrators) {
  for (auto [type, integ] : std::vector<std::pair<std::string, std::string>>{
           {"hnn", "rk2"}, {"hnn", "dopri5"}, {"srnn", "leapfrog"}, {"node", "rk2"}}) {
    auto m = make(type);
    auto [before, after] = fit(*m, integ, 150);
    EXPECT_LT(after, 0.2 * before)
        << type << "/" << integ << " before " << before << " after " << after;
  }
}

TEST_F(LearnedDynamics, DissipativeStructureLearnsFrictionAndEnergyDecreases) {
  auto m = damped_dgnet(300);
  auto u0 = damped.states.select(1, 0).narrow(0, 0, 3);
  auto traj = rollout(*m, u0, torch::arange(50, torch::kFloat64) * 0.5, StepOptions());
  auto E = ad::energy(m->energy_fn(), traj.reshape({-1, 2})).reshape({3, -1});
  auto dE = E.narrow(1, 1, 49) - E.narrow(1, 0, 49);
  EXPECT_LE(dE.max().item<double>(), 1e-12 * E.abs().max().item<double>());
}

// The data are q' = 2p, p' = −2q − 2γp with γ = 0.3, i.e. (S − R)∇H for H = q² + p² and
// R = diag(0, γ). S fixes the energy's scale (q' = ∂H/∂p), so the learned friction must be γ.
TEST_F(LearnedDynamics, LearnableFrictionRecoversTheDampingCoefficient) {
  auto m = damped_dgnet(600);
  const double friction = -m->structure_matrix()[1][1].item<double>();
  EXPECT_NEAR(friction, 0.3, 0.015);
  EXPECT_NEAR(m->structure_matrix()[0][0].item<double>(), 0.0, 1e-15);  // q is not damped
}

// Same data, same budget: DGNet's implicit prediction keeps a learned energy, NODE's
// vector field has nothing to keep, and over 20 periods the true energy q² + p² drifts.
TEST_F(LearnedDynamics, DGNetsLongTermEnergyErrorIsBelowNodes) {
  auto u0 = data.states.select(1, 0).index_select(0, torch::tensor(data.test));
  auto t = torch::arange(301, torch::kFloat64) * 0.2;  // 60 time units, ~19 periods
  auto energy_mse = [&](DynamicsModelImpl& m, const std::string& predict) {
    auto traj = rollout(m, u0, t, StepOptions().integrator(predict));
    auto E = traj.pow(2).sum(2);
    return (E - E.select(1, 0).unsqueeze(1)).pow(2).mean().item<double>();
  };
  auto dgnet = make("dgnet");
  fit(*dgnet, "discrete_gradient", 400);
  auto node = make("node");
  fit(*node, "rk2", 400);
  const double e_dgnet = energy_mse(*dgnet, "discrete_gradient");
  const double e_node = energy_mse(*node, "dopri5");
  EXPECT_LT(e_dgnet, 0.1 * e_node) << "DGNet " << e_dgnet << ", NODE " << e_node;
}

TEST_F(LearnedDynamics, ImplicitStepsNewtonCannotSolveAreHalvedAndKeepTheEnergyLaw) {
  auto m = damped_dgnet(200);
  auto u0 = damped.states.select(1, 0).narrow(0, 0, 3);
  auto t = torch::arange(11, torch::kFloat64) * 2.0;  // 20x the data's step
  // Three Newton iterations cannot solve a step this long...
  auto starved = StepOptions().newton_max_iterations(3);
  EXPECT_THROW(rollout(*m, u0, t, StepOptions(starved).newton_max_halvings(0)), std::runtime_error);
  // ...but halves of it (and their halves) can, and the result is still a dissipative
  // discrete-gradient trajectory, made of shorter steps: closer to a fine-step rollout
  // (dt / 64) than the full-length steps Newton solves with enough iterations.
  RolloutReport halved_report, full_report;
  auto halved = rollout(*m, u0, t, starved, &halved_report);
  auto full = rollout(*m, u0, t, StepOptions(), &full_report);
  // The rollout says which steps it split; the whole-step energy balance
  // H(u₁) − H(u₀) = Δt ∇̄H·G∇̄H holds to rounding on a step taken whole and not on a split one
  // (each half keeps its own), which is why the balance metric leaves split steps out.
  auto has = [](const RolloutReport& r, int64_t k) {
    return std::find(r.halved_steps.begin(), r.halved_steps.end(), k) != r.halved_steps.end();
  };
  auto whole_step_balance = [&](const at::Tensor& traj, int64_t k) {
    auto a = traj.select(1, k - 1), b = traj.select(1, k);
    auto g = m->energy_derivatives().discrete_gradient(b, a, false).dgrad;
    auto rate = m->discrete_time_derivative(b, a, false);
    auto change = ad::energy(m->energy_fn(), b) - ad::energy(m->energy_fn(), a);
    return (change.reshape({-1}) - 2.0 * (g * rate).sum(1)).abs().max().item<double>();
  };
  EXPECT_GT(halved_report.halved_steps.size(), full_report.halved_steps.size());
  int whole = 0, split = 0;
  for (int64_t k = 1; k <= 10; ++k) {
    if (!has(full_report, k)) {
      EXPECT_LE(whole_step_balance(full, k), 1e-12) << "whole step " << k;
      ++whole;
    }
    if (has(halved_report, k)) {
      EXPECT_GT(whole_step_balance(halved, k), 1e-8) << "split step " << k;
      ++split;
    }
  }
  std::printf("steps split: %zu (starved Newton), %zu (default); checked %d whole, %d split\n",
              halved_report.halved_steps.size(), full_report.halved_steps.size(), whole, split);
  EXPECT_GT(whole, 0);
  EXPECT_GT(split, 0);
  auto fine = rollout(*m, u0, torch::arange(641, torch::kFloat64) / 32.0, StepOptions())
                  .index_select(1, torch::arange(0, 641, 64));
  auto E = ad::energy(m->energy_fn(), halved.reshape({-1, 2})).reshape({3, -1});
  auto dE = E.narrow(1, 1, 10) - E.narrow(1, 0, 10);
  EXPECT_LE(dE.max().item<double>(), 1e-12 * E.abs().max().item<double>());
  const double err_halved = (halved - fine).abs().max().item<double>();
  const double err_full = (full - fine).abs().max().item<double>();
  EXPECT_LT(err_halved, 0.5 * err_full) << err_halved << " vs " << err_full;
}

TEST_F(LearnedDynamics, WrongSchemeForModelIsAClearError) {
  auto node = make("node");
  EXPECT_THROW(learn::rate_mse(*node, test, StepOptions().integrator("discrete_gradient")),
               std::invalid_argument);
  auto hnn = make("hnn");
  EXPECT_THROW(learn::rate_mse(*hnn, test, StepOptions().integrator("leapfrog")),
               std::invalid_argument);
  EXPECT_THROW(learn::rate_mse(*hnn, test, StepOptions().integrator("rk45")),
               std::invalid_argument);
  EXPECT_THROW(make_model(ModelOptions().type("transformer")), std::invalid_argument);
}

TEST_F(LearnedDynamics, DivergenceStopsWithAClearError) {
  auto opts =
      learn::TrainOptions().iterations(50).log_every(0).step(StepOptions().integrator("rk2"));
  PairSet bad = train;
  bad.u1 = train.u1.clone();
  bad.u1[0][0] = std::nan("");
  EXPECT_THROW(learn::train(*make("hnn"), bad, opts.lr(1e-3).batch(0)), std::runtime_error);
}

TEST_F(LearnedDynamics, CheckpointsResumeAndModelFilesRoundTrip) {
  const std::string dir = ::testing::TempDir();
  const std::string ckpt = dir + "/enflow_ckpt_test.pt";
  std::remove(ckpt.c_str());
  auto opts =
      learn::TrainOptions().iterations(20).log_every(0).checkpoint_every(10).checkpoint_path(ckpt);
  auto m = make("dgnet");
  const auto first = learn::train(*m, train, opts);
  auto m2 = make("dgnet");
  auto rep = learn::train(*m2, train, opts.iterations(20).resume(true));
  EXPECT_EQ(rep.start_iteration, 20);
  EXPECT_EQ(rep.iterations, 20);  // nothing left to do: the iteration reached
  // A finished checkpoint reports the loss and (summed) training time of the run it ended.
  EXPECT_DOUBLE_EQ(rep.final_loss, first.final_loss);
  EXPECT_GT(rep.seconds, 0.0);
  auto u = test.u0.narrow(0, 0, 5);
  EXPECT_TRUE(torch::allclose(m->time_derivative(u, false), m2->time_derivative(u, false)));

  auto cfg = io::Config::parse("[model]\ntype = 'dgnet'\nhidden = [32, 32]\n[data]\ndim = 2\n");
  const std::string path = dir + "/enflow_model_test.pt";
  learn::save_model(path, *m, cfg);
  auto loaded = learn::load_model(path);
  EXPECT_EQ(loaded.model->type(), "dgnet");
  EXPECT_TRUE(
      torch::allclose(m->time_derivative(u, false), loaded.model->time_derivative(u, false)));
  EXPECT_THROW(learn::load_model(dir + "/missing.pt"), std::runtime_error);
  EXPECT_THROW(learn::load_model(ckpt), std::runtime_error);  // a checkpoint is not a model file
}

TEST(Dopri5, AccurateAndDifferentiable) {
  auto w = torch::tensor(1.3, torch::TensorOptions().dtype(torch::kFloat64).requires_grad(true));
  auto f = [&](const torch::Tensor& u) {
    return torch::stack({w * u.select(1, 1), -w * u.select(1, 0)}, 1);
  };
  auto u0 = torch::tensor({{1.0, 0.0}}, torch::kFloat64);
  integrators::Dopri5Report rep;
  auto u1 = integrators::dopri5_step(f, u0, 2.0,
                                     integrators::Dopri5Options().rtol(1e-10).atol(1e-12), &rep);
  EXPECT_NEAR(u1[0][0].item<double>(), std::cos(2.6), 1e-8);
  EXPECT_GT(rep.substeps, 1);
  auto g = torch::autograd::grad({u1[0][0]}, {w})[0].item<double>();
  EXPECT_NEAR(g, -2.0 * std::sin(2.6), 1e-6);  // d/dw cos(2w)
}

}  // namespace
}  // namespace enflow::models
