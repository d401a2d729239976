// `enflow generate SYSTEM -o FILE.h5`: trajectories of a reference system, integrated by
// its structure-preserving reference solver, in the papers' protocols by default.
#include <fmt/core.h>

#include <chrono>
#include <cmath>

#include "commands.h"
#include "enflow/io/dataset.h"
#include "enflow/runtime.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/gradient_system.h"
#include "enflow/systems/system.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

struct GenerateArgs {
  std::string system, output, protocol;
  int64_t series = -1, steps = -1;
  double dt = -1, noise = -1, train_fraction = -1;
  uint64_t seed = 0;
  std::vector<std::string> params;
};

int run_generate(const GenerateArgs& a, const Common& common) {
  auto params = systems::parse_param_overrides(a.params, a.system);
  auto system = systems::make_system(a.system, params);
  auto p = systems::default_protocol(a.system, a.protocol);
  if (a.series != -1) p.series = a.series;
  if (a.steps != -1) p.steps = a.steps;
  if (a.dt != -1) p.dt = a.dt;
  if (a.noise != -1) p.noise = a.noise;
  if (a.train_fraction != -1) p.train_fraction = a.train_fraction;
  if (p.series < 1) throw std::invalid_argument("--series must be >= 1");
  if (p.steps < 1) throw std::invalid_argument("--steps must be >= 1");
  if (!(p.dt > 0) || !std::isfinite(p.dt)) throw std::invalid_argument("--dt must be positive");
  if (!(p.noise >= 0) || !std::isfinite(p.noise))
    throw std::invalid_argument("--noise must be >= 0");
  // The trajectories, their noisy copy and the file image are in memory at once.
  require_memory(3.0 * 8.0 * static_cast<double>(p.series) * static_cast<double>(p.steps + 1) *
                     static_cast<double>(system->dim()),
                 fmt::format("--series {} x --steps {} of {}", p.series, p.steps, a.system));
  const auto t0 = std::chrono::steady_clock::now();
  ProgressFn progress;
  if (!common.json) {
    progress = [&](const Progress& r) {
      const int64_t k = r.iteration, n = r.iterations;
      if (k % std::max<int64_t>(1, n / 20) && k != n) return;
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      progress_line(fmt::format("  step {:>6}/{}  {:7.1f} steps/s  {:6.1f} s left", k, n, k / el,
                                (n - k) * el / k));
      if (k == n) end_progress_line();
    };
  }
  auto data = systems::generate_dataset(*system, p, a.seed, progress);
  io::save_dataset(a.output, data);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto drifts = systems::invariant_drifts(*system, data.states);
  if (common.json) {
    JsonLine j;
    j.text("file", a.output).text("system", data.system).count("series", data.states.size(0));
    j.count("steps", data.states.size(1)).count("dim", data.states.size(2)).number("dt", p.dt);
    j.number("noise", p.noise).count("seed", static_cast<int64_t>(a.seed));
    j.count("train", static_cast<int64_t>(data.train.size()));
    j.count("test", static_cast<int64_t>(data.test.size())).number("seconds", secs);
    for (const auto& [k, v] : drifts) j.number(k, v);
    j.print();
  } else {
    fmt::print("{}: {} series x {} time points x {} ({}), dt = {}, noise = {}, seed = {}\n",
               a.output, data.states.size(0), data.states.size(1), data.states.size(2), data.system,
               p.dt, p.noise, a.seed);
    fmt::print("  split {} train / {} test; protocol: {}; {:.1f} s\n", data.train.size(),
               data.test.size(), p.source, secs);
    for (const auto& [k, v] : drifts)
      if (k.size() > 6 && k.substr(k.size() - 6) == "_drift") fmt::print("  {:<40} {:.3e}\n", k, v);
  }
  return 0;
}

}  // namespace

Action setup_generate(CLI::App& app, Common& common) {
  auto a = std::make_shared<GenerateArgs>();
  std::string names;
  for (const auto& n : systems::system_names()) names += " " + n;
  app.add_option("system", a->system, "Reference system:" + names)->required();
  app.add_option("-o,--output", a->output, "Output HDF5 file")->required()->check(kOutputFile);
  // -1 means "the protocol's value" inside; a value the user types is checked here.
  app.add_option("--series", a->series, "Number of series (default: the system's protocol)")
      ->check(kPositive);
  app.add_option("--steps", a->steps, "Time steps per series (time points = steps + 1)")
      ->check(kPositive);
  app.add_option("--dt", a->dt, "Time step")->check(kPositive);
  app.add_option("--noise", a->noise, "Std of Gaussian observation noise on the stored states")
      ->check(kNonNegative);
  app.add_option("--train-fraction", a->train_fraction, "Leading fraction of series for training")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", a->seed, "Seed of the initial states and the noise");
  app.add_option("--protocol", a->protocol,
                 "Defaults: hnn (default) or dgnet for mass-spring, pendulum and two-body");
  app.add_option("--param", a->params,
                 "System parameter override KEY=VALUE (repeatable), e.g. --param alpha=-6");
  app.add_flag("--json", common.json, "Print the summary as JSON");
  return [a, &common]() { return run_generate(*a, common); };
}

namespace {
const CommandRegistrar reg("generate",
                           "Trajectories of a reference system by its structure-preserving "
                           "solver, as HDF5",
                           setup_generate);
}  // namespace

}  // namespace enflow::cli
