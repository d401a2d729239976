// One implicit discrete-gradient prediction step of a 2-D periodic_conv DGNet (G = Δ by its
// stencil, the Cahn–Hilliard-like dissipative structure; 8 channels, batch 1, float64) with
// the dense Newton Jacobian against matrix-free Newton–Krylov (GMRES on autograd JVPs).
// Peak memory is the process's peak RSS (VmHWM), so run one case per process:
//   bash bench/newton_krylov_bench.sh        (the table of docs/grids.md)
// arg0: grid n (n × n); arg1: 0 = dense, 1 = GMRES. Δt = 0.1 dx², the same stiffness
// Δt·‖Δ‖ at every n.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <fstream>
#include <string>

#include "enflow/integrators/discrete_gradient_scheme.h"
#include "enflow/models/model.h"

#include "bench_device.h"

namespace {

using namespace enflow;

// A field of /proc/self/status in MiB (0 where unreadable).
double status_mib(const std::string& field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  return 0.0;
}

void BM_NewtonStep(benchmark::State& st) {
  const int64_t n = st.range(0);
  const double dx = 1.0 / static_cast<double>(n), dt = 0.1 * dx * dx;
  torch::manual_seed(0);
  auto m = models::make_model(models::ModelOptions()
                                  .type("dgnet")
                                  .dim(n * n)
                                  .grid({n, n})
                                  .network("periodic_conv")
                                  .channels(8)
                                  .structure("grid_laplacian")
                                  .dx(dx));
  m->to(bench::device(), torch::kFloat64);
  auto u = 0.5 * torch::randn({1, n * n}, torch::dtype(torch::kFloat64).device(bench::device()));
  const auto solver =
      st.range(1) == 0 ? integrators::LinearSolver::kDense : integrators::LinearSolver::kGmres;
  const auto opts = integrators::NewtonOptions().linear_solver(solver);
  auto applyG = [&m](const at::Tensor& g) { return m->apply_structure(g); };
  const double rss_before = status_mib("VmRSS");
  integrators::NewtonReport rep;
  for (auto _ : st) {
    auto u1 =
        integrators::discrete_gradient_step(m->energy_derivatives(), applyG, u, dt, opts, &rep);
    benchmark::DoNotOptimize(u1.data_ptr());
    bench::sync();
  }
  st.counters["rss_before_MiB"] = rss_before;
  st.counters["peak_rss_MiB"] = status_mib("VmHWM");
  st.counters["newton"] = rep.iterations;
  st.counters["jvps"] = rep.jvps;
  st.counters["jacobians"] = rep.jacobians;
}

BENCHMARK(BM_NewtonStep)
    ->ArgsProduct({{16, 32, 64, 128}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
