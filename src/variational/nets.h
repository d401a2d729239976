// Internal: small networks shared by the variational solvers.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace enflow::variational::detail {

/// x -> (x - shift)/scale -> [Linear, tanh]* -> Linear(1) [-> sigmoid], output [B].
struct ScalarMlpImpl : torch::nn::Module {
  ScalarMlpImpl(int64_t in, const std::vector<int64_t>& hidden, bool sigmoid, torch::Tensor shift,
                torch::Tensor scale)
      : sigmoid_(sigmoid) {
    int64_t w = in;
    for (size_t i = 0; i < hidden.size(); ++i) {
      layers_.push_back(register_module("fc" + std::to_string(i), torch::nn::Linear(w, hidden[i])));
      w = hidden[i];
    }
    out_ = register_module("out", torch::nn::Linear(w, 1));
    shift_ = register_buffer("shift", shift.defined() ? shift : torch::zeros({in}));
    scale_ = register_buffer("scale", scale.defined() ? scale : torch::ones({in}));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = (x - shift_) / scale_;
    for (auto& l : layers_) y = torch::tanh(l->forward(y));
    y = out_->forward(y).squeeze(-1);
    return sigmoid_ ? torch::sigmoid(y) : y;
  }
  bool sigmoid_;
  std::vector<torch::nn::Linear> layers_;
  torch::nn::Linear out_{nullptr};
  torch::Tensor shift_, scale_;
};
TORCH_MODULE(ScalarMlp);

/// Deep Ritz residual network: Linear(in, m), then blocks y + act(L2(act(L1(y)))), then
/// Linear(m, 1), output [B].
struct RitzNetImpl : torch::nn::Module {
  RitzNetImpl(int64_t in, int64_t width, int64_t blocks, std::string activation)
      : activation_(std::move(activation)) {
    if (activation_ != "relu3" && activation_ != "tanh")
      throw std::invalid_argument("Deep Ritz activation must be relu3 or tanh, got '" +
                                  activation_ + "'");
    in_ = register_module("in", torch::nn::Linear(in, width));
    for (int64_t k = 0; k < blocks; ++k) {
      l1_.push_back(
          register_module("b" + std::to_string(k) + "a", torch::nn::Linear(width, width)));
      l2_.push_back(
          register_module("b" + std::to_string(k) + "b", torch::nn::Linear(width, width)));
    }
    out_ = register_module("out", torch::nn::Linear(width, 1));
  }
  torch::Tensor act(const torch::Tensor& x) const {
    return activation_ == "tanh" ? torch::tanh(x) : torch::relu(x).pow(3);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = in_->forward(x);
    for (size_t k = 0; k < l1_.size(); ++k) y = y + act(l2_[k]->forward(act(l1_[k]->forward(y))));
    return out_->forward(y).squeeze(-1);
  }
  std::string activation_;
  torch::nn::Linear in_{nullptr}, out_{nullptr};
  std::vector<torch::nn::Linear> l1_, l2_;
};
TORCH_MODULE(RitzNet);

}  // namespace enflow::variational::detail
