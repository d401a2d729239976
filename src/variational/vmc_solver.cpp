// The VMC solver (problem.kind = "vmc_ising"): RBM + stochastic reconfiguration for the
// periodic transverse-field Ising chain, against the exact free-fermion ground energy.
#include <fmt/core.h>

#include <cmath>
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
#include "enflow/variational/vmc.h"

namespace enflow::variational {
namespace {

std::vector<io::KeySpec> vmc_key_specs() {
  return with_run_specs({
      {"problem.sites", "int", "20", "spins of the periodic chain"},
      {"problem.j", "float", "1", "coupling J"},
      {"problem.h", "float", "1", "transverse field h"},
      {"rbm.hidden_density", "int", "2", "RBM hidden units per spin (alpha)"},
      {"rbm.init_std", "float", "0.01", "std of the initial RBM weights"},
      {"sampler.samples", "int", "1000", "Markov chains (one sample each per step)"},
      {"sampler.sweeps", "int", "1", "Metropolis sweeps between samples"},
      {"sampler.thermalization", "int", "50", "sweeps before the first sample"},
      {"sampler.final_samples", "int", "20000", "samples of the final energy estimate"},
      {"train.iterations", "int", "500", "stochastic-reconfiguration steps"},
      {"train.lr", "float", "0.05", "SR step size at the start"},
      {"train.lr_final", "float", "0.01", "SR step size at the end"},
      {"train.diag_shift", "float", "0.01", "diagonal shift of S at the start"},
      {"train.diag_shift_final", "float", "0.0001", "diagonal shift of S at the end"},
  });
}

RunResult run_vmc(const io::Config& cfg, const RunContext& ctx) {
  const io::KeyReader keys(cfg, vmc_key_specs());
  if (ctx.threads() > 0) init_threads(ctx.threads());
  const int64_t n = keys.get_int("problem.sites");
  const double j = keys.get_double("problem.j"), h = keys.get_double("problem.h");
  Report report(cfg, ctx, keys.get_string("output.name", fmt::format("vmc_tfim_{}", n)));
  auto opts = VmcOptions()
                  .hidden_density(keys.get_int("rbm.hidden_density"))
                  .init_std(keys.get_double("rbm.init_std"))
                  .samples(keys.get_int("sampler.samples"))
                  .sweeps(keys.get_int("sampler.sweeps"))
                  .thermalization(keys.get_int("sampler.thermalization"))
                  .final_samples(keys.get_int("sampler.final_samples"))
                  .iterations(keys.get_int("train.iterations"))
                  .lr(keys.get_double("train.lr"))
                  .lr_final(keys.get_double("train.lr_final"))
                  .diag_shift(keys.get_double("train.diag_shift"))
                  .diag_shift_final(keys.get_double("train.diag_shift_final"))
                  .seed(keys.get_int("run.seed"))
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
     /*sample_parallel=*/true, vmc_key_specs});

}  // namespace
}  // namespace enflow::variational
