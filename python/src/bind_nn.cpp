// Energy networks and automatic discrete differentiation. Tensors cross as torch.Tensor
// (the same objects: no copies), so results stay in PyTorch's autograd graph.
#include <torch/python.h>
#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "enflow/ad/discrete_gradient.h"
#include "enflow/nn/energy_net.h"
#include "enflow/runtime.h"

namespace enflow::python {

namespace {

using namespace pybind11::literals;
using nn::Layer;
using nn::LayerImpl;

at::Tensor or_undefined(const std::optional<at::Tensor>& t) { return t ? *t : at::Tensor(); }

py::tuple discrete_gradient_tuple(const ad::DiscreteGradient& d) {
  return py::make_tuple(d.dgrad, d.H_u, d.H_v);
}

}  // namespace

void bind_nn(py::module_& m) {
  using Release = py::call_guard<py::gil_scoped_release>;

  py::class_<LayerImpl, Layer>(m, "Layer",
                               "A layer with a discrete rule; layers compose into an EnergyNet.")
      .def(
          "parameters", [](LayerImpl& l) { return l.parameters(); },
          "The layer's parameters (the tensors it computes with, not copies).")
      .def(
          "named_parameters",
          [](LayerImpl& l) {
            py::dict d;
            for (const auto& p : l.named_parameters()) d[py::str(p.key())] = p.value();
            return d;
          },
          "Parameters by dotted name.");

  py::class_<nn::LinearImpl, LayerImpl, std::shared_ptr<nn::LinearImpl>>(
      m, "Linear", "y = x Wᵀ + b over the last dimension.")
      .def(py::init<int64_t, int64_t, bool, const std::string&>(), "in_features"_a,
           "out_features"_a, "bias"_a = true, "init"_a = "default")
      .def(py::init([](at::Tensor w, std::optional<at::Tensor> b) {
             return std::make_shared<nn::LinearImpl>(w, or_undefined(b));
           }),
           "weight"_a, "bias"_a = py::none(),
           "Shares the given tensors as parameters: weight [out, in], bias [out].")
      .def_readonly("weight", &nn::LinearImpl::weight)
      .def_readonly("bias", &nn::LinearImpl::bias);

  py::class_<nn::PeriodicConv1dImpl, LayerImpl, std::shared_ptr<nn::PeriodicConv1dImpl>>(
      m, "PeriodicConv1d", "Circular 1-D convolution [B, C_in, L] → [B, C_out, L], odd kernel.")
      .def(py::init<int64_t, int64_t, int64_t, bool, const std::string&>(), "in_channels"_a,
           "out_channels"_a, "kernel"_a, "bias"_a = true, "init"_a = "default")
      .def(py::init([](at::Tensor w, std::optional<at::Tensor> b) {
             return std::make_shared<nn::PeriodicConv1dImpl>(w, or_undefined(b));
           }),
           "weight"_a, "bias"_a = py::none(),
           "Shares the given tensors as parameters: weight [out, in, kernel], bias [out].")
      .def_readonly("weight", &nn::PeriodicConv1dImpl::weight)
      .def_readonly("bias", &nn::PeriodicConv1dImpl::bias);

  py::class_<nn::ActivationImpl, LayerImpl, std::shared_ptr<nn::ActivationImpl>>(
      m, "Activation", "An elementwise function by name (see activation_names()).")
      .def(py::init<std::string>(), "name"_a)
      .def_property_readonly("name", &nn::ActivationImpl::name);

  py::class_<nn::UnsqueezeImpl, LayerImpl, std::shared_ptr<nn::UnsqueezeImpl>>(
      m, "Unsqueeze", "Inserts a dimension of size one ([B, L] → [B, 1, L] with dim=1).")
      .def(py::init<int64_t>(), "dim"_a);

  py::class_<nn::SumPerSampleImpl, LayerImpl, std::shared_ptr<nn::SumPerSampleImpl>>(
      m, "SumPerSample", "Sums every dimension but the batch, times scale: one value per sample.")
      .def(py::init<double>(), "scale"_a = 1.0);

  py::class_<nn::SequentialImpl, LayerImpl, std::shared_ptr<nn::SequentialImpl>>(
      m, "Sequential", "Layers applied in order.")
      .def(py::init([](const std::vector<Layer>& layers) {
             auto s = std::make_shared<nn::SequentialImpl>();
             for (const auto& l : layers) s->push_back(l);
             return s;
           }),
           "layers"_a)
      .def("__len__", &nn::SequentialImpl::size);

  py::class_<nn::ResidualImpl, LayerImpl, std::shared_ptr<nn::ResidualImpl>>(m, "Residual",
                                                                             "x + block(x).")
      .def(py::init<Layer>(), "block"_a);

  py::class_<nn::EnergyNetImpl, std::shared_ptr<nn::EnergyNetImpl>>(
      m, "EnergyNet",
      "An energy H: a layer stack giving one value per sample, with its gradient and its "
      "discrete gradient.")
      .def(py::init<Layer>(), "body"_a)
      .def("__call__", &nn::EnergyNetImpl::forward, "u"_a, Release(), "H(u) for u [B, ...]: [B].")
      .def("gradient", &nn::EnergyNetImpl::gradient, "u"_a, "create_graph"_a = false, Release(),
           "∇H(u), shape of u.")
      .def(
          "discrete_gradient",
          [](nn::EnergyNetImpl& net, const at::Tensor& u, const at::Tensor& v, bool create_graph) {
            ad::DiscreteGradient d;
            {
              py::gil_scoped_release release;
              d = net.discrete_gradient(u, v, create_graph);
            }
            return discrete_gradient_tuple(d);
          },
          "u"_a, "v"_a, "create_graph"_a = false,
          "(∇̄H(u, v), H(u), H(v)): H(u) − H(v) = Σ ∇̄H·(u − v) per sample, exactly.")
      .def(
          "parameters", [](nn::EnergyNetImpl& n) { return n.parameters(); },
          "The parameters (shared with the network: train them with any torch.optim).")
      .def(
          "named_parameters",
          [](nn::EnergyNetImpl& n) {
            py::dict d;
            for (const auto& p : n.named_parameters()) d[py::str(p.key())] = p.value();
            return d;
          },
          "Parameters by dotted name.")
      .def(
          "to",
          [](nn::EnergyNetImpl& n, const std::string& dtype) {
            n.to(parse_dtype(dtype));
            return &n;
          },
          "dtype"_a, py::return_value_policy::reference_internal,
          "Converts the parameters in place (float32 / float64).")
      .def("has_fast_reverse", &nn::EnergyNetImpl::has_fast_reverse,
           "Whether the hand-written reverse pass applies (standard layer stacks).")
      .def("set_fast_reverse", &nn::EnergyNetImpl::set_fast_reverse, "enabled"_a,
           "Forces the generic automatic-discrete-differentiation route when False.");

  m.def(
      "mlp_energy",
      [](int64_t input_dim, std::vector<int64_t> hidden, const std::string& activation,
         const std::string& init, bool residual) {
        return nn::make_mlp_energy(nn::MlpOptions(input_dim)
                                       .hidden(std::move(hidden))
                                       .activation(activation)
                                       .init(init)
                                       .residual(residual))
            .ptr();
      },
      "input_dim"_a, "hidden"_a = std::vector<int64_t>{200, 200}, "activation"_a = "tanh",
      "init"_a = "orthogonal", "residual"_a = false);
  m.def(
      "periodic_conv_energy",
      [](int64_t channels, int64_t kernel, int64_t depth, const std::string& activation,
         const std::string& init, int64_t grid_axes) {
        return nn::make_periodic_conv_energy(nn::PeriodicConvOptions()
                                                 .grid_axes(grid_axes)
                                                 .channels(channels)
                                                 .kernel(kernel)
                                                 .depth(depth)
                                                 .activation(activation)
                                                 .init(init))
            .ptr();
      },
      "channels"_a = 200, "kernel"_a = 3, "depth"_a = 2, "activation"_a = "tanh",
      "init"_a = "orthogonal", "grid_axes"_a = 1);
  m.def("activation_names", &ad::activation_names);
}

}  // namespace enflow::python
