// `enflow solve` kind deep_ritz: -Laplace u = 0 on (0,1)^d with u = sum_k x_{2k-1} x_{2k}
// (E & Yu 2018), relative L2 error against the exact solution and the loss curve.
#include <fmt/core.h>

#include "enflow/variational/deep_ritz.h"
#include "solve_registry.h"
#include "variational_report.h"

namespace enflow::cli {
namespace {

namespace var = enflow::variational;
using namespace variational_cli;

int run_deep_ritz(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  cfg.check_known(
      with_common_keys({"problem.dim", "network.width", "network.blocks", "network.activation",
                        "train.iterations", "train.batch_interior", "train.batch_boundary",
                        "train.lr", "train.lr_final", "train.penalty", "train.penalty_end",
                        "train.continuation", "train.seed", "train.eval_points"}));
  auto p = var::product_sum_problem(cfg.get_int("problem.dim", 10));
  RunReport report(cfg, common, out_dir, cfg.get_string("output.name", "deep_ritz_" + p.name));
  auto opts = var::DeepRitzOptions()
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
                  .seed(cfg.get_int("train.seed", 0))
                  .tensor_options(tensor_options(cfg))
                  .on_progress(progress_printer(common, "iter", "boundary"));
  if (!common.json)
    fmt::print(stderr, "Deep Ritz {}: {} iterations, {} + {} points per step\n", p.name,
               opts.iterations(), opts.batch_interior(), opts.batch_boundary());
  auto r = var::solve_deep_ritz(p, opts);
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
    io::plot_lines(plot,
                   {"Deep Ritz loss, " + plot_label(p.name), "iteration", "Ritz energy + penalty"},
                   {history_series("loss", r.loss_history)});
  return report.finish();
}

const SolverRegistrar reg("deep_ritz", "Deep Ritz for -Laplace u = f on (0,1)^d", run_deep_ritz);

}  // namespace
}  // namespace enflow::cli
