// `enflow solve` kind committor: double_well, spheres (closed forms), muller_brown (2-D
// finite-volume reference; any dim with a separable confining term) and ginzburg_landau
// (symmetries, transition path, direct simulation).
#include <fmt/core.h>
#include <torch/torch.h>

#include <stdexcept>

#include "committor_checks.h"
#include "enflow/variational/committor.h"
#include "solve_registry.h"
#include "variational_report.h"

namespace enflow::cli {
namespace {

namespace var = enflow::variational;
using namespace variational_cli;

var::CommittorProblem make_problem(const io::Config& cfg) {
  const auto topt = tensor_options(cfg);
  const std::string system = cfg.require_string("problem.system");
  auto mala = var::MalaOptions()
                  .sample_beta(cfg.get_double("sampler.sample_beta", 1.0))
                  .step(cfg.get_double("sampler.step", 1e-3))
                  .burn_in(cfg.get_int("sampler.burn_in", 2000))
                  .thin(cfg.get_int("sampler.thin", 5));
  if (system == "double_well")
    return var::double_well_problem(cfg.get_double("problem.beta", 3.0), topt,
                                    cfg.get_double("problem.margin", 0.2));
  if (system == "spheres")
    return var::concentric_spheres_problem(
        cfg.get_int("problem.dim", 3), cfg.get_double("problem.a", 1.0),
        cfg.get_double("problem.b", 2.0), topt, cfg.get_double("problem.margin", 0.05));
  if (system == "muller_brown")
    return var::muller_brown_problem(
        cfg.get_int("problem.dim", 2), cfg.get_double("problem.beta", 0.1), mala, topt,
        cfg.get_double("problem.confine", 20.0), cfg.get_double("problem.radius", 0.1));
  if (system == "ginzburg_landau")
    return var::ginzburg_landau_problem(
        cfg.get_int("problem.dim", 50), cfg.get_double("problem.lambda", 0.03),
        cfg.get_double("problem.beta", 10.0), mala, topt, cfg.get_double("problem.set_level", 0.5),
        cfg.get_double("problem.margin", 0.1));
  throw std::invalid_argument(cfg.source() + ": problem.system must be double_well, spheres, " +
                              "muller_brown or ginzburg_landau, got '" + system + "'");
}

int run_committor(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  auto keys = with_common_keys({"problem.system",
                                "problem.dim",
                                "problem.beta",
                                "problem.a",
                                "problem.b",
                                "problem.margin",
                                "problem.confine",
                                "problem.radius",
                                "problem.lambda",
                                "problem.set_level",
                                "sampler.sample_beta",
                                "sampler.step",
                                "sampler.burn_in",
                                "sampler.thin",
                                "network.hidden",
                                "network.sigmoid",
                                "network.exact_boundary",
                                "train.optimizer",
                                "train.lbfgs_inner",
                                "train.iterations",
                                "train.batch_size",
                                "train.lr",
                                "train.lr_final",
                                "train.penalty_start",
                                "train.penalty_end",
                                "train.continuation",
                                "train.seed",
                                "reference.grid"});
  for (const auto& k : shooting_keys()) keys.push_back(k);
  cfg.check_known(keys);
  const int64_t seed = cfg.get_int("train.seed", 0);
  torch::manual_seed(seed);  // the MALA chains draw from the global generator
  const auto p = make_problem(cfg);
  RunReport report(cfg, common, out_dir, cfg.get_string("output.name", p.name));
  auto opts = var::CommittorOptions()
                  .hidden(cfg.get_ints("network.hidden", {32, 32}))
                  .sigmoid_output(cfg.get_bool("network.sigmoid", true))
                  .exact_boundary(cfg.get_bool("network.exact_boundary", true))
                  .optimizer(cfg.get_string("train.optimizer", "adam"))
                  .lbfgs_inner(cfg.get_int("train.lbfgs_inner", 100))
                  .iterations(cfg.get_int("train.iterations", 2000))
                  .batch_size(cfg.get_int("train.batch_size", 1000))
                  .lr(cfg.get_double("train.lr", 1e-3))
                  .lr_final(cfg.get_double("train.lr_final", 1e-4))
                  .penalty_start(cfg.get_double("train.penalty_start", 10.0))
                  .penalty_end(cfg.get_double("train.penalty_end", 1000.0))
                  .continuation(cfg.get_double("train.continuation", 0.5))
                  .seed(seed)
                  .on_progress(progress_printer(common, "iter", "penalty"));
  if (!common.json)
    fmt::print(stderr, "committor {} (dim {}, beta {}): {} iterations, batch {}\n", p.name, p.dim,
               p.beta, opts.iterations(), opts.batch_size());
  const auto r = var::solve_committor(p, opts);
  report.text("problem", p.name);
  report.count("dim", p.dim);
  report.number("beta", p.beta);
  report.count("iterations", r.iterations);
  report.count("batch_size", opts.batch_size());
  report.count("seed", seed);
  report.number("seconds", r.seconds);
  report.number("dirichlet_energy", r.dirichlet_energy);
  report.number("boundary_rms", r.boundary_error);

  const std::string system = cfg.require_string("problem.system");
  if (p.exact) check_closed_form(p, r, cfg, report);
  if (system == "muller_brown") check_muller_brown(p, r, cfg, common, report);
  if (system == "ginzburg_landau") check_ginzburg_landau(p, r, cfg, common, report);
  const auto plot = report.plot_path("energy");
  if (!plot.empty())
    io::plot_lines(plot,
                   {fmt::format("Committor training, {}", plot_label(p.name)), "iteration",
                    "Dirichlet energy estimate", true},
                   {history_series("E_w[|grad q|^2]", r.dirichlet_history, true)});
  return report.finish();
}

const SolverRegistrar reg(
    "committor",
    "Committor of overdamped Langevin dynamics (double_well, spheres, muller_brown, "
    "ginzburg_landau)",
    run_committor);

}  // namespace
}  // namespace enflow::cli
