// Cost of the discrete gradient against the ordinary gradient of the same network, with
// and without the graph kept for training (create_graph). Run:
//   ./build/bench/discrete_gradient_bench --benchmark_counters_tabular=true
// and compare each DiscreteGradient row with the Gradient row of the same arguments.
// Grid energies (kinds 2 and 3, issue 31): ./build/bench/discrete_gradient_bench
//   --benchmark_filter='/[23]/'.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/nn/energy_net.h"

#include "bench_device.h"

namespace {

using namespace enflow;

using bench::device;
using bench::sync;

struct Setup {
  nn::EnergyNet net{nullptr};
  torch::Tensor u, v;
};

// arg0: 0 = 2-200-200-1 tanh MLP (batch 1000), 1 = periodic conv, 200 channels, 50-point
// grid (batch 200, KdV-sized), 2 = 2-D periodic conv, 64 channels, 64×64 grid, batch 32,
// 3 = 3-D periodic conv, 64 channels, 32³ grid, batch 4 (the same 131072 grid points).
Setup make(int64_t kind) {
  torch::manual_seed(0);
  Setup s;
  if (kind == 0) {
    s.net = nn::make_mlp_energy(nn::MlpOptions(2));
    s.u = torch::randn({1000, 2}, torch::kFloat64);
  } else if (kind == 1) {
    s.net = nn::make_periodic_conv_energy(nn::PeriodicConvOptions());
    s.u = torch::randn({200, 50}, torch::kFloat64);
  } else {
    s.net = nn::make_periodic_conv_energy(nn::PeriodicConvOptions().grid_axes(kind).channels(64));
    s.u = kind == 2 ? torch::randn({32, 64, 64}, torch::kFloat64)
                    : torch::randn({4, 32, 32, 32}, torch::kFloat64);
  }
  s.net->to(device(), torch::kFloat64);
  s.u = s.u.to(device());
  s.v = s.u + 0.01 * torch::randn_like(s.u);
  return s;
}

void BM_Gradient(benchmark::State& st) {
  auto s = make(st.range(0));
  const bool graph = st.range(1);
  const bool fast = st.range(2);
  auto H = s.net->fn();
  for (auto _ : st) {
    auto g = fast ? s.net->gradient(s.u, graph) : ad::gradient(H, s.u, graph);
    if (graph) g.sum().backward();
    benchmark::DoNotOptimize(g.data_ptr());
    sync();
  }
}

void BM_DiscreteGradient(benchmark::State& st) {
  auto s = make(st.range(0));
  const bool graph = st.range(1);
  const bool fast = st.range(2);
  auto H = s.net->fn();
  for (auto _ : st) {
    auto dg = fast ? s.net->discrete_gradient(s.u, s.v, graph).dgrad
                   : ad::discrete_gradient(H, s.u, s.v, graph).dgrad;
    if (graph) dg.sum().backward();
    benchmark::DoNotOptimize(dg.data_ptr());
    sync();
  }
}

// {network kind, with backward through the gradient (training), path: 0 = generic
// tape (ad::), 1 = compiled reverse pass of the network (EnergyNet::gradient)}
BENCHMARK(BM_Gradient)->ArgsProduct({{0, 1}, {0, 1}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiscreteGradient)
    ->ArgsProduct({{0, 1}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond);
// 2-D and 3-D grids (issue 31); registered apart so the rows above keep their order.
BENCHMARK(BM_Gradient)->ArgsProduct({{2, 3}, {0, 1}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiscreteGradient)
    ->ArgsProduct({{2, 3}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
