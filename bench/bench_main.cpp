// main() shared by every benchmark: enflow's thread settings (LibTorch and OpenBLAS, see
// include/enflow/runtime.h) first, so benchmarks run as `enflow` itself does, and the
// device of ENFLOW_BENCH_DEVICE checked before any benchmark starts.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <exception>

#include "bench_device.h"
#include "enflow/runtime.h"

int main(int argc, char** argv) {
  enflow::init_threads();
  try {
    enflow::bench::device();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ENFLOW_BENCH_DEVICE: %s\n", e.what());
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
