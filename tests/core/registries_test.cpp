// The library's tables (integrators, model types, structures, EVNN problems, committor
// problems): the shipped entries are there with consistent defaults, unknown names are
// refused with the known ones listed, and a program can add an entry of its own.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>

#include "enflow/flows/evnn.h"
#include "enflow/geometry/structure.h"
#include "enflow/integrators/integrator_registry.h"
#include "enflow/models/model_registry.h"
#include "enflow/models/stepper.h"
#include "enflow/particles/svgd_setup.h"
#include "enflow/variational/committor.h"
#include "support/errors.h"

namespace enflow {
namespace {

template <class Entry>
std::vector<std::string> names() {
  return Registry<Entry>::instance().names();
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Registries, ShippedEntriesAreRegisteredByTheirOwnFiles) {
  for (const char* n : {"discrete_gradient", "euler", "rk2", "rk4", "dopri5", "leapfrog"})
    EXPECT_TRUE(has(names<integrators::IntegratorEntry>(), n)) << n;
  for (const char* n : {"dgnet", "hnn", "hnn++", "srnn", "node", "ggd"})
    EXPECT_TRUE(has(names<models::ModelTypeEntry>(), n)) << n;
  for (const char* n :
       {"symplectic", "friction", "D", "D2", "learnable_skew", "learnable_dissipative"})
    EXPECT_TRUE(has(names<geometry::StructureEntry>(), n)) << n;
  for (const char* n : {"mlp", "periodic_conv"})
    EXPECT_TRUE(has(names<models::EnergyNetworkEntry>(), n)) << n;
  for (const char* n : {"gaussian", "mixture", "banana", "logistic", "potential_flow"})
    EXPECT_TRUE(has(names<particles::SvgdTargetEntry>(), n)) << n;
  EXPECT_EQ(flows::evnn_kinds().size(), 7u);
  for (const char* n : {"double_well", "spheres", "muller_brown", "ginzburg_landau"})
    EXPECT_TRUE(has(names<variational::CommittorProblemEntry>(), n)) << n;
  // Every entry documents itself in one line.
  for (const auto& [n, e] : integrators::IntegratorRegistry::instance().entries())
    EXPECT_FALSE(e.help.empty() || e.help.find('\n') != std::string::npos) << n;
  for (const auto& [n, e] : models::ModelTypeRegistry::instance().entries())
    EXPECT_FALSE(e.help.empty() || e.help.find('\n') != std::string::npos) << n;
}

TEST(Registries, ModelTypeDefaultsNameRegisteredIntegrators) {
  for (const auto& [n, e] : models::ModelTypeRegistry::instance().entries()) {
    EXPECT_NO_THROW(integrators::integrator(e.train_integrator)) << n;
    EXPECT_NO_THROW(integrators::integrator(e.predict_integrator)) << n;
    EXPECT_TRUE(e.pointwise_derivative == "forward" || e.pointwise_derivative == "central") << n;
  }
  // Energy-keeping models train and predict with the discrete gradient by default.
  EXPECT_TRUE(integrators::integrator(models::model_type("dgnet").train_integrator).implicit);
  EXPECT_TRUE(integrators::integrator("leapfrog").needs_separable);
  EXPECT_TRUE(integrators::integrator("euler").pointwise);
}

TEST(Registries, StructuresKeepTheirDeclaredKind) {
  for (const auto& [n, e] : geometry::StructureRegistry::instance().entries()) {
    // The grid_* structures take the 3-D grid (every direction exists); the others dim.
    auto structure = e.make(geometry::StructureOptions().dim(6).dx(0.5).grid({3, 4, 5}));
    auto G = structure->matrix().to(torch::kFloat64);
    const double skew_err = (G + G.t()).abs().max().item<double>();
    const auto sym = 0.5 * (G + G.t());
    const double top = torch::linalg::eigvalsh(sym, "L").max().item<double>();
    if (structure->conservative())
      EXPECT_LT(skew_err, 1e-12) << n;
    else
      EXPECT_LT(top, 1e-6) << n;  // negative semi-definite symmetric part
  }
}

TEST(Registries, UnknownNamesListTheKnownOnes) {
  const auto msg = testing::error_of([] { integrators::integrator("rk5"); });
  EXPECT_NE(msg.find("unknown integrator 'rk5'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dopri5"), std::string::npos) << msg;
  EXPECT_NE(testing::error_of([] {
              models::make_model(models::ModelOptions().type("lstm"));
            }).find("unknown model type 'lstm'"),
            std::string::npos);
  EXPECT_NE(testing::error_of([] { geometry::make_structure("spiral", 4); }).find("known: D, D2"),
            std::string::npos);
  EXPECT_THROW(integrators::IntegratorRegistry::instance().add("rk2", {}), std::logic_error);
}

// A program's own scheme (Heun's method) is one registration away from every model.
const integrators::IntegratorRegistrar heun("test_heun", {"Heun's method (registered by a test)",
                                                          false, false, false,
                                                          [](const integrators::ExplicitField& F,
                                                             const at::Tensor& u, double h,
                                                             const integrators::StepTolerances&) {
                                                            auto k1 = F.f(u);
                                                            auto k2 = F.f(u + h * k1);
                                                            return u + 0.5 * h * (k1 + k2);
                                                          }});

TEST(Registries, AProgramRegisteredIntegratorStepsALearnedModel) {
  torch::manual_seed(0);
  auto m = models::make_model(models::ModelOptions().type("hnn").dim(2).hidden({8}));
  m->to(torch::kFloat64);
  auto u = torch::randn({3, 2}, torch::kFloat64);
  const double dt = 1e-3;
  auto mine = models::predict_step(*m, u, dt, models::StepOptions().integrator("test_heun"));
  auto rk2 = models::predict_step(*m, u, dt, models::StepOptions().integrator("rk2"));
  // Both are second order: they agree to O(dt³) and differ from the start by O(dt).
  EXPECT_LT((mine - rk2).abs().max().item<double>(), 1e-7);
  EXPECT_GT((mine - u).abs().max().item<double>(), 1e-6);
}

}  // namespace
}  // namespace enflow
