#include "flows/optimize.h"

#include <stdexcept>

namespace enflow::flows {

void check_optimizer_options(const std::string& kind, int64_t max_iter) {
  if (kind != "lbfgs" && kind != "adam")
    throw std::invalid_argument("optimizer must be 'lbfgs' or 'adam', got '" + kind + "'");
  if (max_iter < 1) throw std::invalid_argument("optimizer max_iter must be >= 1");
}

void run_optimizer(const std::vector<torch::Tensor>& params,
                   const std::function<torch::Tensor()>& loss, const std::string& kind,
                   int64_t max_iter, double lr, int64_t history_size, double tolerance_grad,
                   double tolerance_change) {
  check_optimizer_options(kind, max_iter);
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
  if (kind == "lbfgs") {
    auto o = torch::optim::LBFGSOptions(lr)
                 .max_iter(max_iter)
                 .max_eval(max_iter * 5 / 4 + 1)
                 .history_size(history_size)
                 .tolerance_grad(tolerance_grad)
                 .tolerance_change(tolerance_change)
                 .line_search_fn(std::string("strong_wolfe"));
    torch::optim::LBFGS opt(params, o);
    opt.step(closure);
  } else {
    torch::optim::Adam opt(params, torch::optim::AdamOptions(lr));
    for (int64_t i = 0; i < max_iter; ++i) {
      closure();
      opt.step();
    }
  }
  zero();
}

}  // namespace enflow::flows
