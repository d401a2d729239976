// The 2-D phase-field reference systems: Cahn–Hilliard's discrete-gradient scheme never raises
// the energy and keeps the mass, Allen–Cahn's never raises the energy; their du/dt is the
// scheme's limit and G∇H, and generated datasets record the grid (through HDF5 too).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/io/dataset.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"

namespace enflow::systems {
namespace {

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

TEST(CahnHilliard2dReference, EnergyNeverIncreasesAndMassIsKept) {
  auto sys = make_system("cahn-hilliard-2d");
  ASSERT_EQ(sys->dim(), 256);
  ASSERT_EQ(sys->grid(), (std::vector<int64_t>{16, 16}));
  auto p = default_protocol("cahn-hilliard-2d");
  p.series = 3;
  p.steps = 60;
  const auto d = generate_dataset(*sys, p, 1);
  EXPECT_EQ(d.grid, (std::vector<int64_t>{16, 16}));
  const auto drifts = invariant_drifts(*sys, d.states);
  const double increase = drifts.at("energy_max_increase");
  const double decrease = drifts.at("energy_max_decrease");
  const double mass = drifts.at("mass_abs_drift");
  std::printf(
      "cahn-hilliard-2d 16x16, 60 steps of %g: energy max increase %.3e, max decrease "
      "%.3e; mass drift %.3e\n",
      p.dt, increase, decrease, mass);
  EXPECT_LE(increase, 1e-14) << "energy rose (beyond rounding of ~1e-3 energies)";
  EXPECT_GT(decrease, 1e-6) << "the flow must dissipate";
  EXPECT_LE(mass, 1e-12);
  // Spinodal decomposition: the amplitude grows from 0.05.
  EXPECT_GT(max_abs(d.states.select(1, -1)), 0.1);
}

TEST(CahnHilliard2dReference, SchemeIsConsistentWithTheTimeDerivative) {
  auto sys = make_system("cahn-hilliard-2d", {{"nx", 8}, {"ny", 12}});
  ASSERT_EQ(sys->grid(), (std::vector<int64_t>{12, 8}));
  auto u = sys->sample_initial(2, 3);
  const auto f = sys->time_derivative(u);
  // The scheme is second order: (v − u)/dt − f(u) shrinks like dt (the midpoint drift).
  double prev = 0;
  for (const double dt : {1e-6, 1e-7}) {
    const auto v = sys->reference_step(u, dt);
    const double err = max_abs((v - u) / dt - f) / max_abs(f);
    std::printf("dt %.0e: |(v-u)/dt - f(u)| / |f| = %.3e\n", dt, err);
    EXPECT_LT(err, 1e4 * dt);
    if (prev > 0) {
      EXPECT_LT(err, 0.2 * prev) << "first-order convergence to f";
    }
    prev = err;
  }
  // G ∇H is the same field (the EnergySystem contract).
  const auto grad = ad::gradient(
      [&](const ad::Var& y) { return dynamic_cast<const EnergySystem&>(*sys).energy(y); }, u);
  const auto G = dynamic_cast<const EnergySystem&>(*sys).structure();
  const double field_err = max_abs(torch::matmul(grad, G.t()) - f) / max_abs(f);
  std::printf("G grad H vs f: %.3e\n", field_err);
  EXPECT_LT(field_err, 1e-12);
}

TEST(CahnHilliard2dReference, DatasetRecordsItsGridThroughHdf5) {
  auto sys = make_system("cahn-hilliard-2d", {{"nx", 6}, {"ny", 5}});
  auto p = default_protocol("cahn-hilliard-2d");
  p.series = 2;
  p.steps = 3;
  const auto d = generate_dataset(*sys, p, 0);
  const auto path = (std::filesystem::temp_directory_path() / "enflow_ch2d_grid_test.h5").string();
  io::save_dataset(path, d);
  const auto back = io::load_dataset(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back.grid, (std::vector<int64_t>{5, 6}));
  auto bad = d;
  bad.grid = {4, 6};
  EXPECT_THROW(io::save_dataset(path, bad), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(make_system("cahn-hilliard-2d", {{"nx", 2}}), std::invalid_argument);
}

TEST(AllenCahn2dReference, EnergyNeverIncreasesAndTheFlowIsItsLimit) {
  auto sys = make_system("allen-cahn-2d");
  ASSERT_EQ(sys->grid(), (std::vector<int64_t>{16, 16}));
  auto p = default_protocol("allen-cahn-2d");
  p.series = 2;
  p.steps = 40;
  const auto d = generate_dataset(*sys, p, 2);
  const auto drifts = invariant_drifts(*sys, d.states);
  const double increase = drifts.at("energy_max_increase");
  const double decrease = drifts.at("energy_max_decrease");
  std::printf("allen-cahn-2d 16x16, 40 steps of %g: energy max increase %.3e, max decrease %.3e\n",
              p.dt, increase, decrease);
  EXPECT_LE(increase, 1e-14);
  EXPECT_GT(decrease, 1e-3) << "the flow must dissipate";
  EXPECT_EQ(drifts.count("mass_abs_drift"), 0u) << "Allen-Cahn does not keep the mass";
  // Not a fixed point: the grid-scale noise of the start is smoothed away.
  const double moved = max_abs(d.states.select(1, -1) - d.states.select(1, 0));
  std::printf("allen-cahn-2d: the state moved by %.3f\n", moved);
  EXPECT_GT(moved, 0.1);
  // du/dt is the scheme's first-order limit and equals G∇H.
  auto u = sys->sample_initial(2, 5);
  const auto f = sys->time_derivative(u);
  const double e6 = max_abs((sys->reference_step(u, 1e-6) - u) / 1e-6 - f) / max_abs(f);
  const double e7 = max_abs((sys->reference_step(u, 1e-7) - u) / 1e-7 - f) / max_abs(f);
  const auto grad = ad::gradient(
      [&](const ad::Var& y) { return dynamic_cast<const EnergySystem&>(*sys).energy(y); }, u);
  const auto G = dynamic_cast<const EnergySystem&>(*sys).structure();
  const double field_err = max_abs(torch::matmul(grad, G.t()) - f) / max_abs(f);
  std::printf(
      "allen-cahn-2d: |(v-u)/dt - f| / |f| = %.2e (1e-6), %.2e (1e-7); G grad H vs f %.2e\n", e6,
      e7, field_err);
  EXPECT_LT(e7, 0.2 * e6);
  EXPECT_LT(field_err, 1e-12);
}

TEST(ZakharovKuznetsovReference, KeepsEnergyAndMassAndItsFieldIsGGradH) {
  auto sys = make_system("zakharov-kuznetsov");
  auto p = default_protocol("zakharov-kuznetsov");
  p.series = 2;
  p.steps = 30;
  const auto d = generate_dataset(*sys, p, 4);
  const auto drifts = invariant_drifts(*sys, d.states);
  const double energy = drifts.at("energy_drift"), mass = drifts.at("mass_drift");
  const double moved = max_abs(d.states.select(1, -1) - d.states.select(1, 0));
  std::printf(
      "zakharov-kuznetsov 16x16, 30 steps of %g: energy drift %.2e, mass drift %.2e, "
      "moved %.3f\n",
      p.dt, energy, mass, moved);
  EXPECT_LE(energy, 1e-12);
  EXPECT_LE(mass, 1e-12);
  EXPECT_GT(moved, 0.05) << "the lumps must move";
  auto u = sys->sample_initial(2, 6);
  const auto f = sys->time_derivative(u);
  const auto grad = ad::gradient(
      [&](const ad::Var& y) { return dynamic_cast<const EnergySystem&>(*sys).energy(y); }, u);
  const auto G = dynamic_cast<const EnergySystem&>(*sys).structure();
  EXPECT_LT(max_abs(G + G.t()), 1e-14) << "G = D_x/h² is skew";
  const double field_err = max_abs(torch::matmul(grad, G.t()) - f) / max_abs(f);
  const double e6 = max_abs((sys->reference_step(u, 1e-6) - u) / 1e-6 - f) / max_abs(f);
  const double e7 = max_abs((sys->reference_step(u, 1e-7) - u) / 1e-7 - f) / max_abs(f);
  std::printf("zakharov-kuznetsov: G grad H vs f %.2e; scheme rate vs f %.2e, %.2e\n", field_err,
              e6, e7);
  EXPECT_LT(field_err, 1e-12);
  EXPECT_LT(e7, 0.2 * e6);
}

}  // namespace
}  // namespace enflow::systems
