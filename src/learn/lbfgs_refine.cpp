#include "enflow/learn/lbfgs_refine.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace enflow::learn {

namespace {

// Mean squared rate error over the pairs, with the gradient accumulated chunk by chunk.
double loss_and_gradient(models::DynamicsModelImpl& model, const PairSet& p,
                         const at::Tensor& target, const LbfgsOptions& o) {
  const int64_t N = p.size();
  const double denom = static_cast<double>(target.numel());
  double total = 0.0;
  for (int64_t s = 0; s < N; s += o.chunk()) {
    const int64_t n = std::min(o.chunk(), N - s);
    const auto part = p.narrow(s, n);
    auto rate = models::model_rate(model, part.u0, part.u1, part.dt, o.step(), part.t0);
    auto l = (rate - target.narrow(0, s, n)).pow(2).sum() / denom;
    l.backward();
    total += l.item<double>();
  }
  return total;
}

std::vector<at::Tensor> snapshot(models::DynamicsModelImpl& model) {
  std::vector<at::Tensor> s;
  for (auto& p : model.parameters()) s.push_back(p.detach().clone());
  return s;
}

void restore(models::DynamicsModelImpl& model, const std::vector<at::Tensor>& s) {
  torch::NoGradGuard no_grad;
  auto ps = model.parameters();
  for (size_t i = 0; i < ps.size(); ++i) ps[i].copy_(s[i]);
}

}  // namespace

LbfgsReport lbfgs_refine(models::DynamicsModelImpl& model, const PairSet& all,
                         const LbfgsOptions& o, const ProgressFn& on_progress) {
  if (o.iterations() < 0) throw std::invalid_argument("lbfgs: iterations must be >= 0");
  if (!(o.lr() > 0)) throw std::invalid_argument("lbfgs: lr must be positive");
  if (o.max_iter() < 1 || o.history() < 1 || o.chunk() < 1) {
    throw std::invalid_argument("lbfgs: max_iter, history and chunk must be >= 1");
  }
  LbfgsReport rep;
  if (o.iterations() == 0) return rep;
  if (all.size() == 0) throw std::invalid_argument("lbfgs: no training pairs");
  PairSet p = all;
  if (o.batch() > 0 && o.batch() < all.size()) {
    auto gen = at::detail::createCPUGenerator(o.seed());
    auto idx = torch::randperm(all.size(), gen, torch::TensorOptions().dtype(torch::kLong))
                   .narrow(0, 0, o.batch())
                   .to(all.u0.device());
    p = all.index_select(idx);
  }
  const auto target = p.finite_difference();
  auto params = model.parameters();
  torch::optim::LBFGS opt(params, torch::optim::LBFGSOptions(o.lr())
                                      .max_iter(o.max_iter())
                                      .history_size(o.history())
                                      .tolerance_grad(1e-14)
                                      .tolerance_change(1e-16)
                                      .line_search_fn(std::string("strong_wolfe")));
  model.train();
  double last = NAN;
  auto closure = [&]() -> torch::Tensor {
    torch::AutoGradMode grad_on(true);  // LBFGS::step runs its closure under no-grad
    opt.zero_grad();
    last = loss_and_gradient(model, p, target, o);
    ++rep.evaluations;
    // NaN gradients would poison the L-BFGS history; a huge finite loss makes the line
    // search step back instead.
    if (!std::isfinite(last)) {
      for (auto& q : params) {
        if (q.grad().defined()) q.grad().zero_();
      }
      return torch::tensor(1e300, torch::kFloat64);
    }
    return torch::tensor(last, torch::kFloat64);
  };
  const auto t0 = std::chrono::steady_clock::now();
  {
    opt.zero_grad();
    rep.initial_loss = loss_and_gradient(model, p, target, o);
    opt.zero_grad();
  }
  if (!std::isfinite(rep.initial_loss)) {
    throw std::runtime_error("lbfgs: the loss is not finite at the start");
  }
  double best = rep.initial_loss;
  auto best_params = snapshot(model);
  rep.stop = "iterations";
  for (int64_t it = 1; it <= o.iterations(); ++it) {
    opt.step(closure);
    rep.iterations = it;
    // The loss at the parameters L-BFGS ended on (the closure's last value may be a
    // line-search trial).
    opt.zero_grad();
    const double now = loss_and_gradient(model, p, target, o);
    opt.zero_grad();
    if (!std::isfinite(now)) {
      restore(model, best_params);
      rep.stop = "non-finite loss; kept the last finite parameters";
      break;
    }
    const bool improved = now < best;
    if (improved) {
      best = now;
      best_params = snapshot(model);
    }
    rep.logged_iterations.push_back(it);
    rep.logged_loss.push_back(best);
    if (on_progress) {
      Progress pr;
      pr.iteration = it;
      pr.iterations = o.iterations();
      pr.loss = best;
      pr.seconds = std::max(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1e-9);
      on_progress(pr);
    }
    if (!improved) {
      restore(model, best_params);
      rep.stop = "converged (no further decrease)";
      break;
    }
  }
  rep.final_loss = best;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

LbfgsOptions lbfgs_options_from_config(const io::Config& c, const models::StepOptions& step,
                                       uint64_t seed) {
  // Checked here, where the keys can be named, so a bad value stops the run before training.
  auto at_least = [&](const char* key, int64_t fallback, int64_t lo) {
    const int64_t v = c.get_int(key, fallback);
    if (v < lo)
      throw std::invalid_argument("config '" + c.source() + "': " + key + " = " +
                                  std::to_string(v) + " must be >= " + std::to_string(lo));
    return v;
  };
  const double lr = c.get_double("train.lbfgs_lr", 1.0);
  if (!(lr > 0) || !std::isfinite(lr))
    throw std::invalid_argument("config '" + c.source() + "': train.lbfgs_lr must be positive");
  return LbfgsOptions()
      .iterations(at_least("train.lbfgs_iterations", 0, 0))
      .max_iter(at_least("train.lbfgs_max_iter", 20, 1))
      .lr(lr)
      .history(at_least("train.lbfgs_history", 20, 1))
      .batch(at_least("train.lbfgs_batch", 0, 0))
      .seed(seed)
      .step(step);
}

}  // namespace enflow::learn
