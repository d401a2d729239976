#include "enflow/nn/scalar_net.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <utility>

namespace enflow::nn {

ScalarArch scalar_arch_from_string(const std::string& name, const std::string& key) {
  if (name == "mlp" || name == "shallow") return ScalarArch::kMlp;
  if (name == "resnet") return ScalarArch::kResnet;
  throw std::invalid_argument("unknown " + key + " '" + name + "'; known: mlp (shallow), resnet");
}

ScalarActivation scalar_activation_from_string(const std::string& name, const std::string& key) {
  if (name == "tanh") return ScalarActivation::kTanh;
  if (name == "relu3") return ScalarActivation::kRelu3;
  throw std::invalid_argument("unknown " + key + " '" + name + "'; known: tanh, relu3");
}

const char* to_string(ScalarActivation activation) {
  return activation == ScalarActivation::kTanh ? "tanh" : "relu3";
}

namespace {

// One layer's (weight [out, in], bias [out]) drawn as the init asks. kLibTorch repeats
// torch::nn::Linear::reset_parameters draw for draw, so the same seed gives the same network.
std::pair<torch::Tensor, torch::Tensor> scalar_net_layer(int64_t out, int64_t in, ScalarInit init) {
  if (init == ScalarInit::kGlorot) {
    const double a = std::sqrt(6.0 / static_cast<double>(in + out));
    return {(torch::rand({out, in}, torch::kFloat64) * 2 - 1) * a,
            torch::zeros({out}, torch::kFloat64)};
  }
  auto w = torch::empty({out, in});
  torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  auto b = torch::empty({out});
  torch::nn::init::uniform_(b, -bound, bound);
  return {w, b};
}

}  // namespace

ScalarNetImpl::ScalarNetImpl(const ScalarNetOptions& o) : options_(o) {
  if (o.in_dim() < 1) throw std::invalid_argument("ScalarNet: in_dim must be >= 1");
  std::vector<std::pair<int64_t, int64_t>> shapes;  // (out, in), in the order drawn
  if (o.arch() == ScalarArch::kMlp) {
    if (o.hidden().empty()) throw std::invalid_argument("ScalarNet: needs a hidden layer");
    int64_t in = o.in_dim();
    for (const auto h : o.hidden()) {
      if (h < 1) throw std::invalid_argument("ScalarNet: hidden widths must be >= 1");
      shapes.emplace_back(h, in);
      in = h;
    }
    shapes.emplace_back(1, in);
  } else {
    if (o.width() < 1 || o.blocks() < 0)
      throw std::invalid_argument("ScalarNet: resnet needs width >= 1 and blocks >= 0");
    shapes.emplace_back(o.width(), o.in_dim());
    for (int64_t k = 0; k < 2 * o.blocks(); ++k) shapes.emplace_back(o.width(), o.width());
    shapes.emplace_back(1, o.width());
  }
  for (size_t i = 0; i < shapes.size(); ++i) {
    auto [w, b] = scalar_net_layer(shapes[i].first, shapes[i].second, o.init());
    w_.push_back(register_parameter("w" + std::to_string(i), w));
    b_.push_back(register_parameter("b" + std::to_string(i), b));
  }
  if (o.input_shift().defined() || o.input_scale().defined()) {
    const auto ones = torch::ones({o.in_dim()}, w_[0].options());
    shift_ = register_buffer("shift", o.input_shift().defined() ? o.input_shift() : 0 * ones);
    scale_ = register_buffer("scale", o.input_scale().defined() ? o.input_scale() : ones);
  }
}

at::Tensor ScalarNetImpl::act(const at::Tensor& x) const {
  return options_.activation() == ScalarActivation::kTanh ? torch::tanh(x) : torch::relu(x).pow(3);
}

at::Tensor ScalarNetImpl::forward(const at::Tensor& x) {
  if (x.dim() != 2 || x.size(1) != options_.in_dim())
    throw std::invalid_argument("ScalarNet: expected points [N, " +
                                std::to_string(options_.in_dim()) + "]");
  auto linear = [&](const at::Tensor& y, size_t i) { return torch::addmm(b_[i], y, w_[i].t()); };
  auto y = shift_.defined() ? (x - shift_) / scale_ : x;
  const size_t L = w_.size();
  if (options_.arch() == ScalarArch::kMlp) {
    for (size_t i = 0; i + 1 < L; ++i) y = act(linear(y, i));
  } else {
    y = linear(y, 0);
    for (size_t i = 1; i + 1 < L; i += 2) y = y + act(linear(act(linear(y, i)), i + 1));
  }
  y = linear(y, L - 1).squeeze(1);
  return options_.sigmoid() ? torch::sigmoid(y) : y;
}

}  // namespace enflow::nn
