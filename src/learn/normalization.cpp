#include "enflow/learn/normalization.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "enflow/io/dataset.h"

namespace enflow::learn {

namespace {

// Mean and standard deviation of the columns in `cols` of states [N, D], pooled.
std::pair<double, double> pooled_stats(const at::Tensor& x, int64_t from, int64_t count) {
  auto block = x.narrow(1, from, count);
  const double mean = block.mean().item<double>();
  double sd = block.std(/*unbiased=*/false).item<double>();
  if (!(sd > 1e-12 * std::max(1.0, std::abs(mean)))) sd = 1.0;  // constant: leave its scale
  return {mean, sd};
}

}  // namespace

Normalization normalization_for(const io::Dataset& data, const std::vector<int64_t>& series,
                                const std::string& mode, const std::string& model_type,
                                const std::string& structure) {
  std::string m = mode;
  if (m == "auto")
    m = data.source.empty() || model_type == "srnn" || model_type == "ggd" ? "none" : "pooled";
  if (m == "none") return {};
  if (m != "pooled" && m != "per_coordinate")
    throw std::invalid_argument("model.normalize: unknown mode '" + mode +
                                "' (known: auto, none, pooled, per_coordinate)");
  const int64_t D = data.states.size(2);
  auto idx = torch::tensor(series.empty() ? std::vector<int64_t>{0} : series, torch::kLong);
  auto x = data.states.index_select(0, idx).reshape({-1, D}).to(torch::kFloat64);
  // Groups of components that share one shift and scale.
  std::vector<std::pair<int64_t, int64_t>> groups;
  if (m == "per_coordinate") {
    for (int64_t i = 0; i < D; ++i) groups.emplace_back(i, 1);
  } else if ((structure == "symplectic" || structure == "friction") && D % 2 == 0) {
    groups = {{0, D / 2}, {D / 2, D / 2}};
  } else {
    groups = {{0, D}};
  }
  Normalization n;
  n.shift.resize(D);
  n.scale.resize(D);
  for (const auto& [from, count] : groups) {
    const auto [mean, sd] = pooled_stats(x, from, count);
    std::fill(n.shift.begin() + from, n.shift.begin() + from + count, mean);
    std::fill(n.scale.begin() + from, n.scale.begin() + from + count, sd);
  }
  return n;
}

}  // namespace enflow::learn
