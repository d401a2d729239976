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
#include "enflow/io/plot.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "enflow/variational/committor.h"
#include "variational/committor_checks.h"

namespace enflow::variational {
namespace {

RunResult run_committor(const io::Config& cfg, const RunContext& ctx) {
  auto keys =
      with_run_keys({"network.hidden", "network.sigmoid", "network.exact_boundary",
                     "train.optimizer", "train.lbfgs_inner", "train.iterations", "train.batch_size",
                     "train.lr", "train.lr_final", "train.penalty_start", "train.penalty_end",
                     "train.continuation", "run.seed", "reference.grid"});
  for (const auto& k : detail::shooting_keys()) keys.push_back(k);
  for (const auto& k : committor_problem_keys()) keys.push_back(k);
  cfg.check_known(keys);
  if (ctx.threads() > 0) init_threads(ctx.threads());
  const int64_t seed = cfg.get_int("run.seed", 0);
  torch::manual_seed(seed);  // the MALA chains draw from the global generator
  const auto p = committor_problem_from_config(cfg, run_tensor_options(cfg));
  Report report(cfg, ctx, cfg.get_string("output.name", p.name));
  auto opts = CommittorOptions()
                  .hidden(cfg.get_ints("network.hidden", {32, 32}))
                  .sigmoid_output(cfg.get_bool("network.sigmoid", true))
                  .exact_boundary(cfg.get_bool("network.exact_boundary", true))
                  .optimizer(nn::optimizer_kind_from_string(
                      cfg.get_string("train.optimizer", "adam"), "train.optimizer"))
                  .lbfgs_inner(cfg.get_int("train.lbfgs_inner", 100))
                  .iterations(cfg.get_int("train.iterations", 2000))
                  .batch_size(cfg.get_int("train.batch_size", 1000))
                  .lr(cfg.get_double("train.lr", 1e-3))
                  .lr_final(cfg.get_double("train.lr_final", 1e-4))
                  .penalty_start(cfg.get_double("train.penalty_start", 10.0))
                  .penalty_end(cfg.get_double("train.penalty_end", 1000.0))
                  .continuation(cfg.get_double("train.continuation", 0.5))
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

  const std::string system = cfg.require_string("problem.system");
  if (p.exact) detail::check_closed_form(p, r, cfg, report);
  if (system == "muller_brown") detail::check_muller_brown(p, r, cfg, ctx, report);
  if (system == "ginzburg_landau") detail::check_ginzburg_landau(p, r, cfg, ctx, report);
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
                  run_committor, /*sample_parallel=*/true});

}  // namespace
}  // namespace enflow::variational
