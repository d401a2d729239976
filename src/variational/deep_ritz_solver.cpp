// Solver `deep_ritz` (enflow solve): -Laplace u = 0 on (0,1)^d with u = sum_k x_{2k-1} x_{2k}
// (E & Yu 2018), relative L2 error against the exact solution and the loss curve.
#include <string>

#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "enflow/variational/deep_ritz.h"

namespace enflow::variational {
namespace {

RunResult run_deep_ritz(const io::Config& cfg, const RunContext& ctx) {
  cfg.check_known(
      with_run_keys({"problem.dim", "network.width", "network.blocks", "network.activation",
                     "train.iterations", "train.batch_interior", "train.batch_boundary", "train.lr",
                     "train.lr_final", "train.penalty", "train.penalty_end", "train.continuation",
                     "run.seed", "train.eval_points"}));
  if (ctx.threads() > 0) init_threads(ctx.threads());
  auto p = product_sum_problem(cfg.get_int("problem.dim", 10));
  Report report(cfg, ctx.out_dir(), cfg.get_string("output.name", "deep_ritz_" + p.name));
  auto opts = DeepRitzOptions()
                  .width(cfg.get_int("network.width", 20))
                  .blocks(cfg.get_int("network.blocks", 3))
                  .activation(cfg.get_string("network.activation", "relu3"))
                  .iterations(cfg.get_int("train.iterations", 5000))
                  .batch_interior(cfg.get_int("train.batch_interior", 1000))
                  .batch_boundary(cfg.get_int("train.batch_boundary", 1000))
                  .lr(cfg.get_double("train.lr", 1e-3))
                  .lr_final(cfg.get_double("train.lr_final", 1e-5))
                  .penalty(cfg.get_double("train.penalty", 500.0))
                  .penalty_end(cfg.get_double("train.penalty_end", 0.0))
                  .continuation(cfg.get_double("train.continuation", 0.5))
                  .eval_points(cfg.get_int("train.eval_points", 100000))
                  .seed(cfg.get_int("run.seed", 0))
                  .tensor_options(run_tensor_options(cfg))
                  .on_progress(named(ctx.progress(), "iter", "loss", "boundary"));
  ctx.say("Deep Ritz " + p.name + ": " + std::to_string(opts.iterations()) + " iterations, " +
          std::to_string(opts.batch_interior()) + " + " + std::to_string(opts.batch_boundary()) +
          " points per step");
  auto r = solve_deep_ritz(p, opts);
  report.text("problem", p.name);
  report.count("dim", p.dim);
  report.count("width", opts.width());
  report.count("blocks", opts.blocks());
  report.text("activation", opts.activation());
  report.count("iterations", r.iterations);
  report.count("batch_interior", opts.batch_interior());
  report.count("batch_boundary", opts.batch_boundary());
  report.number("penalty", opts.penalty());
  report.number("penalty_end", opts.penalty_end());
  report.count("seed", opts.seed());
  report.number("seconds", r.seconds);
  report.number("final_loss", r.loss_history.back());
  report.number("rel_l2_error", r.rel_l2_error);
  report.count("eval_points", opts.eval_points());
  const auto plot = report.plot_path("loss");
  if (!plot.empty())
    io::plot_lines(plot, {"Deep Ritz loss, " + p.name, "iteration", "Ritz energy + penalty"},
                   {io::series_of("loss", r.loss_history)});
  return report.finish();
}

const SolverRegistrar deep_ritz_solver("deep_ritz",
                                       {"Deep Ritz for -Laplace u = f on (0,1)^d", run_deep_ritz});

}  // namespace
}  // namespace enflow::variational
