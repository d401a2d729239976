// Structure operators on 2-D periodic grids applied by stencil (shifted copies) against FFT
// (symbol multiplication), batch 32, float64; GridStencil's default method is the faster.
// Run: ./build/bench/grid_operator_bench
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "enflow/geometry/grid_stencil.h"

#include "bench_device.h"

namespace {

using namespace enflow;
using geometry::GridStencil;

// arg0: 0 = ∂x, 1 = Laplacian, 2 = ∂x Δ; arg1: grid n (n × n); arg2: 0 = stencil, 1 = FFT.
void BM_GridOperator(benchmark::State& st) {
  const int64_t n = st.range(1);
  const geometry::PeriodicGrid grid({n, n}, 1.0 / static_cast<double>(n));
  const auto dx = GridStencil::central_difference(grid, 0);
  const auto lap = GridStencil::laplacian(grid);
  const GridStencil op = st.range(0) == 0 ? dx : st.range(0) == 1 ? lap : dx * lap;
  const auto method =
      st.range(2) == 0 ? geometry::StencilMethod::kStencil : geometry::StencilMethod::kFft;
  torch::manual_seed(0);
  auto u = torch::randn({32, n, n}, torch::dtype(torch::kFloat64).device(bench::device()));
  for (auto _ : st) {
    auto y = op.apply(u, method);
    benchmark::DoNotOptimize(y.data_ptr());
    bench::sync();
  }
  st.counters["coefficients"] = static_cast<double>(op.coefficients().size());
}

BENCHMARK(BM_GridOperator)
    ->ArgsProduct({{0, 1, 2}, {64, 128}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
