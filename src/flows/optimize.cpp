#include "flows/optimize.h"

#include <cmath>
#include <stdexcept>

namespace enflow::flows {

nn::OptimizerOptions with_step_budget(nn::OptimizerOptions options) {
  if (options.max_eval() == 0) options.max_eval(options.max_iter() * 5 / 4 + 1);
  return options;
}

Trial minimizing_movement(const std::vector<torch::Tensor>& params,
                          const std::function<torch::Tensor()>& loss,
                          const std::function<std::pair<double, double>()>& evaluate, double f0,
                          const nn::OptimizerOptions& settings) {
  std::vector<torch::Tensor> saved;
  for (const auto& p : params) saved.push_back(p.detach().clone());
  nn::minimize(params, loss, with_step_budget(settings));
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
