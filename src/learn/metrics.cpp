#include "enflow/learn/metrics.h"

#include <torch/torch.h>

#include <stdexcept>

#include "enflow/learn/central_pairs.h"
#include "enflow/learn/trainer.h"

namespace enflow::learn {

Evaluation evaluate(models::DynamicsModelImpl& model, const io::Dataset& data,
                    const std::vector<int64_t>& series, const models::StepOptions& train_step,
                    const models::StepOptions& predict_step, const systems::System* system,
                    int64_t steps, const std::string& derivative) {
  if (series.empty()) throw std::invalid_argument("no series to evaluate");
  auto p = model.parameters();
  const auto dtype = p.empty() ? torch::kFloat64 : p.front().scalar_type();
  const auto device = p.empty() ? torch::Device(torch::kCPU) : p.front().device();
  Evaluation ev;
  ev.deriv_mse =
      rate_mse(model, make_pairs_by(derivative, data, series, dtype, device), train_step);

  auto idx = torch::tensor(series, torch::kLong);
  auto truth = data.states.index_select(0, idx);
  const int64_t T = steps > 0 ? std::min<int64_t>(steps + 1, truth.size(1)) : truth.size(1);
  truth = truth.narrow(1, 0, T);
  // Regular grids predict all series at once; irregular ones series by series.
  std::vector<at::Tensor> preds;
  auto opts = torch::TensorOptions().dtype(dtype).device(device);
  if (data.t.dim() == 1) {
    preds.push_back(
        models::rollout(model, truth.select(1, 0).to(opts), data.t.narrow(0, 0, T), predict_step));
  } else {
    for (size_t k = 0; k < series.size(); ++k) {
      auto tk = data.t[series[k]].narrow(0, 0, T);
      preds.push_back(models::rollout(model, truth[k].narrow(0, 0, 1).to(opts), tk, predict_step));
    }
  }
  ev.prediction = torch::cat(preds, 0).to(torch::kCPU, torch::kFloat64);
  ev.truth = truth.to(torch::kFloat64);
  ev.state_mse = (ev.prediction - ev.truth).pow(2).mean().item<double>();
  if (system) {
    const int64_t S = ev.truth.size(0), D = ev.truth.size(2);
    auto ip = system->invariants(ev.prediction.reshape({S * T, D}));
    auto it = system->invariants(ev.truth.reshape({S * T, D}));
    for (auto& [name, v] : ip) {
      if (!it.count(name)) continue;
      auto a = v.reshape({S, T}), b = it[name].reshape({S, T});
      ev.invariant_prediction[name] = a;
      ev.invariant_truth[name] = b;
      ev.invariant_mse[name] = (a - b).pow(2).mean().item<double>();
    }
  }
  return ev;
}

}  // namespace enflow::learn
