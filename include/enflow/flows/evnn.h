// EVNN runs from a TOML config: builds the problem, the network or flow map and the solver,
// steps it, and records the discrete energy at every step, the wall time per step, the relative
// L² error against the exact solution at chosen times and solution snapshots. Used by
// `enflow solve` (problem.kind = "evnn_*") and `enflow reproduce evnn`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "enflow/flows/eulerian.h"
#include "enflow/io/key_spec.h"
#include "enflow/progress.h"
#include "enflow/registry.h"
#include "enflow/run.h"

namespace enflow::io {
class Config;
}
namespace enflow::distributed {
class Group;
}

namespace enflow::flows {

struct Snapshot {
  std::string label;
  std::vector<double> x, y;
};

struct EvnnResult {
  std::string kind, frame;  ///< frame: "eulerian" or "lagrangian"
  uint64_t seed = 0;
  double tau = 0;
  std::vector<double> t;             ///< t[0] = 0, one entry per step after
  std::vector<double> energy;        ///< discrete energy at t[k]
  std::vector<double> step_seconds;  ///< wall time of step k (size steps)
  std::vector<int> accepted;         ///< 1 accepted, 0 rejected (size steps)
  int64_t rejected = 0;
  int64_t energy_increases = 0;        ///< steps with energy[k+1] > energy[k] (must be 0)
  std::vector<double> error_t, error;  ///< relative L² error at times error_t (if exact known)
  std::vector<double> sym_kl;          ///< Lagrangian Fokker–Planck: symmetric KL at error_t
  /// Lagrangian: the same two measured on the particles the maps were fitted to (error and
  /// sym_kl then come from independent tracers, when there are any).
  std::vector<double> error_particles, sym_kl_particles;
  std::vector<std::pair<std::string, double>> metrics;  ///< extra final numbers
  std::vector<Snapshot> snapshots;
  std::string snapshot_xlabel, snapshot_ylabel;
  double wall_seconds = 0;
  double metric(const std::string& name, double fallback = 0) const;
};

/// The EVNN problem table: problem.kind → one-line help and run, registered by the file that
/// defines the problem (evnn_eulerian.cpp, evnn_lagrangian.cpp).
struct EvnnProblemEntry {
  static constexpr const char* kKind = "EVNN problem.kind";
  std::string help;
  /// The group: many processes for a sample-parallel kind, else null.
  std::function<EvnnResult(const io::Config&, const ProgressFn&,
                           const std::shared_ptr<distributed::Group>&)>
      run;
  /// Shares its particles over a group of many processes (the Lagrangian kinds).
  bool sample_parallel = false;
};
using EvnnProblemRegistry = Registry<EvnnProblemEntry>;
/// Registers an EVNN problem and, under the same name, its solver (enflow/run.h): run_evnn,
/// then write_evnn_outputs into the context's out_dir.
struct EvnnProblemRegistrar {
  EvnnProblemRegistrar(const std::string& kind, EvnnProblemEntry entry);
};

/// Every key run_evnn reads (any EVNN problem) with type, default ("per kind" where the
/// problem sets it) and help; others are refused as typos.
std::vector<io::KeySpec> evnn_key_specs();

/// The registered problem kinds ("evnn_heat", …) with their one-line help, sorted.
std::vector<std::pair<std::string, std::string>> evnn_kinds();

/// Runs the config (problem.kind one of evnn_kinds()). Throws std::invalid_argument naming the
/// key on a bad or unknown config entry, or a group of many processes for a kind that is not
/// sample-parallel. With a group, every rank returns the same result; rank 0's snapshots show
/// its own particles.
EvnnResult run_evnn(const io::Config& config, const ProgressFn& progress = {},
                    const std::shared_ptr<distributed::Group>& group = nullptr);

/// Writes energy.csv (step, t, energy, accepted, seconds), errors.csv, summary.json, config.toml
/// and, when gnuplot is available, energy.png and snapshots.png into out_dir (atomically).
/// Returns the paths written.
std::vector<std::string> write_evnn_outputs(const EvnnResult& result, const std::string& out_dir,
                                            const std::string& config_toml);

/// The result's scalar summary as one JSON object.
std::string evnn_summary_json(const EvnnResult& result);
/// The summary as a run result (the same numbers as summary.json, in its order).
RunResult evnn_run_result(const EvnnResult& result);

}  // namespace enflow::flows
