// Series of a dataset without their padding (ragged records: include/enflow/io/dataset.h).
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "enflow/io/dataset.h"

namespace enflow::io {

int64_t series_length(const Dataset& data, int64_t s) {
  if (s < 0 || s >= data.states.size(0))
    throw std::invalid_argument("series index " + std::to_string(s) + " out of range [0, " +
                                std::to_string(data.states.size(0)) + ")");
  return data.lengths.empty() ? data.states.size(1) : data.lengths[s];
}

at::Tensor series_states(const Dataset& data, int64_t s) {
  return data.states[s].narrow(0, 0, series_length(data, s));
}

at::Tensor series_times(const Dataset& data, int64_t s) {
  const auto len = series_length(data, s);
  return (data.t.dim() == 2 ? data.t[s] : data.t).narrow(0, 0, len);
}

void set_ragged_series(Dataset& data, const std::vector<at::Tensor>& states,
                       const std::vector<at::Tensor>& times) {
  if (states.empty() || states.size() != times.size())
    throw std::invalid_argument("set_ragged_series: one time vector per series, at least one");
  int64_t T = 0;
  std::vector<int64_t> lengths;
  for (size_t s = 0; s < states.size(); ++s) {
    if (states[s].dim() != 2 || states[s].size(0) < 1 || times[s].dim() != 1 ||
        times[s].size(0) != states[s].size(0))
      throw std::invalid_argument("set_ragged_series: series " + std::to_string(s) +
                                  " needs states [len, D] and times [len], len >= 1");
    lengths.push_back(states[s].size(0));
    T = std::max(T, lengths.back());
  }
  std::vector<at::Tensor> x, t;
  for (size_t s = 0; s < states.size(); ++s) {
    const int64_t pad = T - lengths[s];
    auto xs = states[s].to(torch::kFloat64), ts = times[s].to(torch::kFloat64);
    // Padding repeats the last row: finite, and a zero step wherever it is differenced.
    x.push_back(pad == 0 ? xs : torch::cat({xs, xs.narrow(0, -1, 1).expand({pad, xs.size(1)})}));
    t.push_back(pad == 0 ? ts : torch::cat({ts, ts.narrow(0, -1, 1).expand({pad})}));
  }
  data.states = torch::stack(x).contiguous();
  data.t = torch::stack(t).contiguous();
  const bool ragged =
      std::any_of(lengths.begin(), lengths.end(), [&](int64_t n) { return n != T; });
  data.lengths = ragged ? lengths : std::vector<int64_t>{};
}

SeriesLengths series_lengths(const Dataset& data) {
  SeriesLengths l;
  l.shortest = l.longest = data.states.size(1);
  if (!data.lengths.empty()) {
    l.shortest = *std::min_element(data.lengths.begin(), data.lengths.end());
    l.longest = *std::max_element(data.lengths.begin(), data.lengths.end());
  }
  for (int64_t s = 0; s < data.states.size(0); ++s) l.points += series_length(data, s);
  return l;
}

}  // namespace enflow::io
