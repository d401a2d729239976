// `enflow train`, `enflow evaluate`, `enflow predict`: learning energy-based dynamics
// from trajectory datasets (DGNet and its baselines).
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/distributed/group.h"
#include "enflow/geometry/structure.h"
#include "enflow/integrators/integrator_registry.h"
#include "enflow/io/config.h"
#include "enflow/learn/experiment.h"
#include "enflow/learn/model_io.h"
#include "enflow/models/model_registry.h"
#include "enflow/run_config.h"
#include "registry_help.h"
#include "run_output.h"

namespace enflow::cli {
namespace {

struct TrainArgs {
  std::string config;
  std::vector<std::string> set;
  bool resume = false;
  double dist_timeout = 0;  // 0: ENFLOW_DIST_TIMEOUT or 300 s
};

struct EvalArgs {
  learn::EvaluateRequest request;
  std::string out, plot_dir;
};

void add_eval_options(CLI::App& app, EvalArgs& a, Common& common) {
  auto& q = a.request;
  app.add_option("--model", q.model, "Model file written by enflow train")->required();
  app.add_option("--data", q.data, "Dataset (default: the one the model was trained on)");
  app.add_option("--steps", q.steps, "Prediction horizon in steps (default: whole series)");
  app.add_option("--integrator", q.integrator,
                 "Prediction integrator (default: the model type's): " +
                     integrators::IntegratorRegistry::instance().known());
  app.add_flag("--all-series", q.all_series, "Use every series, not only the test split");
  app.add_option("--dtype", q.dtype,
                 "Compute in this dtype (float32 | float64; default: the model's), e.g. a "
                 "float32 model's prediction in float64")
      ->check(CLI::IsMember({"float32", "float64"}));
  app.add_flag("--json", common.json, "Print the metrics as JSON");
}

const CommandRegistrar train_reg(
    "train", "Train a model (DGNet, HNN, HNN++, SRNN, NODE, GGD) from a TOML config",
    [](CLI::App& app, Common& common) -> Action {
      auto a = std::make_shared<TrainArgs>();
      app.add_option("--config", a->config, "Experiment config (TOML)")->required();
      app.add_option("--set", a->set, "Override a config entry: key=value (repeatable)");
      app.add_flag("--resume", a->resume, "Continue from the model's checkpoint");
      app.add_option("--dist-timeout", a->dist_timeout,
                     "Seconds a process waits for the others (many processes: torchrun, srun, "
                     "enflow launch; default ENFLOW_DIST_TIMEOUT or 300)")
          ->check(kPositive);
      app.add_flag("--json", common.json, "Print the result as JSON");
      app.footer(
          "\n" + registry_help<models::ModelTypeEntry>("model.type") + "\n" +
          registry_help<models::EnergyNetworkEntry>("model.network") + "\n" +
          registry_help<geometry::StructureEntry>("model.structure") + "\n" +
          registry_help<integrators::IntegratorEntry>("train.integrator, predict.integrator") +
          "\nConfig keys (type, default, meaning; `enflow explain KEY`):\n" +
          io::format_key_specs(learn::experiment_key_specs()));
      return [a, &common] {
        const auto cfg = io::Config::load(a->config, a->set);
        learn::TrainRequest request;
        request.resume = a->resume;
        // Many processes when the environment says so (RANK, WORLD_SIZE, ...; docs/distributed.md).
        request.group = distributed::init_from_environment(
            a->dist_timeout > 0 ? a->dist_timeout : distributed::default_timeout_seconds(),
            run_tensor_options(cfg).device());
        const auto result = learn::train_experiment(cfg, request, run_context(common, "results"));
        if (distributed::rank_of(request.group.get()) != 0) return 0;  // rank 0 reports
        return print_result(result, common);
      };
    });

const CommandRegistrar eval_reg(
    "evaluate", "Metrics of a trained model on its test series (deriv, state, energy, mass MSE)",
    [](CLI::App& app, Common& common) -> Action {
      auto a = std::make_shared<EvalArgs>();
      add_eval_options(app, *a, common);
      app.add_option("--step-integrator", a->request.step_integrator,
                     "Scheme of the step MSE (default: the model's training scheme); e.g. rk2 "
                     "scores a DGNet's energy through the one step an HNN trains on");
      return [a, &common] { return print_result(learn::evaluate_experiment(a->request), common); };
    });

const CommandRegistrar predict_reg(
    "predict", "Long-term prediction from test initial states to HDF5, with plots",
    [](CLI::App& app, Common& common) -> Action {
      auto a = std::make_shared<EvalArgs>();
      add_eval_options(app, *a, common);
      app.add_option("-o,--output", a->out, "Output HDF5 file")->required()->check(kOutputFile);
      app.add_option("--plot-dir", a->plot_dir, "Directory for the PNG plots (default: beside -o)")
          ->check(kOutputDir);
      return [a, &common] {
        return print_result(learn::predict_experiment(a->request, a->out, a->plot_dir), common);
      };
    });

}  // namespace
}  // namespace enflow::cli
