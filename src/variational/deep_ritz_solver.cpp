// Solver `deep_ritz` (enflow solve): -Laplace u = 0 on (0,1)^d with u = sum_k x_{2k-1} x_{2k}
// (E & Yu 2018), relative L2 error against the exact solution and the loss curve.
#include <string>

#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "enflow/variational/deep_ritz.h"

namespace enflow::variational {
namespace {

std::vector<io::KeySpec> deep_ritz_key_specs() {
  return with_run_specs({
      {"problem.dim", "int", "10", "dimension d of the unit cube"},
      {"network.width", "int", "20", "width of the residual blocks"},
      {"network.blocks", "int", "3", "residual blocks (two layers each)"},
      {"network.activation", "string", "relu3", "activation: relu3 | tanh"},
      {"train.iterations", "int", "5000", "Adam iterations"},
      {"train.batch_interior", "int", "1000", "interior points per iteration"},
      {"train.batch_boundary", "int", "1000", "boundary points per iteration"},
      {"train.lr", "float", "0.001", "Adam learning rate at the start"},
      {"train.lr_final", "float", "1e-05", "learning rate at the end (geometric decay)"},
      {"train.penalty", "float", "500", "boundary penalty weight"},
      {"train.penalty_end", "float", "0", "penalty at the end (0: constant)"},
      {"train.continuation", "float", "0.5", "fraction of iterations over which it grows"},
      {"train.eval_points", "int", "100000", "points of the relative L2 error"},
  });
}

RunResult run_deep_ritz(const io::Config& cfg, const RunContext& ctx) {
  const io::KeyReader keys(cfg, deep_ritz_key_specs());
  if (ctx.threads() > 0) init_threads(ctx.threads());
  auto p = product_sum_problem(keys.get_int("problem.dim"));
  Report report(cfg, ctx.out_dir(), keys.get_string("output.name", "deep_ritz_" + p.name));
  auto opts = DeepRitzOptions()
                  .width(keys.get_int("network.width"))
                  .blocks(keys.get_int("network.blocks"))
                  .activation(nn::scalar_activation_from_string(
                      keys.get_string("network.activation"), "network.activation"))
                  .iterations(keys.get_int("train.iterations"))
                  .batch_interior(keys.get_int("train.batch_interior"))
                  .batch_boundary(keys.get_int("train.batch_boundary"))
                  .lr(keys.get_double("train.lr"))
                  .lr_final(keys.get_double("train.lr_final"))
                  .penalty(keys.get_double("train.penalty"))
                  .penalty_end(keys.get_double("train.penalty_end"))
                  .continuation(keys.get_double("train.continuation"))
                  .eval_points(keys.get_int("train.eval_points"))
                  .seed(keys.get_int("run.seed"))
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
  report.text("activation", nn::to_string(opts.activation()));
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
                                       {"Deep Ritz for -Laplace u = f on (0,1)^d", run_deep_ritz,
                                        /*sample_parallel=*/false, deep_ritz_key_specs});

}  // namespace
}  // namespace enflow::variational
