#include "enflow/flows/eulerian.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/sample_shard.h"
#include "flows/optimize.h"

namespace enflow::flows {

EulerianSolver::EulerianSolver(nn::ScalarNet net, EulerianProblem problem, EulerianOptions options)
    : net_(std::move(net)), problem_(std::move(problem)), options_(std::move(options)) {
  if (!net_) throw std::invalid_argument("EulerianSolver: no network");
  if (!problem_.density) throw std::invalid_argument("EulerianSolver: problem has no energy");
  if (problem_.interior.empty())
    throw std::invalid_argument("EulerianSolver: problem has no interior quadrature");
  if (problem_.interior.points.size(1) != net_->options().in_dim())
    throw std::invalid_argument(
        "EulerianSolver: network input dimension " + std::to_string(net_->options().in_dim()) +
        " != problem dimension " + std::to_string(problem_.interior.points.size(1)));
  if (problem_.boundary_penalty > 0 && (problem_.boundary.empty() || !problem_.boundary_value))
    throw std::invalid_argument("EulerianSolver: a boundary penalty needs boundary points and g");
  if (!(options_.tau() > 0) || !std::isfinite(options_.tau()))
    throw std::invalid_argument("EulerianSolver: tau must be positive");
  options_.optimizer().check();
  // Every rank starts from rank 0's network (the same seed gives the same one; this makes sure).
  distributed::broadcast_from_rank0(net_->parameters(), group());
  if (problem_.eval.empty()) problem_.eval = problem_.interior;
  area_ = distributed::sum_over_ranks(problem_.interior.weights.sum().item<double>(), group());
  torch::NoGradGuard ng;
  const bool conserve = problem_.conserve_volume;
  problem_.conserve_volume = false;
  volume0_ = distributed::sum_over_ranks(
      (problem_.interior.weights * field(problem_.interior.points)).sum().item<double>(), group());
  problem_.conserve_volume = conserve;
}

at::Tensor EulerianSolver::field(const at::Tensor& x) {
  auto raw = [this](const torch::Tensor& p) {
    auto n = net_->forward(p);
    return problem_.ansatz ? problem_.ansatz(p, n) : n;
  };
  auto u = raw(x);
  if (problem_.conserve_volume) {
    // The shift is constant in x: computed on the (non-differentiated) quadrature points,
    // all ranks' (a collective: its backward carries every rank's dependence on ∫N).
    auto v = distributed::differentiable_sum(
        (problem_.interior.weights * raw(problem_.interior.points)).sum(), group());
    u = u + (volume0_ - v) / area_;
  }
  return u;
}

namespace {

struct Terms {
  torch::Tensor energy, u;
};

Terms energy_terms(const EulerianProblem& p,
                   const std::function<torch::Tensor(const torch::Tensor&)>& field,
                   bool create_graph) {
  auto x = p.interior.points.detach().requires_grad_(true);
  auto u = field(x);
  auto g = torch::autograd::grad({u.sum()}, {x}, {}, /*retain_graph=*/true, create_graph)[0];
  auto e = (p.interior.weights * p.density(x.detach(), u, g)).sum();
  if (p.boundary_penalty > 0) {
    auto ub = field(p.boundary.points);
    e = e + p.boundary_penalty *
                (p.boundary.weights * (ub - p.boundary_value(p.boundary.points)).pow(2)).sum();
  }
  return {e, u};
}

}  // namespace

double EulerianSolver::energy() {
  return distributed::sum_over_ranks(
      energy_terms(
          problem_, [this](const torch::Tensor& x) { return field(x); }, false)
          .energy.item<double>(),
      group());
}

at::Tensor EulerianSolver::objective(const at::Tensor& u_prev) {
  auto t = energy_terms(
      problem_, [this](const torch::Tensor& x) { return field(x); }, true);
  return (problem_.interior.weights * (t.u - u_prev).pow(2)).sum() / (2 * options_.tau()) +
         t.energy;
}

double EulerianSolver::fit_initial() {
  if (!problem_.initial) return 0.0;
  const auto& q = problem_.interior;
  auto target = problem_.initial(q.points).detach();
  const bool conserve = problem_.conserve_volume;
  problem_.conserve_volume = false;
  volume0_ = distributed::sum_over_ranks((q.weights * target).sum().item<double>(), group());
  // With a group: the misfit over all ranks' points (value and gradient summed).
  auto loss = distributed::summed_over_ranks(
      [&] { return (q.weights * (field(q.points) - target).pow(2)).sum(); }, net_->parameters(),
      group());
  // Always L-BFGS: a least-squares fit, solved to the rounding floor.
  const auto fit = nn::OptimizerOptions()
                       .max_iter(options_.fit_iter())
                       .history_size(options_.optimizer().history_size())
                       .tolerance_grad(1e-14)
                       .tolerance_change(1e-16);
  nn::minimize(net_->parameters(), loss, with_step_budget(fit));
  problem_.conserve_volume = conserve;
  torch::NoGradGuard ng;
  const auto nd = distributed::sum_over_ranks(
      {(q.weights * (field(q.points) - target).pow(2)).sum().item<double>(),
       (q.weights * target.pow(2)).sum().item<double>()},
      group());
  return std::sqrt(nd[0] / std::max(nd[1], 1e-300));
}

StepReport EulerianSolver::step() {
  const auto start = std::chrono::steady_clock::now();
  StepReport r;
  r.step = n_ + 1;
  torch::Tensor u_prev;
  {
    torch::NoGradGuard ng;
    u_prev = field(problem_.interior.points).detach();
  }
  r.energy_before = energy();
  // With a group the objective is the global quadrature sum (a surrogate whose value and
  // gradient are the summed ones), so L-BFGS takes the same steps on every rank.
  const auto params = net_->parameters();
  const auto trial = minimizing_movement(
      params, distributed::summed_over_ranks([&] { return objective(u_prev); }, params, group()),
      [&] {
        const auto jf = distributed::sum_over_ranks(
            {objective(u_prev).item<double>(),
             energy_terms(
                 problem_, [this](const torch::Tensor& x) { return field(x); }, false)
                 .energy.item<double>()},
            group());
        return std::make_pair(jf[0], jf[1]);
      },
      r.energy_before, options_.optimizer());
  r.accepted = trial.accepted;
  r.energy_after = trial.accepted ? trial.energy : r.energy_before;
  r.objective = trial.accepted ? trial.objective : r.energy_before;
  t_ += options_.tau();
  ++n_;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

at::Tensor EulerianSolver::values(const at::Tensor& x) {
  torch::NoGradGuard ng;
  return field(x).detach();
}

double EulerianSolver::volume() {
  return distributed::sum_over_ranks(
      (problem_.interior.weights * values(problem_.interior.points)).sum().item<double>(), group());
}

double EulerianSolver::relative_l2_error(double t) {
  if (!problem_.exact)
    throw std::invalid_argument("relative_l2_error: problem '" + problem_.name +
                                "' has no exact solution");
  const auto& q = problem_.eval;
  auto u = values(q.points);
  auto ue = problem_.exact(q.points, t);
  const auto nd = distributed::sum_over_ranks({(q.weights * (u - ue).pow(2)).sum().item<double>(),
                                               (q.weights * ue.pow(2)).sum().item<double>()},
                                              group());
  return std::sqrt(nd[0] / std::max(nd[1], 1e-300));
}

}  // namespace enflow::flows
