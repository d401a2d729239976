// The committor solver (problem.kind = "committor"): double_well, spheres (closed forms),
// muller_brown (2-D finite-volume reference; any dim with a separable confining term) and
// ginzburg_landau (symmetries, transition path, direct simulation).
#include <fmt/core.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"
#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "enflow/variational/committor.h"
#include "variational/committor_checks.h"

namespace enflow::variational {
namespace {

// The solver's own keys; a problem adds its own (CommittorProblemEntry::keys).
std::vector<io::KeySpec> committor_solver_key_specs() {
  auto specs = with_run_specs({
      {"problem.system", "string", "", "double_well | spheres | muller_brown | ginzburg_landau"},
      {"network.hidden", "[int]", "[32, 32]", "hidden widths of the committor network"},
      {"network.sigmoid", "bool", "true", "sigmoid output in (0, 1)"},
      {"network.exact_boundary", "bool", "true", "q = 0 on A and 1 on B by construction"},
      {"train.optimizer", "string", "adam", "adam | lbfgs"},
      {"train.lbfgs_inner", "int", "100", "lbfgs: inner iterations per step"},
      {"train.iterations", "int", "2000", "optimizer steps"},
      {"train.batch_size", "int", "1000", "samples per step"},
      {"train.lr", "float", "0.001", "learning rate at the start"},
      {"train.lr_final", "float", "0.0001", "learning rate at the end"},
      {"train.penalty_start", "float", "10", "boundary penalty at the start"},
      {"train.penalty_end", "float", "1000", "boundary penalty at the end"},
      {"train.continuation", "float", "0.5", "fraction of steps over which the penalty grows"},
  });
  for (auto& k : detail::check_key_specs()) specs.push_back(std::move(k));
  return specs;
}

// The table `enflow explain` shows: the solver's keys, then each problem's (defaults differ
// between problems).
std::vector<io::KeySpec> committor_key_specs() {
  auto specs = committor_solver_key_specs();
  for (const auto& [name, e] : CommittorProblemRegistry::instance().entries())
    for (auto k : e.keys) {
      k.help = name + ": " + k.help;
      specs.push_back(std::move(k));
    }
  return specs;
}

RunResult run_committor(const io::Config& cfg, const RunContext& ctx) {
  const auto& problem =
      CommittorProblemRegistry::instance().at(cfg.require_string("problem.system"), cfg.source());
  auto specs = committor_solver_key_specs();
  specs.insert(specs.end(), problem.keys.begin(), problem.keys.end());
  const io::KeyReader keys(cfg, std::move(specs));
  if (ctx.threads() > 0) init_threads(ctx.threads());
  const int64_t seed = keys.get_int("run.seed");
  torch::manual_seed(seed);  // the MALA chains draw from the global generator
  const auto p = problem.make(keys, run_tensor_options(cfg));
  Report report(cfg, ctx, keys.get_string("output.name", p.name));
  auto opts = CommittorOptions()
                  .hidden(keys.get_ints("network.hidden"))
                  .sigmoid_output(keys.get_bool("network.sigmoid"))
                  .exact_boundary(keys.get_bool("network.exact_boundary"))
                  .optimizer(nn::optimizer_kind_from_string(keys.get_string("train.optimizer"),
                                                            "train.optimizer"))
                  .lbfgs_inner(keys.get_int("train.lbfgs_inner"))
                  .iterations(keys.get_int("train.iterations"))
                  .batch_size(keys.get_int("train.batch_size"))
                  .lr(keys.get_double("train.lr"))
                  .lr_final(keys.get_double("train.lr_final"))
                  .penalty_start(keys.get_double("train.penalty_start"))
                  .penalty_end(keys.get_double("train.penalty_end"))
                  .continuation(keys.get_double("train.continuation"))
                  .seed(seed)
                  .on_progress(named(ctx.progress(), "iter", "loss", "penalty"))
                  .group(ctx.group());
  ctx.say(fmt::format("committor {} (dim {}, beta {}): {} iterations, batch {}", p.name, p.dim,
                      p.beta, opts.iterations(), opts.batch_size()));
  const auto r = solve_committor(p, opts);
  report.text("problem", p.name);
  report.count("dim", p.dim);
  report.number("beta", p.beta);
  report.count("iterations", r.iterations);
  report.count("batch_size", opts.batch_size());
  report.count("seed", seed);
  report.number("seconds", r.seconds);
  report.number("dirichlet_energy", r.dirichlet_energy);
  report.number("boundary_rms", r.boundary_error);
  if (const int w = distributed::size_of(ctx.group().get()); w > 1) {
    report.count("world_size", w);
    report.count("samples_per_rank",
                 distributed::share_of(opts.batch_size(), ctx.group().get()).count);
    report.count("collective_bytes", ctx.group()->traffic().bytes);
    report.number("collective_seconds", ctx.group()->traffic().seconds);
    // Every rank holds the same network; rank 0 alone checks it and writes.
    if (!report.writes()) return report.finish();
  }

  const std::string system = keys.get_string("problem.system");
  if (p.exact) detail::check_closed_form(p, r, keys, report);
  if (system == "muller_brown") detail::check_muller_brown(p, r, keys, ctx, report);
  if (system == "ginzburg_landau") detail::check_ginzburg_landau(p, r, keys, ctx, report);
  const auto plot = report.plot_path("energy");
  if (!plot.empty())
    io::plot_lines(plot,
                   {fmt::format("Committor training, {}", p.name), "iteration",
                    "Dirichlet energy estimate", true},
                   {io::series_of("E_w[|grad q|^2]", r.dirichlet_history, {}, true)});
  return report.finish();
}

const SolverRegistrar committor_solver(
    "committor", {"Committor of overdamped Langevin dynamics (double_well, spheres, muller_brown, "
                  "ginzburg_landau)",
                  run_committor, /*sample_parallel=*/true, committor_key_specs});

}  // namespace
}  // namespace enflow::variational
