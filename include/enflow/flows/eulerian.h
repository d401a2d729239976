// EVNN, Eulerian: an L² gradient flow u_t = −δF/δu with a network u_θ as the spatial
// discretization, discretized in time first by minimizing movement:
//   θ^{n+1} = argmin_θ  J(θ) = (1/2τ) ‖u_θ − u^n‖²_h + F_h[u_θ],   warm-started at θ^n,
// with ‖·‖_h and F_h integrals by one fixed quadrature (grid or quasi-Monte Carlo).
//
// Energy law. J(θ^n) = F_h[u^n]; a step is accepted only if the minimizer found satisfies
// J(θ^{n+1}) ≤ J(θ^n) and F_h[u^{n+1}] ≤ F_h[u^n] (both evaluated after the optimizer, in the
// same arithmetic). Otherwise θ^n is kept (u^{n+1} = u^n) and the step is reported as
// rejected. Hence the recorded discrete energy never increases.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "enflow/flows/networks.h"
#include "enflow/flows/quadrature.h"
#include "enflow/nn/optimizer.h"
#include "enflow/nn/scalar_net.h"

namespace enflow::distributed {
class Group;
}

namespace enflow::flows {

/// Energy density e(x, u, ∇u) per point [N]; F_h[u] = Σ_q w_q e(x_q, u_q, ∇u_q).
using EnergyDensity =
    std::function<at::Tensor(const at::Tensor& x, const at::Tensor& u, const at::Tensor& grad_u)>;
using PointFn = std::function<at::Tensor(const at::Tensor& x)>;
/// u(x) = ansatz(x, N(x)): boundary conditions by construction, e.g. g(x) + D(x) N(x).
using Ansatz = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& net)>;

/// A gradient-flow problem in the Eulerian frame.
struct EulerianProblem {
  std::string name;
  int64_t dim = 0;
  Quadrature interior;          ///< energy and L² norm
  Quadrature boundary;          ///< for the boundary penalty (may be empty)
  EnergyDensity density;        ///< required
  PointFn boundary_value;       ///< g on the boundary (penalty)
  double boundary_penalty = 0;  ///< β: adds β Σ_b w_b (u − g)² to F_h
  Ansatz ansatz;                ///< optional, boundary conditions by construction
  /// Keep ∫u fixed by construction: u = N − (∫N − V₀)/|Ω| with V₀ = ∫u at the start.
  bool conserve_volume = false;
  PointFn initial;  ///< u⁰ (fitted by least squares); empty: start from the random network
  std::function<at::Tensor(const at::Tensor& x, double t)> exact;  ///< optional
  Quadrature eval;  ///< points for error norms (defaults to interior)
};

struct EulerianOptions {
  TORCH_ARG(double, tau) = 1e-2;
  /// How each step is minimized: L-BFGS (strong Wolfe) iterations per step, or Adam steps
  /// (lr e.g. 1e-3). L-BFGS evaluates at most max_iter·5/4 + 1 times unless max_eval is set.
  TORCH_ARG(nn::OptimizerOptions, optimizer) =
      nn::OptimizerOptions().max_iter(200).history_size(50).tolerance_grad(1e-11);
  /// Iterations of the least-squares fit of u⁰.
  TORCH_ARG(int64_t, fit_iter) = 2000;
  /// Many processes: the problem's quadratures (interior, boundary, eval) hold this rank's
  /// share of the points; every integral (energy, objective and its gradient, fit, volume,
  /// errors) is summed over all ranks, so every rank takes the same step
  /// (docs/distributed.md). With conserve_volume the shift's integral is summed over the
  /// ranks inside every evaluation of u (distributed::differentiable_sum), so evaluating u
  /// anywhere is then a collective.
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;
};

struct StepReport {
  int64_t step = 0;
  double energy_before = 0, energy_after = 0;  ///< F_h at θ^n and θ^{n+1}
  double objective = 0;  ///< J at the accepted state (= energy_before when rejected)
  bool accepted = true;  ///< false: the minimizer did not decrease J; the state was kept
  double seconds = 0;
};

class EulerianSolver {
 public:
  EulerianSolver(nn::ScalarNet net, EulerianProblem problem, EulerianOptions options);

  /// Least-squares fit of problem.initial (no-op when empty); returns the relative L² misfit.
  double fit_initial();
  /// One minimizing-movement step.
  StepReport step();

  /// u_θ at points x [M, d] → [M] (detached).
  at::Tensor values(const at::Tensor& x);
  /// F_h at the current parameters.
  double energy();
  /// Σ_q w_q u(x_q) (the volume).
  double volume();
  /// Relative L² error against problem.exact at time t on problem.eval.
  double relative_l2_error(double t);

  double time() const { return t_; }
  int64_t steps_taken() const { return n_; }
  const EulerianProblem& problem() const { return problem_; }
  nn::ScalarNet net() const { return net_; }

 private:
  at::Tensor field(const at::Tensor& x);  // differentiable in θ
  at::Tensor objective(const at::Tensor& u_prev);
  distributed::Group* group() const { return options_.group().get(); }

  nn::ScalarNet net_;
  EulerianProblem problem_;
  EulerianOptions options_;
  double volume0_ = 0, area_ = 0;
  double t_ = 0;
  int64_t n_ = 0;
};

}  // namespace enflow::flows
