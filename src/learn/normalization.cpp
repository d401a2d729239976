#include "enflow/learn/normalization.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "enflow/io/dataset.h"

namespace enflow::learn {

namespace {

// Mean and standard deviation of the columns `cols` of states [N, D], pooled.
std::pair<double, double> pooled_stats(const at::Tensor& x, const std::vector<int64_t>& cols) {
  auto block = x.index_select(1, torch::tensor(cols, torch::kLong));
  const double mean = block.mean().item<double>();
  double sd = block.std(/*unbiased=*/false).item<double>();
  if (!(sd > 1e-12 * std::max(1.0, std::abs(mean)))) sd = 1.0;  // constant: leave its scale
  return {mean, sd};
}

}  // namespace

Normalization normalization_for(const io::Dataset& data, const std::vector<int64_t>& series,
                                const std::string& mode, const std::string& model_type,
                                const std::string& structure, const std::vector<int64_t>& angles) {
  std::string m = mode;
  if (m == "auto")
    m = data.source.empty() || model_type == "srnn" || model_type == "ggd" ? "none" : "pooled";
  if (m == "none") return {};
  if (m != "pooled" && m != "per_coordinate")
    throw std::invalid_argument("model.normalize: unknown mode '" + mode +
                                "' (known: auto, none, pooled, per_coordinate)");
  const int64_t D = data.states.size(2);
  std::vector<at::Tensor> rows;  // the data's rows only, not the padding of ragged series
  for (auto s : series.empty() ? std::vector<int64_t>{0} : series)
    rows.push_back(io::series_states(data, s));
  auto x = torch::cat(rows).to(torch::kFloat64);
  // Groups of components that share one shift and scale (angles in none: shift 0, scale 1).
  auto is_angle = [&](int64_t i) {
    return std::find(angles.begin(), angles.end(), i) != angles.end();
  };
  std::vector<std::vector<int64_t>> groups;
  auto group_of = [&](int64_t from, int64_t count) {
    std::vector<int64_t> g;
    for (int64_t i = from; i < from + count; ++i)
      if (!is_angle(i)) g.push_back(i);
    if (!g.empty()) groups.push_back(g);
  };
  if (m == "per_coordinate") {
    for (int64_t i = 0; i < D; ++i) group_of(i, 1);
  } else if ((structure == "symplectic" || structure == "friction") && D % 2 == 0) {
    group_of(0, D / 2);
    group_of(D / 2, D / 2);
  } else {
    group_of(0, D);
  }
  Normalization n;
  n.shift.assign(D, 0.0);
  n.scale.assign(D, 1.0);
  for (const auto& g : groups) {
    const auto [mean, sd] = pooled_stats(x, g);
    for (const auto i : g) {
      n.shift[i] = mean;
      n.scale[i] = sd;
    }
  }
  return n;
}

}  // namespace enflow::learn
