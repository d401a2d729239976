// Gradients through one time step (multi-step training, issue 28): the implicit
// discrete-gradient step differentiated by the implicit function theorem at the converged
// Newton solution equals finite differences of the converged solve; explicit schemes are
// differentiated through their stages.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <string>

#include "enflow/models/model.h"
#include "enflow/models/stepper.h"

namespace enflow::models {
namespace {

DynamicsModel small_model(const std::string& structure) {
  torch::manual_seed(3);
  auto m = make_model(ModelOptions().dim(4).hidden({12, 12}).structure(structure));
  m->to(torch::kFloat64);
  return m;
}

// d/dε of Σ w ⊙ step(u + ε δu, θ + ε δθ) by central differences of the converged solve.
double directional_fd(DynamicsModelImpl& m, const at::Tensor& u, const at::Tensor& du,
                      const std::vector<at::Tensor>& dp, const at::Tensor& w, double dt,
                      const StepOptions& o) {
  torch::NoGradGuard no_grad;
  auto params = m.parameters();
  auto value = [&](double eps) {
    for (size_t i = 0; i < params.size(); ++i) params[i].add_(eps * dp[i]);
    auto v = (predict_step(m, u + eps * du, dt, o) * w).sum().item<double>();
    for (size_t i = 0; i < params.size(); ++i) params[i].sub_(eps * dp[i]);
    return v;
  };
  const double h = 1e-5;
  return (value(h) - value(-h)) / (2 * h);
}

void check_against_fd(const std::string& structure, const std::string& integrator) {
  auto m = small_model(structure);
  const auto o = StepOptions().integrator(integrator);
  auto gen = at::detail::createCPUGenerator(11);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto u = torch::randn({5, 4}, gen, opts).requires_grad_(true);
  const double dt = 0.1;
  auto w = torch::randn({5, 4}, gen, opts);
  auto u1 = differentiable_step(*m, u, torch::full({5}, dt, opts), o);
  // The value is the scheme's step.
  const double value_gap =
      (u1.detach() - predict_step(*m, u.detach(), dt, o)).abs().max().item<double>();
  auto params = m->parameters();
  std::vector<at::Tensor> inputs = params;
  inputs.push_back(u);
  auto grads = torch::autograd::grad({(u1 * w).sum()}, inputs);
  std::vector<at::Tensor> dp;
  double analytic = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    dp.push_back(torch::randn(params[i].sizes(), gen, opts));
    analytic += (grads[i] * dp.back()).sum().item<double>();
  }
  auto du = torch::randn({5, 4}, gen, opts);
  analytic += (grads.back() * du).sum().item<double>();
  const double fd = directional_fd(*m, u.detach(), du, dp, w, dt, o);
  const double rel = std::abs(analytic - fd) / std::abs(fd);
  std::printf(
      "%s / %s: value vs predict_step %.2e, directional derivative %.10e vs finite "
      "differences %.10e, relative gap %.2e\n",
      structure.c_str(), integrator.c_str(), value_gap, analytic, fd, rel);
  EXPECT_LT(value_gap, 1e-12);
  EXPECT_LT(rel, 1e-7);
}

TEST(DifferentiableStep, ImplicitDiscreteGradientStepByTheImplicitFunctionTheorem) {
  check_against_fd("symplectic", "discrete_gradient");
  check_against_fd("friction", "discrete_gradient");
}

TEST(DifferentiableStep, ExplicitSchemesThroughTheirStages) {
  check_against_fd("symplectic", "rk4");
  check_against_fd("symplectic", "euler");
}

TEST(DifferentiableStep, BadShapesAreRefused) {
  auto m = small_model("symplectic");
  auto u = torch::zeros({3, 4}, torch::kFloat64);
  EXPECT_THROW(differentiable_step(*m, u, torch::ones({2}, torch::kFloat64), StepOptions()),
               std::invalid_argument);
  auto node = make_model(ModelOptions().type("node").dim(4).hidden({8}));
  node->to(torch::kFloat64);
  EXPECT_THROW(differentiable_step(*node, u, torch::ones({3}, torch::kFloat64), StepOptions()),
               std::invalid_argument);
}

}  // namespace
}  // namespace enflow::models
