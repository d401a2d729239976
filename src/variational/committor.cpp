#include "enflow/variational/committor.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"
#include "enflow/nn/scalar_net.h"
#include "nn/optimizer_factory.h"

namespace enflow::variational {

CommittorResult solve_committor(const CommittorProblem& problem, const CommittorOptions& o) {
  if (problem.dim < 1 || !problem.in_a || !problem.in_b || !problem.sampler)
    throw std::invalid_argument("committor problem '" + problem.name +
                                "' needs dim, in_a, in_b and a sampler");
  if (o.iterations() < 1 || o.batch_size() < 2 || !(o.lr() > 0) || !(o.lr_final() > 0) ||
      !(o.penalty_start() > 0) || !(o.penalty_end() > 0) || !(o.continuation() > 0))
    throw std::invalid_argument(
        "committor options: need iterations >= 1, batch_size >= 2, positive lr, lr_final, "
        "penalties and continuation");
  torch::manual_seed(o.seed());
  // Many processes: this rank's share of each batch, from its own stream; rank 0 goes on with
  // the one-process stream. The network comes from rank 0.
  auto* group = o.group().get();
  const int64_t batch =
      distributed::share_of(o.batch_size(), group, "committor samples (train.batch_size)").count;
  if (distributed::rank_of(group) > 0)
    torch::manual_seed(distributed::rank_seed(static_cast<uint64_t>(o.seed()), group));
  auto probe = problem.sampler(batch);
  auto topt = probe.x.options();
  const bool exact_bc = o.exact_boundary() && problem.lift && problem.distance;
  auto net =
      nn::ScalarNet(nn::ScalarNetOptions(problem.dim)
                        .hidden(o.hidden())
                        .init(nn::ScalarInit::kLibTorch)
                        .sigmoid(o.sigmoid_output() && !exact_bc)
                        .input_shift(problem.input_shift.defined() ? problem.input_shift.to(topt)
                                                                   : torch::Tensor())
                        .input_scale(problem.input_scale.defined() ? problem.input_scale.to(topt)
                                                                   : torch::Tensor()));
  net->to(topt.device(), topt.dtype().toScalarType());
  distributed::broadcast_from_rank0(net->parameters(), group);
  const bool lbfgs = o.optimizer() == nn::OptimizerKind::kLbfgs;
  if (lbfgs && o.lbfgs_inner() < 1)
    throw std::invalid_argument("committor: lbfgs_inner must be >= 1");
  // L-BFGS keeps LibTorch's default tolerances and evaluation budget.
  auto opt = nn::make_optimizer(
      net->parameters(), lbfgs ? nn::OptimizerOptions()
                                     .kind(nn::OptimizerKind::kLbfgs)
                                     .max_iter(o.lbfgs_inner())
                                     .history_size(20)
                                     .tolerance_grad(1e-7)
                                     .tolerance_change(1e-9)
                               : nn::OptimizerOptions().kind(nn::OptimizerKind::kAdam).lr(o.lr()));

  CommittorResult res;
  ScalarField qfun = [net, exact_bc, problem](const torch::Tensor& x) mutable {
    auto y = net->forward(x);
    return exact_bc ? problem.lift(x) + problem.distance(x) * y : y;
  };
  auto evaluate = [&](const WeightedSamples& s, bool graph, double* dir_out, double* pen_out) {
    auto x = s.x.detach().requires_grad_(true);
    auto q = qfun(x);
    auto g = torch::autograd::grad({q.sum()}, {x}, {}, graph, graph)[0];
    auto ma = problem.in_a(x.detach()), mb = problem.in_b(x.detach());
    auto inner = (~(ma | mb)).to(q.scalar_type());
    auto fa = ma.to(q.scalar_type()), fb = mb.to(q.scalar_type());
    if (group) {
      // This rank's parts of the global sums: the weights normalized over all ranks' samples
      // (a common shift: the largest log-weight anywhere), the boundary counts of all ranks.
      auto lw = s.log_w.detach();
      const auto shift = distributed::gather_rows(lw.max().reshape({1}), group).max();
      auto e = torch::exp(lw - shift);
      const auto n = distributed::sum_over_ranks(
          {e.sum().item<double>(), fa.sum().item<double>(), fb.sum().item<double>()}, group);
      const double total = double(o.batch_size());
      auto w = e / n[0] * total;
      auto dir = (w * inner * g.pow(2).sum(1)).sum() / total;
      auto pen = (fa * q.pow(2)).sum() / std::max(n[1], 1.0) +
                 (fb * (q - 1).pow(2)).sum() / std::max(n[2], 1.0);
      const auto v = distributed::sum_over_ranks({dir.item<double>(), pen.item<double>()}, group);
      if (dir_out) *dir_out = v[0];
      if (pen_out) *pen_out = v[1];
      return std::make_pair(dir, pen);
    }
    auto w = torch::softmax(s.log_w, 0) * double(s.log_w.size(0));
    auto dir = (w * inner * g.pow(2).sum(1)).mean();
    auto pen = (fa * q.pow(2)).sum() / fa.sum().clamp_min(1) +
               (fb * (q - 1).pow(2)).sum() / fb.sum().clamp_min(1);
    if (dir_out) *dir_out = dir.item<double>();
    if (pen_out) *pen_out = pen.item<double>();
    return std::make_pair(dir, pen);
  };

  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = o.iterations();
  auto penalty_at = [&](double frac) {
    if (exact_bc) return 0.0;
    return o.penalty_start() *
           std::pow(o.penalty_end() / o.penalty_start(), std::min(1.0, frac / o.continuation()));
  };
  if (lbfgs) {
    int64_t evals = 0;
    while (evals < n) {
      auto s = evals == 0 ? probe : problem.sampler(batch);
      const double lam = penalty_at(double(evals) / double(n));
      double pv = 0;
      auto closure = [&]() -> torch::Tensor {
        opt->zero_grad();
        double d = 0;
        // With a group: the global loss and its summed gradient (sample_shard.h).
        auto loss = distributed::summed_over_ranks(
            [&] {
              auto [dir, pen] = evaluate(s, true, &d, &pv);
              return 0.5 * dir + lam * pen;
            },
            net->parameters(), group)();
        loss.backward();
        const double lv = loss.item<double>();
        if (!std::isfinite(lv))
          throw std::runtime_error("committor L-BFGS diverged (lower penalty_end)");
        res.loss_history.push_back(lv);
        res.dirichlet_history.push_back(d);
        ++evals;
        if (o.on_progress() &&
            (evals % std::max<int64_t>(1, o.progress_every()) == 0 || evals == n))
          o.on_progress()({std::min(evals, n), n, lv, pv});
        return loss;
      };
      opt->step(closure);
    }
  }
  for (int64_t k = 0; k < n && !lbfgs; ++k) {
    const double frac = double(k) / double(n);
    const double lr = o.lr() * std::pow(o.lr_final() / o.lr(), frac);
    nn::set_learning_rate(*opt, lr);
    const double lam = penalty_at(frac);
    auto s = k == 0 ? probe : problem.sampler(batch);
    double d = 0, pv = 0;
    auto loss = distributed::summed_over_ranks(
        [&] {
          auto [dir, pen] = evaluate(s, true, &d, &pv);
          return 0.5 * dir + lam * pen;
        },
        net->parameters(), group)();
    opt->zero_grad();
    loss.backward();
    opt->step();
    const double lv = loss.item<double>();
    if (!std::isfinite(lv))
      throw std::runtime_error("committor training diverged at iteration " + std::to_string(k) +
                               " (lower the learning rate or penalty_end)");
    res.loss_history.push_back(lv);
    res.dirichlet_history.push_back(d);
    if (o.on_progress() && ((k + 1) % std::max<int64_t>(1, o.progress_every()) == 0 || k + 1 == n))
      o.on_progress()({k + 1, n, lv, pv});
  }
  // Final estimates on a few fresh batches.
  double dsum = 0, psum = 0;
  const int reps = 10;
  for (int r = 0; r < reps; ++r) {
    double d = 0, pv = 0;
    evaluate(problem.sampler(batch), false, &d, &pv);
    dsum += d;
    psum += pv;
  }
  res.dirichlet_energy = dsum / reps;
  res.boundary_error = std::sqrt(psum / reps);
  res.iterations = int64_t(res.loss_history.size());
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  net->eval();
  res.net = net.ptr();
  res.q = [qfun, problem](const torch::Tensor& x) mutable {
    torch::NoGradGuard ng;
    auto q = qfun(x);
    q = torch::where(problem.in_a(x), torch::zeros_like(q), q);
    return torch::where(problem.in_b(x), torch::ones_like(q), q);
  };
  return res;
}

}  // namespace enflow::variational
