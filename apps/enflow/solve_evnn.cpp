// `enflow solve --config configs/evnn/*.toml`: the EVNN gradient-flow solvers (Eulerian and
// Lagrangian) register their problem kinds here; the library does the work (flows/evnn.h).
#include <fmt/core.h>

#include <chrono>
#include <string>

#include "enflow/flows/evnn.h"
#include "enflow/io/config.h"
#include "enflow/runtime.h"
#include "solve_registry.h"

namespace enflow::cli {
namespace {

int run_kind(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  // These networks are small: one thread is fastest, and far faster on a shared, loaded
  // machine. --threads or run.threads asks for more.
  init_threads(common.threads > 0 ? common.threads
                                  : static_cast<int>(cfg.get_int("run.threads", 1)));
  const auto start = std::chrono::steady_clock::now();
  flows::EvnnProgress progress;
  if (!common.json) {
    progress = [start](const flows::StepReport& r, int64_t steps) {
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress_line(fmt::format("  step {:>5}/{}  energy {:.10g}{}  {:6.2f} s/step  {:6.1f} s left",
                                r.step, steps, r.energy_after, r.accepted ? "" : " (rejected)",
                                el / r.step, (steps - r.step) * el / r.step));
    };
  }
  // The set-up (quadrature, initial fit) can take a while before the first step reports.
  if (!common.json) progress_line("  setting up " + cfg.get_string("problem.kind", "") + " ...");
  const auto r = flows::run_evnn(cfg, progress);
  const auto files = flows::write_evnn_outputs(r, out_dir, cfg.to_toml());
  if (common.json) {
    fmt::print("{}\n", flows::evnn_summary_json(r));
    return 0;
  }
  end_progress_line();
  fmt::print("{} ({}), seed {}, {} steps of tau = {}\n", r.kind, r.frame, r.seed,
             r.step_seconds.size(), r.tau);
  fmt::print("  discrete energy  {:.10g} -> {:.10g}  (increases: {}, rejected steps: {})\n",
             r.energy.front(), r.energy.back(), r.energy_increases, r.rejected);
  fmt::print("  wall time {:.2f} s, {:.3f} s per step\n", r.wall_seconds,
             r.wall_seconds / std::max<size_t>(1, r.step_seconds.size()));
  for (size_t i = 0; i < r.error.size(); ++i) {
    fmt::print("  t = {:<10.4g} relative L2 error {:.4e}", r.error_t[i], r.error[i]);
    if (!r.sym_kl.empty()) fmt::print("   symmetric KL {:.4e}", r.sym_kl[i]);
    fmt::print("\n");
  }
  for (const auto& m : r.metrics) fmt::print("  {:<24} {:.6g}\n", m.first, m.second);
  for (const auto& f : files) fmt::print("  wrote {}\n", f);
  return 0;
}

const SolverRegistrar r1("evnn_poisson_square", flows::evnn_kinds()[0].second, run_kind);
const SolverRegistrar r2("evnn_poisson_disk", flows::evnn_kinds()[1].second, run_kind);
const SolverRegistrar r3("evnn_poisson_highdim", flows::evnn_kinds()[2].second, run_kind);
const SolverRegistrar r4("evnn_heat", flows::evnn_kinds()[3].second, run_kind);
const SolverRegistrar r5("evnn_allen_cahn", flows::evnn_kinds()[4].second, run_kind);
const SolverRegistrar r6("evnn_fokker_planck", flows::evnn_kinds()[5].second, run_kind);
const SolverRegistrar r7("evnn_porous_medium", flows::evnn_kinds()[6].second, run_kind);

}  // namespace
}  // namespace enflow::cli
