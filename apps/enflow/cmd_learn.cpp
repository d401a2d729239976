// `enflow train`, `enflow evaluate`, `enflow predict`: learning energy-based dynamics
// from trajectory datasets (DGNet and its baselines).
#include <fmt/core.h>
#include <torch/torch.h>

#include <filesystem>

#include "commands.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/learn/central_pairs.h"
#include "enflow/learn/ggd_config.h"
#include "enflow/learn/lbfgs_refine.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/model_io.h"
#include "enflow/learn/trainer.h"
#include "enflow/runtime.h"
#include "enflow/systems/system.h"
#include "learn_setup.h"
#include "prediction_output.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;

void print_progress(const learn::TrainProgress& p) {
  progress_line(fmt::format("  iter {:>7}/{}  loss {:.4e}  {:7.1f} it/s  {:6.0f} s left   ",
                            p.iteration, p.total, p.loss, p.rate, p.eta));
}

// ---------------------------------------------------------------- train
struct TrainArgs {
  std::string config;
  std::vector<std::string> set;
  bool resume = false;
};

// The [train] numbers, checked before any work so that a typo costs no training time.
void check_train_options(const io::Config& cfg, int64_t iters, int64_t lbfgs_iters) {
  auto bad = [&](const std::string& key, const std::string& why) {
    return std::invalid_argument("config '" + cfg.source() + "': " + key + " " + why);
  };
  if (iters < 0) throw bad("train.iterations", "must be >= 0");
  if (iters == 0 && lbfgs_iters == 0)
    throw bad("train.iterations",
              "= 0 trains nothing (set it >= 1, or train.lbfgs_iterations >= 1 for L-BFGS only)");
  const double lr = cfg.get_double("train.lr", 1e-3);
  if (!(lr > 0) || !std::isfinite(lr)) throw bad("train.lr", "must be positive and finite");
  const double wd = cfg.get_double("train.weight_decay", 0.0);
  if (!(wd >= 0) || !std::isfinite(wd)) throw bad("train.weight_decay", "must be >= 0");
  for (const char* key : {"train.batch", "train.log_every", "train.checkpoint_every"})
    if (cfg.get_int(key, 0) < 0) throw bad(key, "must be >= 0");
}

int run_train(const TrainArgs& a, const Common& common) {
  auto cfg = io::Config::load(a.config, a.set);
  cfg.check_known(learn::experiment_config_keys());
  const int64_t iters = cfg.get_int("train.iterations", 1000);
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("train.seed", 0));
  const auto lbfgs = learn::lbfgs_options_from_config(cfg, train_step(cfg), seed);
  check_train_options(cfg, iters, lbfgs.iterations());
  const std::string out =
      cfg.get_string("output.model",
                     (fs::path("results") / (fs::path(a.config).stem().string() + ".pt")).string());
  if (out.empty())
    throw std::invalid_argument("config '" + cfg.source() + "': output.model is empty");
  if (fs::path(out).has_parent_path()) {
    std::error_code ec;
    fs::create_directories(fs::path(out).parent_path(), ec);
    if (ec)
      throw std::invalid_argument("config '" + cfg.source() + "': output.model '" + out +
                                  "': cannot create its directory: " + ec.message());
  }
  io::require_writable(out);
  const auto data = io::load_dataset(cfg.require_string("data.path"));
  const auto dtype = parse_dtype(cfg.get_string("train.dtype", "float64"));
  const auto device = parse_device(cfg.get_string("train.device", "cpu"));
  torch::manual_seed(seed);
  const int64_t dim = data.states.size(2);
  cfg.set("data.dim", std::to_string(dim));
  const double dx = learn::dataset_grid_spacing(data);
  cfg.set("data.dx", fmt::format("{:.17g}", dx));
  learn::record_ggd_system(cfg, data);
  learn::check_ggd_data(cfg, data);
  auto model = models::make_model(learn::model_options_from_config(cfg, dim, dx));
  model->to(device, dtype);

  auto opts =
      learn::TrainOptions()
          .lr(cfg.get_double("train.lr", 1e-3))
          .batch(cfg.get_int("train.batch", 200))
          .iterations(iters)
          .weight_decay(cfg.get_double("train.weight_decay", 0.0))
          .seed(seed)
          .log_every(cfg.get_int("train.log_every", std::max<int64_t>(1, iters / 100)))
          .checkpoint_every(cfg.get_int("train.checkpoint_every", std::max<int64_t>(1, iters / 10)))
          .checkpoint_path(out + ".ckpt")
          .resume(a.resume)
          // What the weights depend on: resuming with another network is refused.
          .checkpoint_tag(cfg.lines_of({"model.", "data.dim", "train.dtype"}))
          .step(train_step(cfg));
  const auto derivative = train_derivative(cfg);
  auto train_pairs = learn::make_pairs_by(derivative, data, data.train, dtype, device);
  if (!common.json) {
    fmt::print(stderr, "training {} ({}, {}) on {} pairs from {} for {} iterations\n",
               cfg.get_string("model.type", "dgnet"), cfg.get_string("model.network", "mlp"),
               opts.step().integrator(), train_pairs.size(), cfg.require_string("data.path"),
               iters);
  }
  auto rep = learn::train(*model, train_pairs, opts, common.json ? nullptr : print_progress);
  if (!common.json) end_progress_line();
  if (lbfgs.iterations() > 0) {
    if (!common.json) fmt::print(stderr, "L-BFGS (strong Wolfe) refinement\n");
    auto lr =
        learn::lbfgs_refine(*model, train_pairs, lbfgs, common.json ? nullptr : print_progress);
    if (!common.json) {
      fmt::print(stderr, "\n  loss {:.4e} -> {:.4e} in {} steps, {} evaluations ({})\n",
                 lr.initial_loss, lr.final_loss, lr.iterations, lr.evaluations, lr.stop);
    }
    rep.final_loss = lr.final_loss;
    rep.seconds += lr.seconds;
  }
  // Recorded in the model file, so reports can cite the training cost of a model.
  cfg.set("result.train_seconds", fmt::format("{:.3f}", rep.seconds));
  cfg.set("result.train_loss", fmt::format("{:.17g}", rep.final_loss));
  learn::save_model(out, *model, cfg);
  const double test_mse =
      data.test.empty()
          ? std::nan("")
          : learn::rate_mse(*model,
                            learn::make_pairs_by(derivative, data, data.test, dtype, device),
                            train_step(cfg));
  if (common.json) {
    fmt::print(
        "{{\"model\": \"{}\", \"iterations\": {}, \"train_loss\": {:.6e}, \"test_step_mse\": "
        "{:.6e}, \"seconds\": {:.2f}}}\n",
        out, rep.iterations, rep.final_loss, test_mse, rep.seconds);
  } else {
    fmt::print("model      {}\niterations {} ({:.1f} s)\ntrain loss {:.4e}\ntest step MSE {:.4e}\n",
               out, rep.iterations, rep.seconds, rep.final_loss, test_mse);
  }
  return 0;
}

// ---------------------------------------------------------------- evaluate / predict
struct EvalArgs {
  std::string model, data, out, plot_dir, integrator, step_integrator;
  int64_t steps = 0;
  bool all_series = false;
};

int run_evaluate(const EvalArgs& a, const Common& common) {
  const auto l = load_for_eval(a.model, a.data, a.integrator, a.all_series, a.step_integrator);
  const auto ev = evaluate_loaded(l, a.steps);
  if (common.json) {
    std::string inv;
    for (auto& [k, v] : ev.invariant_mse) inv += fmt::format(", \"{}_mse\": {:.6e}", k, v);
    fmt::print(
        "{{\"model\": \"{}\", \"series\": {}, \"integrator\": \"{}\", "
        "\"step_integrator\": \"{}\", \"deriv_mse\": {}, \"step_mse\": {:.6e}, "
        "\"state_mse\": {:.6e}{}}}\n",
        a.model, l.series.size(), l.predict.integrator(), l.step.integrator(),
        std::isnan(ev.deriv_mse) ? "null" : fmt::format("{:.6e}", ev.deriv_mse), ev.step_mse,
        ev.state_mse, inv);
  } else {
    fmt::print("model {} on {} series, prediction by {}\n", a.model, l.series.size(),
               l.predict.integrator());
    if (!std::isnan(ev.deriv_mse)) fmt::print("  deriv MSE  {:.4e}\n", ev.deriv_mse);
    fmt::print("  step MSE   {:.4e} (one step by {})\n  state MSE  {:.4e}\n", ev.step_mse,
               l.step.integrator(), ev.state_mse);
    for (auto& [k, v] : ev.invariant_mse) fmt::print("  {} MSE {:.4e}\n", k, v);
  }
  return 0;
}

int run_predict(const EvalArgs& a, const Common& common) {
  if (a.out.empty()) throw std::invalid_argument("predict needs -o FILE.h5");
  const auto l = load_for_eval(a.model, a.data, a.integrator, a.all_series);
  const auto ev = evaluate_loaded(l, a.steps);
  const auto plots = write_prediction(l, ev, a.out, a.plot_dir);
  const int64_t T = ev.prediction.size(1);
  if (common.json) {
    fmt::print("{{\"output\": \"{}\", \"series\": {}, \"steps\": {}, \"state_mse\": {:.6e}}}\n",
               a.out, ev.prediction.size(0), T - 1, ev.state_mse);
  } else {
    fmt::print("wrote {} ({} series, {} steps, state MSE {:.4e})\n", a.out, ev.prediction.size(0),
               T - 1, ev.state_mse);
    for (auto& p : plots) fmt::print("plot  {}\n", p);
  }
  return 0;
}

void add_eval_options(CLI::App& app, EvalArgs& a, Common& common) {
  app.add_option("--model", a.model, "Model file written by enflow train")->required();
  app.add_option("--data", a.data, "Dataset (default: the one the model was trained on)");
  app.add_option("--steps", a.steps, "Prediction horizon in steps (default: whole series)");
  app.add_option("--integrator", a.integrator,
                 "Prediction integrator: discrete_gradient, rk4, dopri5, leapfrog, ...");
  app.add_flag("--all-series", a.all_series, "Use every series, not only the test split");
  app.add_flag("--json", common.json, "Print the metrics as JSON");
}

const CommandRegistrar train_reg(
    "train", "Train a model (DGNet, HNN, HNN++, SRNN, NODE, GGD) from a TOML config",
    [](CLI::App& app, Common& common) -> Action {
      auto a = std::make_shared<TrainArgs>();
      app.add_option("--config", a->config, "Experiment config (TOML)")->required();
      app.add_option("--set", a->set, "Override a config entry: key=value (repeatable)");
      app.add_flag("--resume", a->resume, "Continue from the model's checkpoint");
      app.add_flag("--json", common.json, "Print the result as JSON");
      return [a, &common] { return run_train(*a, common); };
    });

const CommandRegistrar eval_reg(
    "evaluate", "Metrics of a trained model on its test series (deriv, state, energy, mass MSE)",
    [](CLI::App& app, Common& common) -> Action {
      auto a = std::make_shared<EvalArgs>();
      add_eval_options(app, *a, common);
      app.add_option("--step-integrator", a->step_integrator,
                     "Scheme of the step MSE (default: the model's training scheme); e.g. rk2 "
                     "scores a DGNet's energy through the one step an HNN trains on");
      return [a, &common] { return run_evaluate(*a, common); };
    });

const CommandRegistrar predict_reg(
    "predict", "Long-term prediction from test initial states to HDF5, with plots",
    [](CLI::App& app, Common& common) -> Action {
      auto a = std::make_shared<EvalArgs>();
      add_eval_options(app, *a, common);
      app.add_option("-o,--output", a->out, "Output HDF5 file")->required()->check(kOutputFile);
      app.add_option("--plot-dir", a->plot_dir, "Directory for the PNG plots (default: beside -o)")
          ->check(kOutputDir);
      return [a, &common] { return run_predict(*a, common); };
    });

}  // namespace
}  // namespace enflow::cli
