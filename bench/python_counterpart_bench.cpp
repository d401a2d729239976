// The C++ side of the Python package's overhead benchmark (bench/python/python_overhead.py,
// docs/python.md): exactly the operations that script times from Python, written against the
// library directly. The 2-200-200-1 tanh MLP on DGNet's mass-spring pairs (2475, full batch,
// the same deterministic pairs as bench/pytorch/dgnet_reference.py):
//   BM_PyCounterpartDiscreteGradient/{0: float32, 1: float64}: ∇̄H(u1, u0), no graph;
//   BM_PyCounterpartTrainIteration/{0, 1}: one DGNet iteration of a hand-written loop —
//     zero_grad, ∇̄H(u1, u0) with the graph, ‖(u1 − u0)/dt − J ∇̄H‖² mean, backward, Adam step.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_device.h"
#include "enflow/nn/energy_net.h"

namespace {

using namespace enflow;

struct Pairs {
  torch::Tensor u0, u1, J;
  double dt = 20.0 / 99;
};

Pairs mass_spring_pairs(c10::ScalarType dtype) {
  const int64_t n = 2475, d = 2;
  Pairs p;
  auto i = torch::arange(n, torch::kFloat64).view({-1, 1});
  auto j = torch::arange(d, torch::kFloat64).view({1, -1});
  auto u0 = 0.8 * torch::sin(0.37 * i + 1.3 * j);
  auto u1 = u0 + p.dt * 0.5 * torch::cos(0.23 * i + 0.7 * j);
  const auto o = torch::TensorOptions().dtype(dtype).device(bench::device());
  p.u0 = u0.to(o);
  p.u1 = u1.to(o);
  p.J = torch::tensor({0.0, 1.0, -1.0, 0.0}, o).view({2, 2});
  return p;
}

nn::EnergyNet mlp(c10::ScalarType dtype) {
  torch::manual_seed(0);
  auto net = nn::make_mlp_energy(nn::MlpOptions(2));
  net->to(bench::device(), dtype);
  return net;
}

c10::ScalarType dtype_arg(const benchmark::State& st) {
  return st.range(0) == 0 ? torch::kFloat32 : torch::kFloat64;
}

void BM_PyCounterpartDiscreteGradient(benchmark::State& st) {
  const auto p = mass_spring_pairs(dtype_arg(st));
  auto net = mlp(dtype_arg(st));
  for (auto _ : st) {
    auto dg = net->discrete_gradient(p.u1, p.u0, false).dgrad;
    benchmark::DoNotOptimize(dg.data_ptr());
    bench::sync();
  }
}

void BM_PyCounterpartTrainIteration(benchmark::State& st) {
  const auto p = mass_spring_pairs(dtype_arg(st));
  auto net = mlp(dtype_arg(st));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  const auto target = (p.u1 - p.u0) / p.dt;
  for (auto _ : st) {
    opt.zero_grad();
    auto dg = net->discrete_gradient(p.u1, p.u0, true).dgrad;
    auto loss = (target - dg.matmul(p.J.t())).pow(2).mean();
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.item<double>());
  }
}

BENCHMARK(BM_PyCounterpartDiscreteGradient)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PyCounterpartTrainIteration)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
