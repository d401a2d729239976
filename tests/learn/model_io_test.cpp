// The grid spacing a learned model of a dataset is built with: the structure operator of
// a DGNet/HNN++ on KdV or Cahn–Hilliard data must be the PDE's difference operator, as the
// reference system has it, not one with dx = 1 (which `enflow train` used before
// 2026-12-02: every grid model was then 1/dx or 1/dx² too slow, docs/dgnet.md).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/io/config.h"
#include "enflow/learn/model_io.h"
#include "enflow/systems/generate.h"

namespace enflow::learn {
namespace {

io::Dataset small_dataset(const std::string& system, const systems::Params& params = {}) {
  auto sys = systems::make_system(system, params);
  auto p = systems::default_protocol(system);
  p.series = 2;
  p.steps = 2;
  return systems::generate_dataset(*sys, p, 0);
}

TEST(GridSpacing, PdeModelsGetTheSystemsDifferenceOperator) {
  struct Case {
    std::string system, structure;
    double dx;
  };
  for (const auto& c : {Case{"kdv", "D", 10.0 / 50}, Case{"cahn-hilliard", "D2", 1.0 / 50}}) {
    SCOPED_TRACE(c.system);
    const auto data = small_dataset(c.system);
    const double dx = dataset_grid_spacing(data);
    EXPECT_NEAR(dx, c.dx, 1e-15);
    auto cfg = io::Config::parse(
        "[model]\ntype = \"dgnet\"\nnetwork = \"periodic_conv\"\n"
        "structure = \"" +
            c.structure + "\"\nchannels = 4\n",
        {}, "test");
    auto model = models::make_model(model_options_from_config(cfg, data.states.size(2), dx));
    // The system's G acts on ∇H with H = Σ h dx; a learned H absorbs the dx, so the
    // model's G is the difference operator itself: dx times the system's.
    auto sys = systems::make_system(c.system);
    auto G_sys = dynamic_cast<const systems::EnergySystem&>(*sys).structure() * dx;
    auto G = model->structure_matrix().to(torch::kFloat64);
    EXPECT_LT(((G - G_sys).abs().max() / G_sys.abs().max()).item<double>(), 1e-14);
  }
  // Another grid: the recorded parameters decide.
  EXPECT_NEAR(dataset_grid_spacing(small_dataset("kdv", {{"points", 40}, {"length", 6.0}})), 0.15,
              1e-15);
}

TEST(GridSpacing, OdeImportedAndInconsistentData) {
  EXPECT_EQ(dataset_grid_spacing(small_dataset("mass-spring")), 1.0);
  auto imported = small_dataset("mass-spring");
  imported.system = "measured-thing";  // unknown system: nothing to take dx from
  EXPECT_EQ(dataset_grid_spacing(imported), 1.0);
  imported.params["dx"] = 0.25;  // an explicit spacing wins
  EXPECT_EQ(dataset_grid_spacing(imported), 0.25);
  imported.params["dx"] = -1.0;
  EXPECT_THROW(dataset_grid_spacing(imported), std::invalid_argument);
  auto cut = small_dataset("kdv");
  cut.states = cut.states.narrow(2, 0, 40);  // 40 columns, parameters say 50 points
  EXPECT_THROW(dataset_grid_spacing(cut), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::learn
