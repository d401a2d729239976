// Multi-step training data and loss: windows of consecutive states and the error of the
// model's own rollout over them (include/enflow/learn/trainer.h).
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "enflow/learn/trainer.h"

namespace enflow::learn {

WindowSet make_windows(const io::Dataset& data, const std::vector<int64_t>& series, int64_t K,
                       c10::ScalarType dtype, c10::Device device) {
  if (K < 1) throw std::invalid_argument("rollout windows need K >= 1 steps");
  std::vector<at::Tensor> x, t;
  for (auto s : series) {
    auto xs = io::series_states(data, s);  // its own length: no window runs into padding
    auto ts = io::series_times(data, s);
    const int64_t n = xs.size(0) - K;
    if (n < 1) continue;
    x.push_back(xs.unfold(0, K + 1, 1).transpose(1, 2));  // [n, K + 1, d]
    t.push_back(ts.unfold(0, K + 1, 1));                  // [n, K + 1]
  }
  if (x.empty())
    throw std::invalid_argument("train.rollout = " + std::to_string(K) +
                                ": no training series has " + std::to_string(K + 1) +
                                " time points");
  auto opts = torch::TensorOptions().dtype(dtype).device(device);
  WindowSet w{torch::cat(x).to(opts).contiguous(), torch::cat(t).to(opts).contiguous()};
  if (!(w.t.narrow(1, 1, K) > w.t.narrow(1, 0, K)).all().item<bool>())
    throw std::invalid_argument("time stamps must increase strictly within each series");
  return w;
}

at::Tensor rollout_loss(models::DynamicsModelImpl& model, const WindowSet& w,
                        const at::Tensor& index, const models::StepOptions& step,
                        int64_t mean_over) {
  auto x = w.states.index_select(0, index), t = w.t.index_select(0, index);
  auto u = x.select(1, 0);
  const int64_t count = mean_over > 0 ? mean_over : x.size(0);
  at::Tensor sum;
  for (int64_t k = 1; k <= w.steps(); ++k) {
    u = models::differentiable_step(model, u, t.select(1, k) - t.select(1, k - 1), step,
                                    t.select(1, k - 1));
    auto e = (u - x.select(1, k)) / (t.select(1, k) - t.select(1, 0)).unsqueeze(1);
    // The mean over `count` windows: these, or a global batch this is a share of.
    auto term = e.pow(2).sum() / static_cast<double>(count * e.size(1));
    sum = sum.defined() ? sum + term : term;
  }
  return sum / static_cast<double>(w.steps());
}

double rollout_mse(models::DynamicsModelImpl& model, const WindowSet& w,
                   const models::StepOptions& step, int64_t chunk) {
  const int64_t N = w.size();
  if (N == 0) throw std::invalid_argument("no windows to evaluate");
  double sum = 0.0;
  for (int64_t s = 0; s < N; s += chunk) {
    const int64_t n = std::min(chunk, N - s);
    auto idx = torch::arange(s, s + n, torch::TensorOptions().dtype(torch::kLong));
    sum += n * rollout_loss(model, w, idx.to(w.states.device()), step).item<double>();
  }
  return sum / static_cast<double>(N);
}

}  // namespace enflow::learn
