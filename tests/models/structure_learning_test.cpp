// Structures for data enflow was not tuned to (issue 28): L² gradient flows (G = −I, −c·I)
// and light friction, learned from data the tests make.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "enflow/geometry/grid_operators.h"
#include "enflow/geometry/structure.h"
#include "enflow/learn/lbfgs_refine.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "support/oscillator.h"

namespace enflow::models {
namespace {

using geometry::StructureOptions;

TEST(GradientFlowStructure, IsMinusIdentityOrMinusAPositiveMultipleOfIt) {
  auto G = geometry::make_structure("gradient_flow", 5)->matrix();
  EXPECT_TRUE(torch::equal(G, -torch::eye(5, torch::kFloat64)));
  auto scaled = std::dynamic_pointer_cast<geometry::ScaledGradientFlowImpl>(
      geometry::make_structure("scaled_gradient_flow", StructureOptions().dim(4).scale_init(0.25)));
  ASSERT_TRUE(scaled);
  EXPECT_NEAR(scaled->scale().item<double>(), 0.25, 1e-7);
  // Negative definite for every parameter value: c = exp(s) > 0.
  for (double s : {-30.0, -1.0, 0.0, 5.0}) {
    torch::NoGradGuard g;
    scaled->named_parameters()["log_scale"].fill_(s);
    auto ev = torch::linalg::eigvalsh(scaled->matrix().to(torch::kFloat64), "L");
    EXPECT_LT(ev.max().item<double>(), 0.0) << s;
  }
  EXPECT_FALSE(scaled->conservative());
}

TEST(GradientFlowStructure, FrictionStartsAtItsConfiguredValue) {
  for (double f : {1e-9, 0.003, 0.1, 2.0, 50.0}) {
    auto s = std::dynamic_pointer_cast<geometry::FrictionStructureImpl>(
        geometry::make_structure("friction", StructureOptions().dim(4).friction_init(f)));
    ASSERT_TRUE(s);
    s->to(torch::kFloat64);
    EXPECT_NEAR(s->friction()[0].item<double>(), f, 1e-6 * f) << f;
  }
  EXPECT_THROW(geometry::make_structure("friction", StructureOptions().dim(4).friction_init(0)),
               std::invalid_argument);
  EXPECT_THROW(
      geometry::make_structure("scaled_gradient_flow", StructureOptions().dim(4).scale_init(-1)),
      std::invalid_argument);
}

// 1-D Allen–Cahn on a periodic grid, the L² flow of F(u) = Σ [ε²/2 (∂ₓu)² + (u² − 1)²/4] dx:
// u_t = ε² Δu − (u³ − u). Fine explicit substeps; S series of T + 1 states dt apart.
io::Dataset allen_cahn_dataset(int64_t S, int64_t T, double dt, uint64_t seed) {
  const int64_t L = 16;
  const double dx = 2 * M_PI / L, eps2 = 0.09;
  auto gen = at::detail::createCPUGenerator(seed);
  auto o = torch::TensorOptions().dtype(torch::kFloat64);
  auto lap = geometry::second_difference(L, dx);
  auto u = 0.6 * torch::randn({S, L}, gen, o);
  u = (u + u.roll(1, 1) + u.roll(-1, 1)) / 3;  // smooth start
  std::vector<at::Tensor> states{u};
  const int sub = 50;
  for (int64_t k = 0; k < T; ++k) {
    for (int i = 0; i < sub; ++i)
      u = u + (dt / sub) * (eps2 * torch::matmul(u, lap.t()) - (u.pow(3) - u));
    states.push_back(u);
  }
  io::Dataset d;
  d.states = torch::stack(states, 1);
  d.t = torch::arange(T + 1, o) * dt;
  d.dt = dt;
  d.params = {{"dx", dx}};
  for (int64_t s = 0; s < S; ++s) (s < S * 3 / 4 ? d.train : d.test).push_back(s);
  return d;
}

DynamicsModel grid_dgnet(const std::string& structure, double dx) {
  torch::manual_seed(0);
  auto m = make_model(ModelOptions()
                          .type("dgnet")
                          .dim(16)
                          .dx(dx)
                          .network("periodic_conv")
                          .channels(16)
                          .structure(structure));
  m->to(torch::kFloat64);
  return m;
}

// The structure is known to be an L² flow: with G = −I the same budget fits better than
// a dense learnable dissipative G, and the learned F never increases along the implicit
// prediction.
TEST(StructureLearning, AllenCahnL2FlowIsLearnedWithGradientFlow) {
  const auto data = allen_cahn_dataset(16, 10, 0.05, 3);
  const double dx = 2 * M_PI / 16;
  auto train = learn::make_pairs(data, data.train, torch::kFloat64, torch::kCPU);
  auto test = learn::make_pairs(data, data.test, torch::kFloat64, torch::kCPU);
  const auto opts = learn::TrainOptions().lr(3e-3).batch(40).iterations(400).log_every(0);
  std::map<std::string, double> err;
  DynamicsModel flow;
  for (const std::string s : {"gradient_flow", "learnable_dissipative"}) {
    auto m = grid_dgnet(s, dx);
    learn::train(*m, train, opts);
    err[s] = learn::rate_mse(*m, test, StepOptions());
    if (s == "gradient_flow") flow = m;
  }
  std::printf("rate MSE: gradient_flow %.3e, learnable_dissipative %.3e\n", err["gradient_flow"],
              err["learnable_dissipative"]);
  EXPECT_LT(err["gradient_flow"], 0.5 * err["learnable_dissipative"])
      << err["gradient_flow"] << " vs " << err["learnable_dissipative"];
  // A trained fit, not a constant: well below the data's own rate variance.
  const double var = ((test.u1 - test.u0) / test.dt.unsqueeze(1)).pow(2).mean().item<double>();
  EXPECT_LT(err["gradient_flow"], 0.2 * var);

  auto u0 = data.states.select(1, 0).narrow(0, 12, 3);
  auto traj = rollout(*flow, u0, torch::arange(40, torch::kFloat64) * 0.2, StepOptions());
  auto F = ad::energy(flow->energy_fn(), traj.reshape({-1, 16})).reshape({3, -1});
  auto dF = F.narrow(1, 1, 39) - F.narrow(1, 0, 39);
  EXPECT_LE(dF.max().item<double>(), 1e-12 * F.abs().max().item<double>());
  EXPECT_LT(dF.min().item<double>(), 0.0);  // it does dissipate
}

// Light damping (γ = 0.01; q' = 2p, p' = −2q − 2γp, so R = diag(0, γ)) from the default
// start 0.1. Adam alone leaves the friction where the energy's fit error puts it; its own
// learning rate brings it closer than the shared one, and the L-BFGS refinement (the
// paper's protocol, train.lbfgs_iterations) recovers γ within 20 %.
TEST(StructureLearning, LightFrictionIsRecoveredWithItsOwnLearningRateAndLbfgs) {
  const auto data = testing::oscillator_dataset(10, 60, 0.1, /*damping=*/0.01);
  auto train = learn::make_pairs(data, data.train, torch::kFloat64, torch::kCPU);
  auto adam = [&](double structure_lr) {
    torch::manual_seed(0);
    auto m = make_model(ModelOptions().type("dgnet").dim(2).hidden({32, 32}).structure("friction"));
    m->to(torch::kFloat64);
    learn::train(*m, train,
                 learn::TrainOptions()
                     .lr(3e-3)
                     .structure_lr(structure_lr)
                     .batch(64)
                     .iterations(800)
                     .log_every(0));
    return m;
  };
  auto friction = [](DynamicsModel& m) { return -m->structure_matrix()[1][1].item<double>(); };
  auto own = adam(3e-2), shared = adam(0.0);
  EXPECT_LT(std::abs(friction(own) - 0.01), std::abs(friction(shared) - 0.01))
      << friction(own) << " vs " << friction(shared);
  const double own_adam = friction(own);
  learn::lbfgs_refine(*own, train, learn::LbfgsOptions().iterations(40));
  std::printf("friction (true 0.01): Adam, shared rate %.4f; own rate %.4f; + L-BFGS %.4f\n",
              friction(shared), own_adam, friction(own));
  EXPECT_NEAR(friction(own), 0.01, 0.002);
}

}  // namespace
}  // namespace enflow::models
