// DGNets of PDEs on periodic grids, trained for a few hundred iterations on small KdV and
// Cahn–Hilliard sets the test generates: the implicit prediction keeps the learned energy
// (KdV, G = D) or never lets it increase (Cahn–Hilliard, G = D₂), and keeps the mass Σu·dx,
// to rounding, whatever the quality of the fit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/learn/model_io.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/generate.h"

namespace enflow::models {
namespace {

struct Trained {
  DynamicsModel model;
  io::Dataset data;
  double dx = 1.0;
  double loss_before = 0.0, loss_after = 0.0;
};

// 6 series of 40 steps on a 16-point grid; a 16-channel periodic conv DGNet, 300 iterations.
Trained train_pde_dgnet(const std::string& system, const std::string& structure) {
  torch::manual_seed(0);
  Trained r;
  auto sys = systems::make_system(system, {{"points", 16}});
  auto p = systems::default_protocol(system);
  p.series = 6;
  p.steps = 40;
  r.data = systems::generate_dataset(*sys, p, 0);
  r.dx = learn::dataset_grid_spacing(r.data);
  r.model = make_model(ModelOptions()
                           .type("dgnet")
                           .dim(16)
                           .network("periodic_conv")
                           .channels(16)
                           .structure(structure)
                           .dx(r.dx));
  r.model->to(torch::kFloat64);
  auto pairs = learn::make_pairs(r.data, r.data.train, torch::kFloat64, torch::kCPU);
  const auto step = StepOptions();
  r.loss_before = learn::rate_mse(*r.model, pairs, step);
  learn::train(*r.model, pairs,
               learn::TrainOptions().lr(3e-3).batch(64).iterations(300).log_every(0).step(step));
  r.loss_after = learn::rate_mse(*r.model, pairs, step);
  return r;
}

struct Rollout {
  at::Tensor energy;  // learned energy [B, T]
  at::Tensor mass;    // Σ u dx [B, T]
};

Rollout roll(const Trained& tr, int64_t steps) {
  auto u0 = tr.data.states.select(1, 0).index_select(0, torch::tensor(tr.data.test));
  auto t = torch::arange(steps + 1, torch::kFloat64) * tr.data.dt;
  auto traj = rollout(*tr.model, u0, t, StepOptions());
  const auto B = traj.size(0), T = traj.size(1);
  return {ad::energy(tr.model->energy_fn(), traj.reshape({B * T, -1})).reshape({B, T}),
          traj.sum(2) * tr.dx};
}

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

TEST(LearnedPdeDynamics, KdVDGNetConservesItsLearnedEnergyAndTheMassPerStep) {
  const auto tr = train_pde_dgnet("kdv", "D");
  EXPECT_LT(tr.loss_after, 0.5 * tr.loss_before) << tr.loss_before << " -> " << tr.loss_after;
  const auto r = roll(tr, 30);
  const auto T = r.energy.size(1);
  auto dE = r.energy.narrow(1, 1, T - 1) - r.energy.narrow(1, 0, T - 1);
  EXPECT_LE(max_abs(dE), 1e-10 * max_abs(r.energy)) << "relative energy change per step";
  EXPECT_LE(max_abs(r.mass - r.mass.select(1, 0).unsqueeze(1)), 1e-12);
}

TEST(LearnedPdeDynamics, CahnHilliardDGNetNeverIncreasesItsLearnedEnergyAndKeepsTheMass) {
  const auto tr = train_pde_dgnet("cahn-hilliard", "D2");
  EXPECT_LT(tr.loss_after, 0.5 * tr.loss_before) << tr.loss_before << " -> " << tr.loss_after;
  const auto r = roll(tr, 30);
  const auto T = r.energy.size(1);
  auto dE = r.energy.narrow(1, 1, T - 1) - r.energy.narrow(1, 0, T - 1);
  EXPECT_LE(dE.max().item<double>(), 1e-12 * max_abs(r.energy)) << "an energy increase";
  EXPECT_LT(dE.min().item<double>(), 0.0) << "D2 dissipates: the energy must move";
  EXPECT_LE(max_abs(r.mass - r.mass.select(1, 0).unsqueeze(1)), 1e-12);
}

}  // namespace
}  // namespace enflow::models
