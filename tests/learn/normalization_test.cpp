// Normalization (issue 28): a record in pixels learns as well as its unit-scale twin, the
// affine map keeps the discrete laws exact, and unnormalized large inputs are warned about.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/learn/experiment.h"
#include "enflow/learn/normalization.h"
#include "enflow/models/model.h"
#include "enflow/run.h"
#include "enflow/runtime.h"
#include "support/files.h"
#include "support/oscillator.h"

namespace enflow::learn {
namespace {

TEST(Normalization, PooledKeepsPositionsAndMomentaApartUnderCanonicalStructures) {
  auto d = testing::oscillator_dataset(6, 30, 0.1);
  d.states = d.states * torch::tensor({100.0, 250.0}, torch::kFloat64) + 40.0;
  d.source = "import test";
  const auto n = normalization_for(d, d.train, "auto", "dgnet", "symplectic");
  ASSERT_EQ(n.scale.size(), 2u);
  EXPECT_GT(n.scale[1] / n.scale[0], 2.0);  // q and p keep their own scales
  EXPECT_NEAR(n.shift[0], 40.0, 20.0);
  EXPECT_TRUE(normalization_for(d, d.train, "auto", "srnn", "symplectic").empty());
  d.source.clear();  // enflow's own reference data: the papers' protocols, unnormalized
  EXPECT_TRUE(normalization_for(d, d.train, "auto", "dgnet", "symplectic").empty());
  const auto one = normalization_for(d, d.train, "pooled", "dgnet", "gradient_flow");
  EXPECT_EQ(one.scale[0], one.scale[1]);
  EXPECT_THROW(normalization_for(d, d.train, "zscore", "dgnet", "symplectic"),
               std::invalid_argument);
}

TEST(Normalization, TheDiscreteLawsStayExactInTheUsersUnits) {
  torch::manual_seed(0);
  auto m = models::make_model(models::ModelOptions()
                                  .dim(4)
                                  .hidden({16, 16})
                                  .structure("friction")
                                  .norm_shift({1.0, -2.0, 3.0, 0.5})
                                  .norm_scale({100.0, 100.0, 250.0, 250.0}));
  m->to(torch::kFloat64);
  auto u = 200 * torch::randn({8, 4}, torch::kFloat64),
       v = 200 * torch::randn({8, 4}, torch::kFloat64);
  auto d = m->energy_derivatives().discrete_gradient(u, v, false);
  auto lhs = d.H_u - d.H_v, rhs = (d.dgrad * (u - v)).sum(1);
  EXPECT_LT((lhs - rhs).abs().max().item<double>(), 1e-12 * d.H_u.abs().max().item<double>());
  // The generic route of the wrapped energy agrees with the fast one.
  auto g = ad::discrete_gradient(m->energy_fn(), u, v, false);
  EXPECT_TRUE(torch::allclose(g.dgrad, d.dgrad, 1e-9, 1e-14));
  // Σ G Σ: still dissipative, and du/dt = G ∇H in the user's units.
  auto G = m->structure_matrix();
  auto top = torch::linalg::eigvalsh(0.5 * (G + G.t()), "L").max().item<double>();
  EXPECT_LE(top, 1e-9);
  auto f = m->time_derivative(u, false);
  auto f2 = torch::matmul(m->energy_derivatives().gradient(u, false), G.t());
  EXPECT_TRUE(torch::allclose(f, f2, 1e-10, 1e-12));
  EXPECT_THROW(
      models::make_model(models::ModelOptions().type("srnn").norm_shift({0, 0}).norm_scale({1, 1})),
      std::invalid_argument);
}

struct Trained {
  double step_mse;
  std::vector<std::string> warnings;
};

Trained train_on(const io::Dataset& data, const std::string& normalize, const std::string& name) {
  const auto dir = testing::fresh_dir("norm-" + name);
  auto cfg =
      io::Config::parse("[model]\nhidden = [32, 32]\nnormalize = \"" + normalize +
                        "\"\n[train]\nlr = 3e-3\nbatch = 64\niterations = 600\nlog_every = 0\n"
                        "[run]\ndtype = \"float64\"\n[output]\nmodel = \"" +
                        (dir / "m.pt").string() + "\"\n");
  TrainRequest request;
  request.dataset = std::make_shared<io::Dataset>(data);
  Trained t;
  set_warning_handler([&](const std::string& w) { t.warnings.push_back(w); });
  train_experiment(cfg, request, RunContext());
  set_warning_handler(nullptr);
  EvaluateRequest q;
  q.model = (dir / "m.pt").string();
  q.dataset = request.dataset;
  t.step_mse = evaluate_experiment(q).number("step_mse");
  return t;
}

// A record in pixels (q, p ~ 150 around an offset of 320) against its unit-scale twin:
// normalized, both learn in the same coordinates and reach the same relative error;
// unnormalized, the pixel record fits poorly and the run says why.
TEST(Normalization, APixelScaleRecordLearnsLikeItsUnitScaleTwin) {
  torch::manual_seed(0);
  auto unit = testing::oscillator_dataset(10, 40, 0.1);
  unit.source = "import unit";
  auto pixels = unit;
  const double scale = 150.0;
  pixels.states = unit.states * scale + torch::tensor({320.0, 0.0}, torch::kFloat64);
  pixels.source = "import pixels";
  const double unit_norm = train_on(unit, "auto", "unit").step_mse;
  const double unit_raw = train_on(unit, "none", "unit-raw").step_mse;
  const auto norm = train_on(pixels, "auto", "pixels");
  const auto raw = train_on(pixels, "none", "raw");
  const double s2 = scale * scale;
  std::printf(
      "relative step MSE: unit twin %.3e (unnormalized %.3e); pixels normalized %.3e, "
      "pixels unnormalized %.3e\n",
      unit_norm, unit_raw, norm.step_mse / s2, raw.step_mse / s2);
  EXPECT_NEAR(norm.step_mse / s2, unit_norm, 0.01 * unit_norm);
  EXPECT_LT(norm.step_mse / s2, 3.0 * unit_raw);  // as good as enflow's unit-scale default
  EXPECT_GT(raw.step_mse / s2, 100.0 * unit_norm);
  EXPECT_TRUE(norm.warnings.empty());
  ASSERT_EQ(raw.warnings.size(), 1u);
  EXPECT_NE(raw.warnings[0].find("model.normalize"), std::string::npos) << raw.warnings[0];
}

}  // namespace
}  // namespace enflow::learn
