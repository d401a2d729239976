#include "enflow/variational/deep_ritz.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/nn/scalar_net.h"
#include "nn/optimizer_factory.h"

namespace enflow::variational {

PoissonProblem product_sum_problem(int64_t dim) {
  if (dim < 2 || dim % 2)
    throw std::invalid_argument("product-sum Poisson problem: dim must be even and >= 2");
  PoissonProblem p;
  p.name = "product_sum_" + std::to_string(dim) + "d";
  p.dim = dim;
  p.exact = [dim](const torch::Tensor& x) {
    auto pairs = x.reshape({x.size(0), dim / 2, 2});
    return (pairs.select(2, 0) * pairs.select(2, 1)).sum(1);
  };
  p.g = p.exact;
  return p;
}

namespace {
/// Uniform points on the boundary of (0,1)^d: a random face (coordinate, side) each.
torch::Tensor boundary_points(int64_t n, int64_t d, const torch::TensorOptions& o) {
  auto x = torch::rand({n, d}, o);
  auto coord = torch::randint(0, d, {n}, o.dtype(torch::kLong));
  auto side = torch::randint(0, 2, {n}, o).to(o.dtype());
  x.scatter_(1, coord.unsqueeze(1), side.unsqueeze(1));
  return x;
}
}  // namespace

DeepRitzResult solve_deep_ritz(const PoissonProblem& problem, const DeepRitzOptions& o) {
  if (problem.dim < 1 || !problem.g)
    throw std::invalid_argument("Poisson problem '" + problem.name + "' needs dim and g");
  if (o.iterations() < 1 || o.batch_interior() < 1 || o.batch_boundary() < 1 || o.width() < 1 ||
      o.blocks() < 0 || !(o.lr() > 0) || !(o.lr_final() > 0) || !(o.penalty() > 0) ||
      !(o.continuation() > 0) || std::isnan(o.penalty_end()))
    throw std::invalid_argument(
        "Deep Ritz options: need iterations, batches, width >= 1, blocks >= 0 and positive lr, "
        "lr_final, penalty, continuation");
  torch::manual_seed(o.seed());
  const auto topt = o.tensor_options();
  const int64_t d = problem.dim;
  auto net = nn::ScalarNet(nn::ScalarNetOptions(d)
                               .arch(nn::ScalarArch::kResnet)
                               .width(o.width())
                               .blocks(o.blocks())
                               .activation(o.activation())
                               .init(nn::ScalarInit::kLibTorch));
  net->to(topt.device(), topt.dtype().toScalarType());
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(o.lr()));
  DeepRitzResult res;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = o.iterations();
  for (int64_t k = 0; k < n; ++k) {
    const double frac = double(k) / double(n);
    const double lr = o.lr() * std::pow(o.lr_final() / o.lr(), frac);
    const double penalty = o.penalty_end() > 0
                               ? o.penalty() * std::pow(o.penalty_end() / o.penalty(),
                                                        std::min(1.0, frac / o.continuation()))
                               : o.penalty();
    nn::set_learning_rate(opt, lr);
    auto x = torch::rand({o.batch_interior(), d}, topt).requires_grad_(true);
    auto u = net->forward(x);
    auto g = torch::autograd::grad({u.sum()}, {x}, {}, true, true)[0];
    auto ritz = 0.5 * g.pow(2).sum(1);
    if (problem.f) ritz = ritz - problem.f(x.detach()) * u;
    auto xb = boundary_points(o.batch_boundary(), d, topt);
    auto pen = (net->forward(xb) - problem.g(xb)).pow(2).mean();
    auto loss = ritz.mean() + penalty * pen;
    opt.zero_grad();
    loss.backward();
    opt.step();
    const double lv = loss.item<double>();
    if (!std::isfinite(lv))
      throw std::runtime_error("Deep Ritz diverged at iteration " + std::to_string(k) +
                               " (lower lr or penalty)");
    res.loss_history.push_back(lv);
    if (o.on_progress() && ((k + 1) % std::max<int64_t>(1, o.progress_every()) == 0 || k + 1 == n))
      o.on_progress()({k + 1, n, lv, pen.item<double>()});
  }
  net->eval();
  res.u = [net](const torch::Tensor& x) mutable {
    torch::NoGradGuard ng;
    return net->forward(x);
  };
  if (problem.exact) {
    torch::NoGradGuard ng;
    double num = 0, den = 0;
    const int64_t chunk = 10000;
    for (int64_t done = 0; done < o.eval_points(); done += chunk) {
      auto x = torch::rand({std::min(chunk, o.eval_points() - done), d}, topt);
      auto ex = problem.exact(x);
      num += (net->forward(x) - ex).pow(2).sum().item<double>();
      den += ex.pow(2).sum().item<double>();
    }
    res.rel_l2_error = std::sqrt(num / std::max(den, 1e-300));
  }
  res.net = net.ptr();
  res.iterations = n;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace enflow::variational
