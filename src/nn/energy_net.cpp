#include "enflow/nn/energy_net.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "nn/reverse_pass.h"

namespace enflow::nn {

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias, const std::string& init) {
  if (in <= 0 || out <= 0) throw std::invalid_argument("Linear: sizes must be positive");
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
  if (init == "orthogonal") {
    torch::NoGradGuard no_grad;
    torch::nn::init::orthogonal_(weight);
  } else if (init != "default") {
    throw std::invalid_argument("Linear: unknown init '" + init + "' (use default or orthogonal)");
  }
  if (with_bias) bias = register_parameter("bias", torch::zeros({out}));
}

LinearImpl::LinearImpl(torch::Tensor w, torch::Tensor b) {
  if (!w.defined() || w.dim() != 2)
    throw std::invalid_argument("Linear: the weight must be a matrix [out, in]");
  if (b.defined() && (b.dim() != 1 || b.size(0) != w.size(0)))
    throw std::invalid_argument("Linear: the bias must be a vector of the weight's rows (" +
                                std::to_string(w.size(0)) + ")");
  weight = register_parameter("weight", std::move(w));
  if (b.defined()) bias = register_parameter("bias", std::move(b));
}

ad::Var LinearImpl::forward(const ad::Var& x) { return ad::linear(x, weight, bias); }

namespace {
std::string conv_name(int64_t axes) { return "PeriodicConv" + std::to_string(axes) + "d"; }
}  // namespace

PeriodicConvImpl::PeriodicConvImpl(int64_t axes, int64_t in_channels, int64_t out_channels,
                                   int64_t kernel, bool with_bias, const std::string& init)
    : axes_(axes) {
  if (axes < 1 || axes > 3) throw std::invalid_argument("PeriodicConv: grids have 1, 2 or 3 axes");
  const auto name = conv_name(axes);
  if (kernel <= 0 || kernel % 2 == 0) {
    throw std::invalid_argument(name + ": kernel size must be odd and positive, got " +
                                std::to_string(kernel));
  }
  if (in_channels < 1 || out_channels < 1)
    throw std::invalid_argument(name + ": channel counts must be positive");
  if (init != "default" && init != "orthogonal") {
    throw std::invalid_argument(name + ": unknown init '" + init + "' (use default or orthogonal)");
  }
  std::vector<int64_t> shape{out_channels, in_channels};
  int64_t fan_in = in_channels;
  for (int64_t i = 0; i < axes; ++i) {
    shape.push_back(kernel);
    fan_in *= kernel;
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  weight = register_parameter("weight", torch::empty(shape).uniform_(-bound, bound));
  if (init == "orthogonal") {
    torch::NoGradGuard no_grad;
    torch::nn::init::orthogonal_(weight);  // flattens to out × (in·kernel^axes)
  }
  if (with_bias) {
    bias = register_parameter("bias", init == "orthogonal"
                                          ? torch::zeros({out_channels})
                                          : torch::empty({out_channels}).uniform_(-bound, bound));
  }
}

PeriodicConvImpl::PeriodicConvImpl(int64_t axes, torch::Tensor w, torch::Tensor b) : axes_(axes) {
  if (axes < 1 || axes > 3) throw std::invalid_argument("PeriodicConv: grids have 1, 2 or 3 axes");
  const auto name = conv_name(axes);
  bool odd = w.defined() && w.dim() == axes + 2;
  for (int64_t i = 0; odd && i < axes; ++i) odd = w.size(2 + i) % 2 == 1;
  if (!odd) {
    throw std::invalid_argument(name + ": the weight must be [out, in] followed by " +
                                std::to_string(axes) + " odd kernel size(s)");
  }
  if (b.defined() && (b.dim() != 1 || b.size(0) != w.size(0)))
    throw std::invalid_argument(name + ": the bias must be a vector of the weight's " +
                                std::to_string(w.size(0)) + " output channels");
  weight = register_parameter("weight", std::move(w));
  if (b.defined()) bias = register_parameter("bias", std::move(b));
}

ad::Var PeriodicConvImpl::forward(const ad::Var& x) {
  switch (axes_) {
    case 1:
      return ad::conv1d_circular(x, weight, bias);
    case 2:
      return ad::conv2d_circular(x, weight, bias);
    default:
      return ad::conv3d_circular(x, weight, bias);
  }
}

ActivationImpl::ActivationImpl(std::string name) : name_(std::move(name)) {
  // Validate now, not at the first forward pass.
  ad::activation(name_, ad::Var(torch::zeros({1})));
}

ad::Var ActivationImpl::forward(const ad::Var& x) { return ad::activation(name_, x); }

void SequentialImpl::push_back(Layer layer) {
  register_module(std::to_string(layers_.size()), layer);
  layers_.push_back(std::move(layer));
}

ad::Var SequentialImpl::forward(const ad::Var& x) {
  ad::Var y = x;
  for (auto& l : layers_) y = l->forward(y);
  return y;
}

ResidualImpl::ResidualImpl(Layer block) : block_(register_module("block", std::move(block))) {}

ad::Var ResidualImpl::forward(const ad::Var& x) { return x + block_->forward(x); }

EnergyNetImpl::EnergyNetImpl(Layer body) : body_(register_module("body", std::move(body))) {}

torch::Tensor EnergyNetImpl::forward(const torch::Tensor& u) { return ad::energy(fn(), u); }

ad::EnergyFn EnergyNetImpl::fn() {
  return [this](const ad::Var& x) { return body_->forward(x); };
}

const reverse::Plan* EnergyNetImpl::plan() {
  if (!plan_compiled_) {  // the layer structure is fixed at construction
    plan_ = reverse::compile(*body_);
    plan_compiled_ = true;
  }
  return fast_enabled_ ? plan_.get() : nullptr;
}

ad::EnergyDerivatives EnergyNetImpl::derivatives() {
  return {[this](const torch::Tensor& u, bool cg) { return gradient(u, cg); },
          [this](const torch::Tensor& u, const torch::Tensor& v, bool cg) {
            return discrete_gradient(u, v, cg);
          }};
}

bool EnergyNetImpl::has_fast_reverse() { return plan() != nullptr; }

torch::Tensor EnergyNetImpl::gradient(const torch::Tensor& u, bool create_graph) {
  if (const auto* p = plan()) return reverse::gradient(*p, u, create_graph).second;
  return ad::gradient(fn(), u, create_graph);
}

ad::DiscreteGradient EnergyNetImpl::discrete_gradient(const torch::Tensor& u,
                                                      const torch::Tensor& v, bool create_graph) {
  ad::check_pair(u, v, "discrete_gradient");
  if (const auto* p = plan()) return reverse::discrete_gradient(*p, u, v, create_graph);
  return ad::discrete_gradient(fn(), u, v, create_graph);
}

EnergyNet make_mlp_energy(const MlpOptions& o) {
  if (o.hidden().empty()) throw std::invalid_argument("MLP energy: at least one hidden layer");
  if (o.input_dim() < 1) throw std::invalid_argument("MLP energy: input dimension must be >= 1");
  for (const int64_t h : o.hidden())
    if (h < 1) throw std::invalid_argument("MLP energy: hidden sizes must be >= 1");
  auto seq = std::make_shared<SequentialImpl>();
  int64_t width = o.input_dim();
  for (size_t i = 0; i < o.hidden().size(); ++i) {
    const int64_t h = o.hidden()[i];
    if (o.residual() && i > 0 && h == width) {
      auto block = std::make_shared<SequentialImpl>();
      block->push_back(std::make_shared<LinearImpl>(width, h, true, o.init()));
      block->push_back(std::make_shared<ActivationImpl>(o.activation()));
      seq->push_back(std::make_shared<ResidualImpl>(block));
    } else {
      seq->push_back(std::make_shared<LinearImpl>(width, h, true, o.init()));
      seq->push_back(std::make_shared<ActivationImpl>(o.activation()));
    }
    width = h;
  }
  seq->push_back(std::make_shared<LinearImpl>(width, 1, false, o.init()));
  seq->push_back(std::make_shared<SumPerSampleImpl>());
  return EnergyNet(seq);
}

EnergyNet make_periodic_conv_energy(const PeriodicConvOptions& o) {
  if (o.depth() < 1) throw std::invalid_argument("periodic conv energy: depth must be >= 1");
  // LibTorch divides by the channel count when it initializes (a SIGFPE at 0).
  if (o.channels() < 1) throw std::invalid_argument("periodic conv energy: channels must be >= 1");
  const int64_t axes = o.grid_axes();
  if (axes < 1 || axes > 3)
    throw std::invalid_argument("periodic conv energy: grid_axes must be 1, 2 or 3");
  // The concrete class per axis count, so callers (and Python) see PeriodicConv{1,2,3}d.
  auto conv = [&](int64_t in, int64_t out, int64_t kernel, bool bias) -> Layer {
    if (axes == 1) return std::make_shared<PeriodicConv1dImpl>(in, out, kernel, bias, o.init());
    if (axes == 2) return std::make_shared<PeriodicConv2dImpl>(in, out, kernel, bias, o.init());
    return std::make_shared<PeriodicConv3dImpl>(in, out, kernel, bias, o.init());
  };
  auto seq = std::make_shared<SequentialImpl>();
  seq->push_back(std::make_shared<UnsqueezeImpl>(1));
  seq->push_back(conv(1, o.channels(), o.kernel(), true));
  seq->push_back(std::make_shared<ActivationImpl>(o.activation()));
  for (int64_t i = 1; i < o.depth(); ++i) {
    seq->push_back(conv(o.channels(), o.channels(), 1, true));
    seq->push_back(std::make_shared<ActivationImpl>(o.activation()));
  }
  seq->push_back(conv(o.channels(), 1, 1, false));
  seq->push_back(std::make_shared<SumPerSampleImpl>());
  return EnergyNet(seq);
}

}  // namespace enflow::nn
