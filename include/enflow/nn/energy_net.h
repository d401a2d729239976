// Energy networks written once against ad::Var, so that every network gives H(u), ∇H(u)
// and the discrete gradient ∇̄H(u, v). Layers follow LibTorch's Module/holder pattern;
// builders take Options structs with chained setters.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <string>
#include <vector>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/ad/var.h"

namespace enflow::nn {

/// One layer with a discrete rule. Everything composable into an energy derives from it.
class LayerImpl : public torch::nn::Module {
 public:
  virtual ad::Var forward(const ad::Var& x) = 0;
};
using Layer = std::shared_ptr<LayerImpl>;

/// y = x Wᵀ + b over the last dimension.
class LinearImpl : public LayerImpl {
 public:
  /// init: "default" (LibTorch's uniform) or "orthogonal" (as in DGNet/HNN).
  LinearImpl(int64_t in, int64_t out, bool bias = true, const std::string& init = "default");
  /// Takes existing tensors as its parameters, shared rather than copied (weights trained
  /// elsewhere, a PyTorch module's): weight [out, in], bias [out] or undefined.
  LinearImpl(torch::Tensor weight, torch::Tensor bias);
  ad::Var forward(const ad::Var& x) override;
  torch::Tensor weight, bias;
};

/// Circular convolution on a periodic grid of `axes` = 1, 2 or 3 axes:
/// [B, C_in, *grid] → [B, C_out, *grid], the same odd kernel size on every axis.
class PeriodicConvImpl : public LayerImpl {
 public:
  /// init: "default" (uniform ±1/√(in·kernel^axes), bias too) or "orthogonal" (the weight as
  /// an out × (in·kernel^axes) matrix with orthonormal rows or columns, zero bias), as
  /// DGNet's code.
  PeriodicConvImpl(int64_t axes, int64_t in_channels, int64_t out_channels, int64_t kernel,
                   bool bias = true, const std::string& init = "default");
  /// Shares existing tensors as parameters: weight [out, in, kernel...] (axes kernel sizes,
  /// each odd), bias [out] or undefined.
  PeriodicConvImpl(int64_t axes, torch::Tensor weight, torch::Tensor bias);
  ad::Var forward(const ad::Var& x) override;
  int64_t axes() const { return axes_; }
  torch::Tensor weight, bias;

 private:
  int64_t axes_;
};

/// [B, C_in, L] → [B, C_out, L] (1-D periodic grids, DGNet's PDE networks).
class PeriodicConv1dImpl : public PeriodicConvImpl {
 public:
  PeriodicConv1dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, bool bias = true,
                     const std::string& init = "default")
      : PeriodicConvImpl(1, in_channels, out_channels, kernel, bias, init) {}
  PeriodicConv1dImpl(torch::Tensor weight, torch::Tensor bias)
      : PeriodicConvImpl(1, std::move(weight), std::move(bias)) {}
};

/// [B, C_in, H, W] → [B, C_out, H, W], k × k kernel.
class PeriodicConv2dImpl : public PeriodicConvImpl {
 public:
  PeriodicConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, bool bias = true,
                     const std::string& init = "default")
      : PeriodicConvImpl(2, in_channels, out_channels, kernel, bias, init) {}
  PeriodicConv2dImpl(torch::Tensor weight, torch::Tensor bias)
      : PeriodicConvImpl(2, std::move(weight), std::move(bias)) {}
};

/// [B, C_in, D, H, W] → [B, C_out, D, H, W], k × k × k kernel.
class PeriodicConv3dImpl : public PeriodicConvImpl {
 public:
  PeriodicConv3dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, bool bias = true,
                     const std::string& init = "default")
      : PeriodicConvImpl(3, in_channels, out_channels, kernel, bias, init) {}
  PeriodicConv3dImpl(torch::Tensor weight, torch::Tensor bias)
      : PeriodicConvImpl(3, std::move(weight), std::move(bias)) {}
};

/// Elementwise activation by name; an unknown name throws at construction.
class ActivationImpl : public LayerImpl {
 public:
  explicit ActivationImpl(std::string name);
  ad::Var forward(const ad::Var& x) override;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

/// Inserts a dimension of size one (e.g. [B, L] → [B, 1, L] before a convolution).
class UnsqueezeImpl : public LayerImpl {
 public:
  explicit UnsqueezeImpl(int64_t dim) : dim_(dim) {}
  ad::Var forward(const ad::Var& x) override { return ad::unsqueeze(x, dim_); }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

/// Sums every dimension but the batch: one energy per sample (e.g. over grid points).
class SumPerSampleImpl : public LayerImpl {
 public:
  explicit SumPerSampleImpl(double scale = 1.0) : scale_(scale) {}
  ad::Var forward(const ad::Var& x) override { return ad::sum_per_sample(x) * scale_; }
  double scale() const { return scale_; }

 private:
  double scale_;
};

/// Layers applied in order.
class SequentialImpl : public LayerImpl {
 public:
  SequentialImpl() = default;
  void push_back(Layer layer);
  ad::Var forward(const ad::Var& x) override;
  size_t size() const { return layers_.size(); }
  const std::vector<Layer>& layers() const { return layers_; }

 private:
  std::vector<Layer> layers_;
};

/// x + block(x) (ResNet-style skip).
class ResidualImpl : public LayerImpl {
 public:
  explicit ResidualImpl(Layer block);
  ad::Var forward(const ad::Var& x) override;
  const Layer& block() const { return block_; }

 private:
  Layer block_;
};

namespace reverse {
class Plan;
}

/// An energy: a layer stack whose output is one value per sample.
class EnergyNetImpl : public torch::nn::Module {
 public:
  explicit EnergyNetImpl(Layer body);
  /// H(u) for u [B, ...] → [B].
  torch::Tensor forward(const torch::Tensor& u);
  ad::Var energy(const ad::Var& x) { return body_->forward(x); }
  /// The energy as a function for ad::gradient / ad::discrete_gradient.
  ad::EnergyFn fn();

  /// ∇H(u), shape of u; differentiable (parameters, u) with create_graph. Stacks of the
  /// standard layers (Linear, PeriodicConv 1-D/2-D/3-D, activations, residual blocks, sums) use a
  /// hand-written reverse pass; anything else goes through ad::gradient. Same numbers
  /// either way, to rounding.
  torch::Tensor gradient(const torch::Tensor& u, bool create_graph = false);
  /// H(u), H(v) and ∇̄H(u, v) (see ad::discrete_gradient), by the same fast path when
  /// it applies: one forward pass over u and v stacked, one reverse pass.
  ad::DiscreteGradient discrete_gradient(const torch::Tensor& u, const torch::Tensor& v,
                                         bool create_graph = false);
  /// Both routes, for solvers (Newton) that take ad::EnergyDerivatives.
  ad::EnergyDerivatives derivatives();
  /// Whether gradient / discrete_gradient take the hand-written reverse pass.
  bool has_fast_reverse();
  /// Forces the ad::Var route (for tests and benchmarks comparing the two).
  void set_fast_reverse(bool enabled) { fast_enabled_ = enabled; }

 private:
  const reverse::Plan* plan();

  Layer body_;
  std::shared_ptr<const reverse::Plan> plan_;
  bool plan_compiled_ = false;
  bool fast_enabled_ = true;
};
TORCH_MODULE(EnergyNet);

/// Tanh MLP energy: input_dim → hidden... → 1 (DGNet/HNN ODE networks: 2 × 200, orthogonal).
struct MlpOptions {
  explicit MlpOptions(int64_t input_dim) : input_dim_(input_dim) {}
  TORCH_ARG(int64_t, input_dim);
  TORCH_ARG(std::vector<int64_t>, hidden) = {200, 200};
  TORCH_ARG(std::string, activation) = "tanh";
  TORCH_ARG(std::string, init) = "orthogonal";
  /// Wrap each hidden layer after the first in a residual skip (widths must match).
  TORCH_ARG(bool, residual) = false;
};
EnergyNet make_mlp_energy(const MlpOptions& options);

/// Periodic convolutional energy for states on a periodic grid of grid_axes = 1, 2 or 3 axes
/// ([B, L], [B, H, W] or [B, D, H, W]): circular conv (kernel^axes) → act →
/// (1×1 conv → act)×(depth−1) → 1×1 conv to 1 channel → sum over the grid.
/// DGNet's PDE network: 1-D, kernel 3, 200 channels.
struct PeriodicConvOptions {
  TORCH_ARG(int64_t, grid_axes) = 1;
  TORCH_ARG(int64_t, channels) = 200;
  TORCH_ARG(int64_t, kernel) = 3;
  TORCH_ARG(int64_t, depth) = 2;
  TORCH_ARG(std::string, activation) = "tanh";
  TORCH_ARG(std::string, init) = "orthogonal";
};
EnergyNet make_periodic_conv_energy(const PeriodicConvOptions& options);

}  // namespace enflow::nn
