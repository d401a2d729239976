// KdV–Burgers and BBM (phlearn's PDE cases): the reference scheme keeps the energy and the
// mass where the equations do, reduces to the KdV reference without viscosity and force, is
// second order, and refuses bad parameters by name.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "enflow/systems/system.h"

namespace enflow::systems {
namespace {

double max_abs(const at::Tensor& t) { return t.abs().max().item<double>(); }

TEST(PhlearnPdes, ConservativeLimitKeepsEnergyAndMass) {
  for (const char* name : {"kdv-burgers", "bbm"}) {
    auto s = make_system(name, {{"nu", 0.0}, {"force", 0.0}});
    auto u = s->sample_initial(3, 7);
    const auto u_start = u.clone();
    auto inv0 = s->invariants(u);
    double energy_drift = 0, mass_drift = 0;
    for (int k = 0; k < 50; ++k) {
      u = s->reference_step(u, 0.02);
      auto inv = s->invariants(u);
      energy_drift =
          std::max(energy_drift, max_abs(inv["energy"] - inv0["energy"]) / max_abs(inv0["energy"]));
      mass_drift =
          std::max(mass_drift, max_abs(inv["mass"] - inv0["mass"]) / max_abs(inv0["mass"]));
    }
    std::printf("%s, nu = 0, f = 0: energy drift %.2e, mass drift %.2e over 50 steps\n", name,
                energy_drift, mass_drift);
    EXPECT_LE(energy_drift, 1e-12) << name;
    EXPECT_LE(mass_drift, 1e-12) << name;
    EXPECT_GT(max_abs(u - u_start), 0.05) << name << ": the waves must have moved";
  }
}

TEST(PhlearnPdes, KdVBurgersWithoutViscosityAndForceIsKdV) {
  // H = ∫(−η/6 u³ + γ²/2 uₓ²) is the kdv system's ∫(−α/6 u³ − β/2 uₓ²) at α = η, β = −γ².
  auto kb = make_system("kdv-burgers", {{"nu", 0.0}, {"force", 0.0}});
  auto kdv =
      make_system("kdv", {{"alpha", 6.0}, {"beta", -1.0}, {"length", 20.0}, {"points", 100}});
  auto u = kb->sample_initial(2, 3);
  const double rate =
      max_abs(kb->time_derivative(u) - kdv->time_derivative(u)) / max_abs(kdv->time_derivative(u));
  const double step = max_abs(kb->reference_step(u, 0.02) - kdv->reference_step(u, 0.02));
  std::printf("kdv-burgers vs kdv: rate %.2e (relative), one step %.2e\n", rate, step);
  EXPECT_LE(rate, 1e-13);
  EXPECT_LE(step, 1e-11);
}

TEST(PhlearnPdes, ViscousForcedSchemeKeepsMassAndIsSecondOrder) {
  for (const char* name : {"kdv-burgers", "bbm"}) {
    auto s = make_system(name);  // the paper's ν and force
    auto u0 = s->sample_initial(1, 11);
    auto run = [&](int steps, double T) {
      auto u = u0;
      for (int k = 0; k < steps; ++k) u = s->reference_step(u, T / steps);
      return u;
    };
    const double T = 0.01;  // KdV–Burgers: dt·|λ_max(γ² D D₂)| ≲ 1 for the asymptotic order
    auto fine = run(32, T);
    const double e4 = max_abs(run(4, T) - fine), e8 = max_abs(run(8, T) - fine);
    const double order = std::log2(e4 / e8);
    auto m0 = s->invariants(u0)["mass"], m1 = s->invariants(fine)["mass"];
    const double mass_drift = max_abs(m1 - m0) / std::max(1.0, max_abs(m0));
    // The viscous, forced flow really changes the state and the energy.
    const double moved = max_abs(fine - u0);
    std::printf("%s: errors %.3e (dt T/4), %.3e (T/8): order %.2f; mass drift %.2e; moved %.3f\n",
                name, e4, e8, order, mass_drift, moved);
    EXPECT_GT(order, 1.8) << name;
    EXPECT_LT(order, 2.3) << name;
    EXPECT_LE(mass_drift, 1e-12) << name;
    EXPECT_GT(moved, 0.01) << name;
  }
}

TEST(PhlearnPdes, BadParametersAreNamed) {
  auto message = [](const std::string& name, const Params& p) -> std::string {
    try {
      make_system(name, p);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message("kdv-burgers", {{"nu", -1.0}}).find("nu must be >= 0"), std::string::npos);
  EXPECT_NE(message("bbm", {{"points", 3}}).find("points must be in"), std::string::npos);
  EXPECT_NE(message("kdv-burgers", {{"eta", 0.0}}).find("eta must be non-zero"), std::string::npos);
  EXPECT_NE(message("bbm", {{"eta", 1.0}}).find("eta"), std::string::npos);  // not a bbm key
}

}  // namespace
}  // namespace enflow::systems
