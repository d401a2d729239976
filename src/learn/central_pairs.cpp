#include "enflow/learn/central_pairs.h"

#include <torch/torch.h>

#include <stdexcept>

namespace enflow::learn {

const std::vector<std::string>& derivative_names() {
  static const std::vector<std::string> n = {"forward", "central"};
  return n;
}

PairSet make_central_pairs(const io::Dataset& data, const std::vector<int64_t>& series,
                           c10::ScalarType dtype, c10::Device device) {
  if (!data.states.defined() || data.states.dim() != 3) {
    throw std::invalid_argument("dataset states must be [series, steps, dim]");
  }
  std::vector<at::Tensor> u0, u1, dt, t0;
  for (auto s : series) {
    // In float64 whatever the training dtype: the difference is the accurate part.
    auto x = io::series_states(data, s).to(torch::kFloat64);
    auto t = io::series_times(data, s).to(torch::kFloat64);
    const int64_t T = x.size(0);
    if (T < 3) continue;  // a series of two points has no interior point
    auto h = 0.5 * (t.narrow(0, 2, T - 2) - t.narrow(0, 0, T - 2));
    if (!(h > 0).all().item<bool>()) {
      throw std::invalid_argument("time stamps must increase strictly within each series");
    }
    auto c = (x.narrow(0, 2, T - 2) - x.narrow(0, 0, T - 2)) / (2.0 * h.unsqueeze(1));
    auto mid = x.narrow(0, 1, T - 2);
    u0.push_back(mid);
    u1.push_back(mid + h.unsqueeze(1) * c);
    dt.push_back(h);
    t0.push_back(t.narrow(0, 1, T - 2));  // the pair (u_k, u_k + h c) starts at t_k
  }
  if (u0.empty())
    throw std::invalid_argument(
        "central differences need at least 3 time points in a series; none of the selected has");
  auto opts = torch::TensorOptions().dtype(dtype).device(device);
  return PairSet{torch::cat(u0).to(opts), torch::cat(u1).to(opts), torch::cat(dt).to(opts),
                 torch::cat(t0).to(opts)};
}

PairSet make_pairs_by(const std::string& derivative, const io::Dataset& data,
                      const std::vector<int64_t>& series, c10::ScalarType dtype,
                      c10::Device device) {
  if (derivative == "forward") return make_pairs(data, series, dtype, device);
  if (derivative == "central") return make_central_pairs(data, series, dtype, device);
  throw std::invalid_argument("unknown derivative '" + derivative + "' (known: forward, central)");
}

}  // namespace enflow::learn
