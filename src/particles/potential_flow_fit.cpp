// Maximum-likelihood training and evaluation of the potential-flow model.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "enflow/particles/potential_flow.h"
#include "nn/optimizer_factory.h"

namespace enflow::particles {

PotentialFlowFit fit_potential_flow(PotentialFlowImpl& model,
                                    const std::function<at::Tensor(int64_t)>& data,
                                    const PotentialFlowFitOptions& o) {
  if (o.iterations() < 0 || o.batch_size() < 1 || !(o.lr() > 0) || !(o.lr_final() > 0) ||
      !(o.clip() >= 0))
    throw std::invalid_argument(
        "potential flow fit: needs iterations >= 0, batch_size >= 1, lr > 0, lr_final > 0, "
        "clip >= 0");
  const auto start = std::chrono::steady_clock::now();
  auto params = model.parameters();
  torch::optim::Adam opt(params, torch::optim::AdamOptions(o.lr()));
  PotentialFlowFit r;
  for (int64_t it = 1; it <= o.iterations(); ++it) {
    const double frac = static_cast<double>(it - 1) / std::max<int64_t>(1, o.iterations() - 1);
    const double lr = o.lr() * std::pow(o.lr_final() / o.lr(), frac);
    nn::set_learning_rate(opt, lr);
    auto x = data(o.batch_size());
    auto loss = -model.log_prob(x, 0, /*create_graph=*/true).mean();
    opt.zero_grad();
    loss.backward();
    const double max_norm = o.clip() > 0 ? o.clip() : std::numeric_limits<double>::infinity();
    const double norm = torch::nn::utils::clip_grad_norm_(params, max_norm);
    const double value = loss.item<double>();
    if (!std::isfinite(value) || !std::isfinite(norm))
      throw std::runtime_error("potential flow fit: non-finite loss or gradient at iteration " +
                               std::to_string(it) + " (lower train.lr or raise flow.steps)");
    opt.step();
    r.nll.push_back(value);
    if (o.on_progress() &&
        (it % std::max<int64_t>(1, o.progress_every()) == 0 || it == o.iterations()))
      o.on_progress()({it, o.iterations(), value, norm});
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::pair<double, double> mean_nll(PotentialFlowImpl& model, const at::Tensor& x, int64_t steps) {
  if (x.dim() != 2 || x.size(0) < 2)
    throw std::invalid_argument("mean_nll: expected x [N >= 2, d]");
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < x.size(0); i += 2048)
    parts.push_back(-model.log_prob(x.narrow(0, i, std::min<int64_t>(2048, x.size(0) - i)), steps));
  auto nll = torch::cat(parts);
  return {nll.mean().item<double>(),
          nll.std().item<double>() / std::sqrt(static_cast<double>(x.size(0)))};
}

}  // namespace enflow::particles
