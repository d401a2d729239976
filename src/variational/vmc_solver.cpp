// The VMC solver (problem.kind = "vmc_ising"): RBM + stochastic reconfiguration for the
// periodic transverse-field Ising chain, against the exact free-fermion ground energy.
#include <fmt/core.h>

#include <cmath>
#include <string>
#include <vector>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "enflow/variational/vmc.h"

namespace enflow::variational {
namespace {

RunResult run_vmc(const io::Config& cfg, const RunContext& ctx) {
  cfg.check_known(
      with_run_keys({"problem.sites", "problem.j", "problem.h", "rbm.hidden_density",
                     "rbm.init_std", "sampler.samples", "sampler.sweeps", "sampler.thermalization",
                     "sampler.final_samples", "train.iterations", "train.lr", "train.lr_final",
                     "train.diag_shift", "train.diag_shift_final", "run.seed"}));
  if (ctx.threads() > 0) init_threads(ctx.threads());
  const int64_t n = cfg.get_int("problem.sites", 20);
  const double j = cfg.get_double("problem.j", 1.0), h = cfg.get_double("problem.h", 1.0);
  Report report(cfg, ctx, cfg.get_string("output.name", fmt::format("vmc_tfim_{}", n)));
  auto opts = VmcOptions()
                  .hidden_density(cfg.get_int("rbm.hidden_density", 2))
                  .init_std(cfg.get_double("rbm.init_std", 0.01))
                  .samples(cfg.get_int("sampler.samples", 1000))
                  .sweeps(cfg.get_int("sampler.sweeps", 1))
                  .thermalization(cfg.get_int("sampler.thermalization", 50))
                  .final_samples(cfg.get_int("sampler.final_samples", 20000))
                  .iterations(cfg.get_int("train.iterations", 500))
                  .lr(cfg.get_double("train.lr", 0.05))
                  .lr_final(cfg.get_double("train.lr_final", 0.01))
                  .diag_shift(cfg.get_double("train.diag_shift", 1e-2))
                  .diag_shift_final(cfg.get_double("train.diag_shift_final", 1e-4))
                  .seed(cfg.get_int("run.seed", 0))
                  .tensor_options(run_tensor_options(cfg))
                  .on_progress(named(ctx.progress(), "step", "energy", "+-"))
                  .group(ctx.group());
  ctx.say(fmt::format("VMC, transverse-field Ising chain N = {}, J = {}, h = {}: RBM alpha = {}", n,
                      j, h, opts.hidden_density()));
  auto r = solve_vmc_tfim(n, j, h, opts);
  const double e0 = tfim_exact_energy(n, j, h);
  report.count("sites", n);
  report.number("j", j);
  report.number("h", h);
  report.count("hidden_density", opts.hidden_density());
  report.count("iterations", r.iterations);
  report.count("samples", opts.samples());
  report.count("final_samples", opts.final_samples());
  report.count("seed", opts.seed());
  report.number("seconds", r.seconds);
  report.number("energy", r.energy);
  report.number("energy_stderr", r.energy_error);
  report.number("local_energy_variance", r.variance);
  report.number("exact_energy", e0);
  report.number("rel_error", std::abs(r.energy - e0) / std::abs(e0));
  report.number("acceptance", r.acceptance);
  if (const int w = distributed::size_of(ctx.group().get()); w > 1) {
    report.count("world_size", w);
    report.count("chains_per_rank", distributed::share_of(opts.samples(), ctx.group().get()).count);
    // What rank 0's collectives moved and the time it waited in them (the slowest rank's).
    report.count("collective_bytes", ctx.group()->traffic().bytes);
    report.number("collective_seconds", ctx.group()->traffic().seconds);
  }
  const auto plot = report.plot_path("energy");
  if (!plot.empty()) {
    std::vector<double> rel;
    for (double e : r.energy_history) rel.push_back((e - e0) / std::abs(e0));
    io::plot_lines(plot,
                   {fmt::format("VMC energy, TFIM N = {}, h/J = {}, RBM alpha = {}", n, h / j,
                                opts.hidden_density()),
                    "SR step", "(E - E_0) / |E_0|", true},
                   {io::series_of("batch mean", rel, {}, true)});
  }
  return report.finish();
}

const SolverRegistrar vmc_solver(
    "vmc_ising",
    {"Variational Monte Carlo (RBM + SR) for the transverse-field Ising chain", run_vmc,
     /*sample_parallel=*/true});

}  // namespace
}  // namespace enflow::variational
