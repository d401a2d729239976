// main() shared by every benchmark: enflow's thread settings (LibTorch and OpenBLAS, see
// include/enflow/runtime.h) first, so benchmarks run as `enflow` itself does.
#include <benchmark/benchmark.h>

#include "enflow/runtime.h"

int main(int argc, char** argv) {
  enflow::init_threads();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
