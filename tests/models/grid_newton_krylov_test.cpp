// The discrete-gradient prediction of 2-D grid DGNets by matrix-free Newton–Krylov (GMRES on
// autograd JVPs): the same steps as the dense Jacobian, the learned energy kept (skew G) or
// never raised (G = Δ), no dense Jacobian above the auto threshold, failures named.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/integrators/discrete_gradient_scheme.h"
#include "enflow/io/config.h"
#include "enflow/learn/experiment_config.h"
#include "enflow/models/model.h"

namespace enflow::models {
namespace {

using integrators::LinearSolver;
using integrators::NewtonOptions;
using integrators::NewtonReport;

double abs_max(const at::Tensor& t) { return t.abs().max().item<double>(); }

DynamicsModel grid_model(const std::string& structure, int64_t n) {
  auto m = make_model(ModelOptions()
                          .type("dgnet")
                          .dim(n * n)
                          .grid({n, n})
                          .network("periodic_conv")
                          .channels(6)
                          .structure(structure)
                          .dx(1.0 / static_cast<double>(n)));
  m->to(torch::kFloat64);
  return m;
}

// One step of the model's scheme, G by its stencil (as the stepper does).
at::Tensor step(DynamicsModelImpl& m, const at::Tensor& u, double dt, const NewtonOptions& o,
                NewtonReport* rep) {
  return integrators::discrete_gradient_step(
      m.energy_derivatives(), [&m](const at::Tensor& g) { return m.apply_structure(g); }, u, dt, o,
      rep);
}

TEST(GridNewtonKrylov, GmresStepsEqualDenseStepsAndKeepTheLearnedEnergyLaw) {
  torch::manual_seed(11);
  const int64_t n = 8;
  for (const std::string structure : {"grid_dx", "grid_laplacian"}) {
    auto m = grid_model(structure, n);
    ASSERT_TRUE(m->matrix_free_structure());
    const bool skew = structure == "grid_dx";
    const double dt = skew ? 0.05 : 2e-3;
    auto u = 0.5 * torch::randn({3, n * n}, torch::kFloat64);
    auto H = ad::energy(m->energy_fn(), u);
    double diff = 0, law = 0;
    int jvps = 0;
    for (int k = 0; k < 5; ++k) {
      NewtonReport dense_rep, gmres_rep;
      const auto ud =
          step(*m, u, dt, NewtonOptions().linear_solver(LinearSolver::kDense), &dense_rep);
      const auto ug =
          step(*m, u, dt, NewtonOptions().linear_solver(LinearSolver::kGmres), &gmres_rep);
      ASSERT_TRUE(gmres_rep.converged);
      EXPECT_EQ(gmres_rep.jacobians, 0);
      EXPECT_GT(gmres_rep.jvps, 0);
      EXPECT_LE(abs_max(ug - ud), 1e-10 * std::max(1.0, abs_max(ud))) << structure << " step " << k;
      const auto H1 = ad::energy(m->energy_fn(), ug);
      const auto change = H1 - H;
      diff = std::max(diff, abs_max(ug - ud));
      law = std::max(law, (skew ? change.abs() : change).max().item<double>() / abs_max(H));
      jvps += gmres_rep.jvps;
      if (skew) {
        EXPECT_LE(abs_max(change), 1e-10 * abs_max(H)) << "step " << k;
      } else {
        EXPECT_LE(change.max().item<double>(), 1e-13 * abs_max(H)) << "the energy rose, step " << k;
        EXPECT_LE(abs_max(ug.sum(1) - u.sum(1)), 1e-12) << "mass, step " << k;
      }
      u = ug;
      H = H1;
    }
    std::printf("%s: |GMRES − dense| %.2e; %s %.2e of |H|; %d JVPs in 5 steps\n", structure.c_str(),
                diff, skew ? "max |ΔH|" : "max rise of H", law, jvps);
  }
}

TEST(GridNewtonKrylov, AutoChoosesGmresAboveTheThreshold) {
  using integrators::resolve_linear_solver;
  EXPECT_EQ(resolve_linear_solver(LinearSolver::kAuto, integrators::kGmresAutoDim),
            LinearSolver::kDense);
  EXPECT_EQ(resolve_linear_solver(LinearSolver::kAuto, integrators::kGmresAutoDim + 1),
            LinearSolver::kGmres);
  EXPECT_EQ(resolve_linear_solver(LinearSolver::kDense, 1 << 20), LinearSolver::kDense);
  // 48 × 48 = 2304 components: auto takes no dense Jacobian.
  torch::manual_seed(12);
  auto m = grid_model("grid_laplacian", 48);
  const auto u = 0.5 * torch::randn({2, 48 * 48}, torch::kFloat64);
  NewtonReport rep;
  const auto u1 = step(*m, u, 1e-4, NewtonOptions(), &rep);
  EXPECT_TRUE(rep.converged);
  EXPECT_EQ(rep.jacobians, 0);
  EXPECT_GT(rep.jvps, 0);
  EXPECT_LE((ad::energy(m->energy_fn(), u1) - ad::energy(m->energy_fn(), u)).max().item<double>(),
            0.0 + 1e-13 * abs_max(ad::energy(m->energy_fn(), u)));
}

TEST(GridNewtonKrylov, NonConvergenceAndBadNamesAreClearErrors) {
  torch::manual_seed(13);
  auto m = grid_model("grid_dx", 8);
  const auto u = 0.5 * torch::randn({2, 64}, torch::kFloat64);
  const auto gmres = NewtonOptions().linear_solver(LinearSolver::kGmres);
  try {
    step(*m, u, 0.05, NewtonOptions(gmres).max_iterations(1), nullptr);
    ADD_FAILURE() << "one Newton iteration should not reach the tolerance";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Newton–Krylov did not converge"), std::string::npos)
        << e.what();
  }
  // The config key.
  const auto ok = io::Config::parse("[predict]\nlinear_solver = \"gmres\"\n", {}, "test");
  EXPECT_EQ(learn::predict_step_options(ok).linear_solver(), LinearSolver::kGmres);
  const auto bad = io::Config::parse("[predict]\nlinear_solver = \"cg\"\n", {}, "test");
  try {
    learn::predict_step_options(bad);
    ADD_FAILURE() << "linear_solver 'cg' accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("predict.linear_solver"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace enflow::models
