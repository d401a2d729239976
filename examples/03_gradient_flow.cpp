// Step 3: solve a gradient flow. EVNN (Hu, Liu, Wang, Xu): the heat equation on [0, 1]² as
// the L² flow of F[u] = ∫ ½|∇u|², one minimizing-movement step at a time over a network's
// parameters; the discrete energy never increases. The problem is a TOML config, as for
// `enflow solve`.
#include <cstdio>

#include "enflow/enflow.h"

int main() {
  using namespace enflow;
  const auto config = io::Config::parse(R"(
    [problem]
    kind = "evnn_heat"
    dim = 2
    [net]
    width = 16
    [quadrature]
    n = 12
    [time]
    tau = 1e-3
    steps = 5
    [optimizer]
    max_iter = 50
    fit_iter = 300
    [output]
    error_every = 5
  )");
  // Every long loop reports an enflow::Progress; for EVNN, loss is the discrete energy.
  const auto r = flows::run_evnn(config, [](const Progress& p) {
    std::printf("  step %lld/%lld  energy %.8g\n", static_cast<long long>(p.iteration),
                static_cast<long long>(p.iterations), p.loss);
  });
  std::printf("energy %.8g -> %.8g, %lld increases; relative L2 error at t = %.3g: %.3e\n",
              r.energy.front(), r.energy.back(), static_cast<long long>(r.energy_increases),
              r.error_t.back(), r.error.back());
  return r.energy_increases == 0 ? 0 : 1;
}
