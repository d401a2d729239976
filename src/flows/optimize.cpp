#include "flows/optimize.h"

#include <cmath>
#include <stdexcept>

namespace enflow::flows {

void check_optimizer_options(const std::string& kind, int64_t max_iter) {
  if (kind != "lbfgs" && kind != "adam")
    throw std::invalid_argument("optimizer must be 'lbfgs' or 'adam', got '" + kind + "'");
  if (max_iter < 1) throw std::invalid_argument("optimizer max_iter must be >= 1");
}

void run_optimizer(const std::vector<torch::Tensor>& params,
                   const std::function<torch::Tensor()>& loss, const OptimizerSettings& s) {
  check_optimizer_options(s.kind, s.max_iter);
  auto zero = [&] {
    for (const auto& p : params) {
      if (p.grad().defined()) p.grad().detach().zero_();
    }
  };
  auto closure = [&]() -> torch::Tensor {
    zero();
    auto l = loss();
    l.backward();
    return l;
  };
  if (s.kind == "lbfgs") {
    auto o = torch::optim::LBFGSOptions(s.lr)
                 .max_iter(s.max_iter)
                 .max_eval(s.max_iter * 5 / 4 + 1)
                 .history_size(s.history_size)
                 .tolerance_grad(s.tolerance_grad)
                 .tolerance_change(s.tolerance_change)
                 .line_search_fn(std::string("strong_wolfe"));
    torch::optim::LBFGS opt(params, o);
    opt.step(closure);
  } else {
    torch::optim::Adam opt(params, torch::optim::AdamOptions(s.lr));
    for (int64_t i = 0; i < s.max_iter; ++i) {
      closure();
      opt.step();
    }
  }
  zero();
}

Trial minimizing_movement(const std::vector<torch::Tensor>& params,
                          const std::function<torch::Tensor()>& loss,
                          const std::function<std::pair<double, double>()>& evaluate, double f0,
                          const OptimizerSettings& settings) {
  std::vector<torch::Tensor> saved;
  for (const auto& p : params) saved.push_back(p.detach().clone());
  run_optimizer(params, loss, settings);
  const auto jf = evaluate();
  Trial t;
  t.objective = jf.first;
  t.energy = jf.second;
  t.accepted =
      std::isfinite(t.objective) && std::isfinite(t.energy) && t.objective <= f0 && t.energy <= f0;
  if (!t.accepted) {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
  }
  return t;
}

}  // namespace enflow::flows
