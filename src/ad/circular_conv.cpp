#include "ad/circular_conv.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace enflow::ad {

namespace {

std::string grid_layout(int64_t axes) {
  static const char* names[] = {"length", "height, width", "depth, height, width"};
  return "[batch, channels, " + std::string(names[axes - 1]) + "]";
}

}  // namespace

void check_circular_conv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         int64_t axes, const char* what) {
  const std::string w(what);
  if (axes < 1 || axes > 3) throw std::invalid_argument(w + ": grids have 1, 2 or 3 axes");
  if (x.dim() != axes + 2) {
    throw std::invalid_argument(w + ": input must be " + grid_layout(axes) + ", got " +
                                std::to_string(x.dim()) + " dimensions");
  }
  if (!weight.defined() || weight.dim() != axes + 2) {
    throw std::invalid_argument(w + ": weight must have " + std::to_string(axes + 2) +
                                " dimensions [out, in, kernel...]");
  }
  if (weight.size(1) != x.size(1)) {
    throw std::invalid_argument(w + ": input has " + std::to_string(x.size(1)) +
                                " channels, the weight expects " + std::to_string(weight.size(1)));
  }
  for (int64_t i = 0; i < axes; ++i) {
    const int64_t k = weight.size(2 + i);
    if (k % 2 == 0) {
      throw std::invalid_argument(w + ": kernel size must be odd, got " + std::to_string(k) +
                                  " on grid axis " + std::to_string(i));
    }
    if (k / 2 > x.size(2 + i)) {  // the padding wraps around at most once
      throw std::invalid_argument(w + ": kernel size " + std::to_string(k) + " needs at least " +
                                  std::to_string(k / 2) + " grid points on axis " +
                                  std::to_string(i) + ", got " + std::to_string(x.size(2 + i)));
    }
  }
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
    throw std::invalid_argument(w + ": bias must be a vector of the " +
                                std::to_string(weight.size(0)) + " output channels");
  }
}

at::Tensor circular_pad(const at::Tensor& x, const at::IntArrayRef pad) {
  at::Tensor t = x;
  for (size_t i = 0; i < pad.size(); ++i) {
    const int64_t p = pad[i];
    if (p == 0) continue;
    const auto dim = static_cast<int64_t>(i) + 2;
    const int64_t n = t.size(dim);
    t = torch::cat({t.narrow(dim, n - p, p), t, t.narrow(dim, 0, p)}, dim);
  }
  return t;
}

at::Tensor conv_circular(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const int64_t axes = weight.dim() - 2;
  std::vector<int64_t> pad(static_cast<size_t>(axes));
  for (int64_t i = 0; i < axes; ++i) pad[static_cast<size_t>(i)] = weight.size(2 + i) / 2;
  const auto padded = circular_pad(x, pad);
  switch (axes) {
    case 1:
      return torch::conv1d(padded, weight, bias);
    case 2:
      return torch::conv2d(padded, weight, bias);
    default:
      return torch::conv3d(padded, weight, bias);
  }
}

}  // namespace enflow::ad
