// DGNets on 2-D periodic grids (ModelOptions::grid): a k×k periodic conv energy and a grid
// structure applied by its stencil. Trained briefly on data the tests make, the implicit
// prediction never raises the learned energy and keeps the mass (Cahn–Hilliard, G = Δ) or
// keeps the learned energy (advection, G = ∂x), whatever the quality of the fit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/io/config.h"
#include "enflow/learn/model_io.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/generate.h"

namespace enflow::models {
namespace {

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

ModelOptions grid_dgnet(const std::string& structure, double dx) {
  return ModelOptions()
      .type("dgnet")
      .dim(256)
      .grid({16, 16})
      .network("periodic_conv")
      .channels(8)
      .structure(structure)
      .dx(dx);
}

struct GridRollout {
  at::Tensor energy;  // learned energy [B, T]
  at::Tensor dE;      // its change per step [B, T − 1]
  at::Tensor mass;    // Σ u [B, T]
  double loss_before = 0, loss_after = 0;
};

// Trains `iterations` Adam steps on the data's training pairs, then rolls out `steps`
// implicit discrete-gradient steps of `stride` data steps from the test series' states.
GridRollout train_and_roll(DynamicsModel model, const io::Dataset& data, int iterations, int steps,
                           int stride) {
  GridRollout r;
  auto pairs = learn::make_pairs(data, data.train, torch::kFloat64, torch::kCPU);
  const auto step = StepOptions();
  r.loss_before = learn::rate_mse(*model, pairs, step);
  learn::train(
      *model, pairs,
      learn::TrainOptions().lr(3e-3).batch(32).iterations(iterations).log_every(0).step(step));
  r.loss_after = learn::rate_mse(*model, pairs, step);
  auto u0 = data.states.select(1, 0).index_select(0, torch::tensor(data.test));
  auto t = torch::arange(steps + 1, torch::kFloat64) * (stride * data.dt);
  auto traj = rollout(*model, u0, t, step);
  const auto B = traj.size(0), T = traj.size(1);
  r.energy = ad::energy(model->energy_fn(), traj.reshape({B * T, -1})).reshape({B, T});
  r.dE = r.energy.narrow(1, 1, T - 1) - r.energy.narrow(1, 0, T - 1);
  r.mass = traj.sum(2);
  return r;
}

TEST(GridModels, CahnHilliard2dDGNetNeverRaisesItsLearnedEnergyAndKeepsTheMass) {
  torch::manual_seed(0);
  auto sys = systems::make_system("cahn-hilliard-2d");
  auto p = systems::default_protocol("cahn-hilliard-2d");
  p.series = 4;
  p.steps = 30;
  p.train_fraction = 0.75;
  const auto data = systems::generate_dataset(*sys, p, 0);
  ASSERT_EQ(learn::dataset_grid_shape(data), (std::vector<int64_t>{16, 16}));
  auto model = make_model(grid_dgnet("grid_laplacian", learn::dataset_grid_spacing(data)));
  model->to(torch::kFloat64);
  ASSERT_TRUE(model->matrix_free_structure());
  const auto r = train_and_roll(model, data, 100, 20, 4);
  const double rise = r.dE.max().item<double>(), scale = max_abs(r.energy);
  const double mass = max_abs(r.mass - r.mass.select(1, 0).unsqueeze(1));
  std::printf(
      "CH-2d DGNet: loss %.4e -> %.4e; learned energy max rise per step %.3e (|H| %.3e), "
      "largest fall %.3e; mass drift %.3e\n",
      r.loss_before, r.loss_after, rise, scale, -r.dE.min().item<double>(), mass);
  EXPECT_LT(r.loss_after, 0.5 * r.loss_before);
  EXPECT_LE(rise, 1e-12 * scale) << "the learned energy rose";
  EXPECT_LT(r.dE.min().item<double>(), 0.0) << "G = Δ dissipates: the energy must move";
  EXPECT_LE(mass, 1e-12);
}

// Advection u_t = −u_x on [0, 1)²: over dt = h the exact solution shifts by one point.
io::Dataset advection_2d(int64_t series, int64_t steps) {
  const int64_t n = 16;
  const double h = 1.0 / n;
  auto x = torch::arange(n, torch::kFloat64) * h;
  auto X = x.view({1, n}).expand({n, n}), Y = x.view({n, 1}).expand({n, n});
  auto g = torch::Generator(at::detail::createCPUGenerator(7));
  std::vector<at::Tensor> series_states;
  for (int64_t s = 0; s < series; ++s) {
    auto u = torch::zeros({n, n}, torch::kFloat64);
    for (int kx = 1; kx <= 2; ++kx)
      for (int ky = 0; ky <= 1; ++ky) {
        auto c = torch::randn({2}, g, torch::kFloat64);
        auto phase = 2 * M_PI * (kx * X + ky * Y);
        u = u + 0.5 * (c[0] * torch::cos(phase) + c[1] * torch::sin(phase));
      }
    std::vector<at::Tensor> states;
    for (int64_t k = 0; k <= steps; ++k) states.push_back(torch::roll(u, {k}, {1}).reshape({-1}));
    series_states.push_back(torch::stack(states));
  }
  io::Dataset d;
  d.states = torch::stack(series_states);
  d.t = torch::arange(steps + 1, torch::kFloat64) * h;
  d.dt = h;
  d.system = "advection-2d (test)";
  d.params = {{"dx", h}};
  d.grid = {n, n};
  for (int64_t s = 0; s < series; ++s) (s + 1 < series ? d.train : d.test).push_back(s);
  return d;
}

TEST(GridModels, HamiltonianDGNetOnA2dGridKeepsItsLearnedEnergyPerStep) {
  torch::manual_seed(1);
  const auto data = advection_2d(4, 16);
  auto model = make_model(grid_dgnet("grid_dx", learn::dataset_grid_spacing(data)));
  model->to(torch::kFloat64);
  const auto r = train_and_roll(model, data, 100, 20, 1);
  const double change = max_abs(r.dE) / max_abs(r.energy);
  std::printf(
      "2-D Hamiltonian DGNet (G = dx): loss %.4e -> %.4e; learned energy relative "
      "change per step %.3e\n",
      r.loss_before, r.loss_after, change);
  EXPECT_LT(r.loss_after, 0.5 * r.loss_before);
  EXPECT_LE(change, 1e-10);
}

// The stencil path gives the numbers of the dense G, and the flat-state energy is the grid
// network's (2-D 16 × 16 and 3-D 4 × 4 × 4).
TEST(GridModels, StencilStructureMatchesTheDenseMatrix) {
  torch::manual_seed(2);
  const std::vector<std::pair<std::vector<int64_t>, const char*>> cases = {
      {{16, 16}, "grid_dx"},
      {{16, 16}, "grid_laplacian"},
      {{16, 16}, "grid_dx_laplacian"},
      {{4, 4, 4}, "grid_dz"},
      {{4, 4, 4}, "grid_laplacian"}};
  for (const auto& [grid, structure] : cases) {
    auto model =
        make_model(grid_dgnet(structure, 0.25).grid(grid).dim(grid.size() == 2 ? 256 : 64));
    model->to(torch::kFloat64);
    const int64_t d = grid.size() == 2 ? 256 : 64;
    auto u = 0.3 * torch::randn({3, d}, torch::kFloat64);
    auto v = u + 0.01 * torch::randn({3, d}, torch::kFloat64);
    const auto G = model->structure_matrix();
    const auto dg = model->energy_derivatives().discrete_gradient(u, v, false);
    const auto dense = torch::matmul(dg.dgrad, G.t());
    const double err_dg =
        max_abs(model->discrete_time_derivative(u, v, false) - dense) / max_abs(dense);
    const auto grad = ad::gradient(model->energy_fn(), u);  // the Var route, reshaped
    const auto field = torch::matmul(grad, G.t());
    const double err_f = max_abs(model->time_derivative(u, false) - field) / max_abs(field);
    // The discrete chain rule on the flat state.
    const double chain =
        max_abs((dg.H_u - dg.H_v) - (dg.dgrad * (u - v)).sum(1)) / max_abs(dg.H_u - dg.H_v);
    std::printf("%zu-D %s: stencil vs dense %.2e (discrete), %.2e (field); chain rule %.2e\n",
                grid.size(), structure, err_dg, err_f, chain);
    EXPECT_LT(err_dg, 1e-13);
    EXPECT_LT(err_f, 1e-12);
    EXPECT_LT(chain, 1e-12);
  }
}

TEST(GridModels, GridOptionsAreCheckedAndReadFromTheConfig) {
  EXPECT_THROW(make_model(grid_dgnet("D2", 0.1)), std::invalid_argument);
  EXPECT_THROW(make_model(grid_dgnet("grid_dx", 0.1).grid({16, 15})), std::invalid_argument);
  EXPECT_THROW(make_model(grid_dgnet("grid_dx", 0.1).type("srnn")), std::invalid_argument);
  const auto cfg = io::Config::parse(
      "[model]\nnetwork = \"periodic_conv\"\nstructure = \"grid_laplacian\"\n[data]\ngrid = [8, "
      "4]\n",
      {}, "test");
  const auto o = learn::model_options_from_config(cfg, 32, 0.5);
  EXPECT_EQ(o.grid(), (std::vector<int64_t>{8, 4}));
  auto model = make_model(o);
  EXPECT_TRUE(model->matrix_free_structure());
  EXPECT_EQ(model->time_derivative(torch::randn({2, 32}), false).sizes(),
            (std::vector<int64_t>{2, 32}));
}

}  // namespace
}  // namespace enflow::models
