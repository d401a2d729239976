// enflow's side of the PyTorch comparison (docs/performance.md, scripts/bench-compare.sh):
// training iterations of DGNet (discrete-gradient loss) and of HNN / HNN++ through RK2 and
// Dormand–Prince, prediction steps (Newton on the implicit scheme, RK4), and the machine's
// matrix-multiply rate, all through the library's own code paths (learn::train,
// models::predict_step). Cases and data match bench/pytorch/dgnet_reference.py.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "enflow/integrators/adaptive.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/runtime.h"

#include "bench_device.h"

namespace {

using namespace enflow;

struct Case {
  const char* name;
  bool conv;
  int64_t dim;
  const char* structure;
  c10::ScalarType dtype;
  int64_t pairs, batch;  // batch 0: full batch
  double dt, dx;
  std::vector<int64_t> grid = {};  // a 2-D grid [ny, nx] (dim = ny nx), else 1-D / ODE
  int64_t channels = 200;          // periodic_conv width
};

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"mass_spring", false, 2, "symplectic", torch::kFloat32, 2475, 0, 20.0 / 99, 1.0},
      {"two_body", false, 8, "symplectic", torch::kFloat32, 2000, 200, 0.2, 1.0},
      {"kdv", true, 50, "D", torch::kFloat64, 2000, 200, 1e-3, 10.0 / 50},
      {"cahn_hilliard", true, 50, "D2", torch::kFloat64, 2000, 200, 1e-4, 1.0 / 50},
      // 2-D (issue 31): 32 x 32 grid, 3 x 3 conv energy of 16 channels, G = Δ_h, batch 16.
      {"cahn_hilliard_2d",
       true,
       1024,
       "grid_laplacian",
       torch::kFloat64,
       512,
       16,
       1e-4,
       1.0 / 32,
       {32, 32},
       16},
  };
  return c;
}

const char* kSchemes[] = {"dg", "rk2", "dopri5"};

using bench::device;
using bench::sync;

// The same deterministic pairs as the Python reference.
learn::PairSet case_pairs(const Case& c) {
  auto i = torch::arange(c.pairs, torch::kFloat64).view({-1, 1});
  auto j = torch::arange(c.dim, torch::kFloat64).view({1, -1});
  auto u0 = 0.8 * torch::sin(0.37 * i + 1.3 * j);
  auto u1 = u0 + c.dt * 0.5 * torch::cos(0.23 * i + 0.7 * j);
  const auto o = torch::TensorOptions().dtype(c.dtype).device(device());
  return {u0.to(o), u1.to(o), torch::full({c.pairs}, c.dt, o), at::Tensor()};  // no times
}

models::DynamicsModel case_model(const Case& c, const std::string& scheme) {
  torch::manual_seed(0);
  auto o = models::ModelOptions()
               .type(scheme == "dg" ? "dgnet" : (c.conv ? "hnn++" : "hnn"))
               .dim(c.dim)
               .network(c.conv ? "periodic_conv" : "mlp")
               .structure(c.structure)
               .dx(c.dx)
               .grid(c.grid)
               .channels(c.channels);
  auto m = models::make_model(o);
  m->to(device(), c.dtype);
  return m;
}

models::StepOptions step_options(const std::string& scheme) {
  return models::StepOptions().integrator(scheme == "dg" ? "discrete_gradient" : scheme);
}

// args: {case, scheme}. One benchmark iteration = `kChunk` training iterations of
// learn::train (Adam, batch sampling, loss, backward, step).
void BM_Train(benchmark::State& st) {
  const auto& c = cases()[st.range(0)];
  const std::string scheme = kSchemes[st.range(1)];
  st.SetLabel(std::string(c.name) + "/" + scheme);
  auto model = case_model(c, scheme);
  auto pairs = case_pairs(c);
  constexpr int64_t kChunk = 3;
  auto opts = learn::TrainOptions().batch(c.batch).iterations(kChunk).log_every(0).step(
      step_options(scheme));
  learn::train(*model, pairs, opts.iterations(1));  // warm-up: allocations, plan compilation
  opts.iterations(kChunk);
  for (auto _ : st) {
    learn::train(*model, pairs, opts);
    sync();
  }
  st.counters["it/s"] = benchmark::Counter(static_cast<double>(kChunk),
                                           benchmark::Counter::kIsIterationInvariantRate);
  if (scheme == "dopri5") {
    // Substeps the adaptive step takes on this batch (the work per iteration scales with it).
    integrators::Dopri5Report rep;
    const int64_t B = c.batch > 0 ? c.batch : c.pairs;
    auto u = pairs.u0.narrow(0, 0, B);
    integrators::dopri5_step(
        [&](const at::Tensor& x) { return c.dt * model->time_derivative(x, false); }, u, 1.0,
        integrators::Dopri5Options(), &rep);
    st.counters["substeps"] = rep.substeps;
    st.counters["rejected"] = rep.rejected;
  }
}

// Initial states of the prediction benchmarks: 15 (ODEs), 10 (PDEs), as in the paper's
// evaluation.
at::Tensor prediction_states(const Case& c) {
  return case_pairs(c).u0.narrow(0, 0, c.conv ? 10 : 15).clone();
}

// args: {case, method: 0 = Newton on the discrete-gradient scheme, 1 = RK4}.
void BM_Predict(benchmark::State& st) {
  const auto& c = cases()[st.range(0)];
  const bool newton = st.range(1) == 0;
  st.SetLabel(std::string(c.name) + (newton ? "/newton" : "/rk4"));
  auto model = case_model(c, "dg");
  auto x = prediction_states(c);
  auto o = step_options(newton ? "dg" : "rk4");
  models::predict_step(*model, x, c.dt, o);
  for (auto _ : st) {
    benchmark::DoNotOptimize(models::predict_step(*model, x, c.dt, o).data_ptr());
    sync();
  }
}

// args: {case, reuse}. A 10-step implicit rollout: reuse 0 computes Newton's Jacobian
// afresh at every step, reuse 1 carries it from step to step (models::rollout's
// workspace). Time per step.
void BM_Rollout(benchmark::State& st) {
  const auto& c = cases()[st.range(0)];
  const bool reuse = st.range(1) == 1;
  st.SetLabel(std::string(c.name) + (reuse ? "/jacobian-carried" : "/jacobian-per-step"));
  auto model = case_model(c, "dg");
  auto x = prediction_states(c);
  auto o = step_options("dg");
  constexpr int64_t kSteps = 10;
  auto t = torch::arange(kSteps + 1, torch::kFloat64) * c.dt;  // times stay on the host
  auto run = [&]() -> at::Tensor {
    if (reuse) return models::rollout(*model, x, t, o);
    auto u = x;
    for (int64_t k = 0; k < kSteps; ++k) u = models::predict_step(*model, u, c.dt, o);
    return u;
  };
  run();
  for (auto _ : st) {
    benchmark::DoNotOptimize(run().data_ptr());
    sync();
  }
  st.counters["ms/step"] = benchmark::Counter(
      1e-3 * kSteps, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// Matrix-multiply rate (n × n, float32 and float64): the machine's peak that GFLOP/s figures
// are compared with, so on all threads (init_threads keeps OpenBLAS on the calling thread for
// the training steps, see runtime.h).
// On a GPU 1024 is far from the peak, so the GPU multiplies 8192 × 8192 matrices.
void BM_Matmul(benchmark::State& st) {
  const int64_t n = device().is_cuda() ? 8192 : st.range(0);
  auto dtype = st.range(1) == 32 ? torch::kFloat32 : torch::kFloat64;
  const auto o = torch::TensorOptions().dtype(dtype).device(device());
  auto a = torch::randn({n, n}, o), b = torch::randn({n, n}, o);
  const int blas = blas_threads();
  set_blas_threads(torch::get_num_threads());
  torch::mm(a, b);
  sync();
  for (auto _ : st) {
    benchmark::DoNotOptimize(torch::mm(a, b).data_ptr());
    sync();
  }
  set_blas_threads(blas);
  st.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_Train)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// The 2-D case: DGNet training only (bench/pytorch: --cases cahn_hilliard_2d --schemes dg).
BENCHMARK(BM_Train)->Args({4, 0})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Predict)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Rollout)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Matmul)->ArgsProduct({{1024}, {32, 64}})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
