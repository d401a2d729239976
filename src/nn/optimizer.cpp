#include "enflow/nn/optimizer.h"

#include <cmath>
#include <stdexcept>

#include "nn/optimizer_factory.h"

namespace enflow::nn {

OptimizerKind optimizer_kind_from_string(const std::string& name, const std::string& key) {
  if (name == "adam") return OptimizerKind::kAdam;
  if (name == "lbfgs") return OptimizerKind::kLbfgs;
  throw std::invalid_argument("unknown " + key + " '" + name + "'; known: adam, lbfgs");
}

const char* to_string(OptimizerKind kind) {
  return kind == OptimizerKind::kAdam ? "adam" : "lbfgs";
}

void OptimizerOptions::check(const std::string& prefix) const {
  auto require = [&](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(prefix + what);
  };
  require(kind_ == OptimizerKind::kAdam || kind_ == OptimizerKind::kLbfgs,
          "kind must be adam or lbfgs");
  require(max_iter_ >= 1, "max_iter must be >= 1");
  require(lr_ > 0 && std::isfinite(lr_), "lr must be positive");
  require(max_eval_ >= 0, "max_eval must be >= 0");
  require(history_size_ >= 1, "history_size must be >= 1");
  require(tolerance_grad_ >= 0 && tolerance_change_ >= 0,
          "tolerance_grad and tolerance_change must be >= 0");
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const OptimizerOptions& o) {
  o.check();
  if (o.kind() == OptimizerKind::kAdam)
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(o.lr()));
  auto lo = torch::optim::LBFGSOptions(o.lr())
                .max_iter(o.max_iter())
                .history_size(o.history_size())
                .tolerance_grad(o.tolerance_grad())
                .tolerance_change(o.tolerance_change())
                .line_search_fn(std::string("strong_wolfe"));
  if (o.max_eval() > 0) lo.max_eval(o.max_eval());
  return std::make_unique<torch::optim::LBFGS>(params, lo);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

void minimize(const std::vector<at::Tensor>& params, const std::function<at::Tensor()>& loss,
              const OptimizerOptions& options) {
  auto opt = make_optimizer(params, options);
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
  if (options.kind() == OptimizerKind::kLbfgs) {
    opt->step(closure);
  } else {
    for (int64_t i = 0; i < options.max_iter(); ++i) {
      closure();
      opt->step();
    }
  }
  zero();
}

}  // namespace enflow::nn
