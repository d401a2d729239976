// Scalar fields u_θ : [N, d] → [N] for the solvers that learn a function of space — the
// EVNN Eulerian field, the committor, Deep Ritz: a multilayer perceptron or a residual
// network, one class for all three (each keeps its own initialization, so results match
// what each solver gave with its former network bit for bit).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace enflow::nn {

enum class ScalarArch {
  kMlp,     ///< x → [Linear, act] per hidden width → Linear(1)
  kResnet,  ///< Linear(d, width), blocks y ← y + act(L₂ act(L₁ y)), Linear(width, 1)
};
enum class ScalarActivation {
  kTanh,
  kRelu3,  ///< max(x, 0)³ (Deep Ritz)
};
enum class ScalarInit {
  kGlorot,    ///< float64 weights U(±√(6/(in + out))), zero biases
  kLibTorch,  ///< torch::nn::Linear's (Kaiming-uniform weights and biases, default dtype)
};

/// "mlp" | "resnet" ("shallow" is accepted for mlp: the EVNN configs' name), "tanh" | "relu3";
/// throw std::invalid_argument "unknown <key> 'x'; known: ...".
ScalarArch scalar_arch_from_string(const std::string& name, const std::string& key);
ScalarActivation scalar_activation_from_string(const std::string& name, const std::string& key);
/// The config name of an activation ("tanh", "relu3").
const char* to_string(ScalarActivation activation);

struct ScalarNetOptions {
  explicit ScalarNetOptions(int64_t in_dim) : in_dim_(in_dim) {}
  TORCH_ARG(int64_t, in_dim);
  TORCH_ARG(ScalarArch, arch) = ScalarArch::kMlp;
  /// kMlp: the hidden widths (at least one).
  TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t>{32};
  /// kResnet: the width and the number of residual blocks (0: an affine-then-linear map).
  TORCH_ARG(int64_t, width) = 32;
  TORCH_ARG(int64_t, blocks) = 1;
  TORCH_ARG(ScalarActivation, activation) = ScalarActivation::kTanh;
  TORCH_ARG(ScalarInit, init) = ScalarInit::kGlorot;
  /// u = sigmoid(network): values in (0, 1).
  TORCH_ARG(bool, sigmoid) = false;
  /// The network reads (x − shift)/scale ([d] each; undefined: x as it is).
  TORCH_ARG(at::Tensor, input_shift);
  TORCH_ARG(at::Tensor, input_scale);
};

class ScalarNetImpl : public torch::nn::Module {
 public:
  /// Throws std::invalid_argument for in_dim, widths or blocks out of range.
  explicit ScalarNetImpl(const ScalarNetOptions& options);
  /// x [N, d] → [N].
  at::Tensor forward(const at::Tensor& x);
  const ScalarNetOptions& options() const { return options_; }

 private:
  at::Tensor act(const at::Tensor& x) const;
  ScalarNetOptions options_;
  std::vector<at::Tensor> w_, b_;
  at::Tensor shift_, scale_;
};
TORCH_MODULE(ScalarNet);

}  // namespace enflow::nn
