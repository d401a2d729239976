#include "enflow/learn/experiment.h"

#include <fmt/core.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "enflow/distributed/group.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/learn/central_pairs.h"
#include "enflow/learn/experiment_config.h"
#include "enflow/learn/ggd_config.h"
#include "enflow/learn/lbfgs_refine.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/model_io.h"
#include "enflow/learn/normalization.h"
#include "enflow/learn/prediction_output.h"
#include "enflow/learn/trainer.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "enflow/systems/formula_energy.h"
#include "enflow/systems/system.h"

namespace enflow::learn {

namespace fs = std::filesystem;

namespace {

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
  const double slr = cfg.get_double("train.structure_lr", 0.0);
  if (!(slr >= 0) || !std::isfinite(slr))
    throw bad("train.structure_lr", "must be positive and finite (0: train.lr)");
  if (cfg.get_int("train.patience", 0) < 0) throw bad("train.patience", "must be >= 0");
  const int64_t bucket_kb = cfg.get_int("train.allreduce_bucket_kb", 25600);
  if (bucket_kb < 1 || bucket_kb > (int64_t{1} << 30))
    throw bad("train.allreduce_bucket_kb", "must be in [1, 2^30]");
  if (cfg.get_double("train.validation", 0.0) > 0 && cfg.has("train.log_every") &&
      cfg.get_int("train.log_every", 1) == 0)
    throw bad("train.log_every", "= 0 never scores the validation series (train.validation)");
  const int64_t rollout = cfg.get_int("train.rollout", 1);
  if (rollout < 1) throw bad("train.rollout", "must be >= 1 (1: one-step training)");
  const int64_t start = cfg.get_int("train.rollout_start", 0);
  if (start < 0 || (start > 0 && start >= iters))
    throw bad("train.rollout_start", "must be in [0, train.iterations)");
  if (start > 0 && rollout == 1) throw bad("train.rollout_start", "needs train.rollout > 1");
  if (rollout > 1 && lbfgs_iters > 0)
    throw bad("train.rollout",
              "> 1 with train.lbfgs_iterations: L-BFGS refines the one-step loss; use one of them");
  if (rollout > 1 && cfg.get_string("train.derivative", "forward") == "central")
    throw bad("train.rollout",
              "> 1 fits the observed states; train.derivative = central fits "
              "rates: use one of them");
  for (const char* key : {"train.batch", "train.log_every", "train.checkpoint_every"})
    if (cfg.get_int(key, 0) < 0) throw bad(key, "must be >= 0");
}

// output.model, default results/<config stem>.pt; its directory is created and the file
// checked writable before any work.
std::string model_output(const io::Config& cfg) {
  const std::string out = cfg.get_string(
      "output.model",
      (fs::path("results") / (fs::path(cfg.source()).stem().string() + ".pt")).string());
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
  return out;
}

// train.validation: the last fraction of the training series held out (in time, for a record
// cut into chunks), at least one series and never all of them.
std::pair<std::vector<int64_t>, std::vector<int64_t>> split_validation(
    const io::Config& cfg, const std::vector<int64_t>& train) {
  const double f = cfg.get_double("train.validation", 0.0);
  if (!(f >= 0 && f < 1))
    throw std::invalid_argument("config '" + cfg.source() +
                                "': train.validation = " + fmt::format("{:g}", f) +
                                " must be a fraction in [0, 1) of the training series");
  if (f == 0) return {train, {}};
  const auto n = static_cast<int64_t>(train.size());
  const int64_t k = std::max<int64_t>(1, std::llround(f * static_cast<double>(n)));
  if (k >= n)
    throw std::invalid_argument(fmt::format(
        "config '{}': train.validation = {:g} would hold out all {} training series (cut the "
        "record into more with enflow import --chunks)",
        cfg.source(), f, n));
  return {std::vector<int64_t>(train.begin(), train.end() - k),
          std::vector<int64_t>(train.end() - k, train.end())};
}

// model.normalize → model.norm_shift / norm_scale, recorded in the config (and so in the
// model file) from the training series; a warning where unnormalized inputs would saturate.
void apply_normalization(io::Config& cfg, const io::Dataset& data, const RunContext& ctx) {
  const auto type = cfg.get_string("model.type", "dgnet");
  const auto mode = cfg.get_string("model.normalize", "auto");
  if (cfg.has("model.norm_scale") && mode == "auto") return;  // given by the user
  const auto n = normalization_for(data, data.train, mode, type,
                                   cfg.get_string("model.structure", "symplectic"),
                                   cfg.get_ints("model.angles", {}));
  if (n.empty()) {
    const double top = data.states.abs().max().item<double>();
    if (top > 20 && type != "ggd")
      enflow::warn(
          fmt::format("states reach |u| = {:.3g}: tanh networks saturate beyond a few "
                      "units and learn a flat energy; set model.normalize = \"pooled\"",
                      top));
    return;
  }
  auto list = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) s += (s.empty() ? "" : ", ") + fmt::format("{:.17g}", x);
    return "[" + s + "]";
  };
  cfg.set("model.norm_shift", list(n.shift));
  cfg.set("model.norm_scale", list(n.scale));
  ctx.say(
      fmt::format("normalization ({}): shift {}, scale {}",
                  mode == "auto" ? "pooled, the default for data enflow did not generate" : mode,
                  list(n.shift), list(n.scale)));
}

// data.grid from the dataset (a config's own must agree), so the model file knows its grid.
void record_data_grid(io::Config& cfg, const io::Dataset& data) {
  auto grid = dataset_grid_shape(data);
  if (cfg.has("data.grid")) {
    const auto given = cfg.get_ints("data.grid", {});
    if (!grid.empty() && given != grid)
      throw std::invalid_argument("config '" + cfg.source() +
                                  "': data.grid differs from the dataset's grid " +
                                  fmt::format("[{}]", fmt::join(grid, ", ")));
    grid = given;
  }
  if (!grid.empty()) cfg.set("data.grid", fmt::format("[{}]", fmt::join(grid, ", ")));
}

// The learned energy's law along the prediction, for every dataset (imported records too).
// model.force = "given": the force of the system that generated the data, with its recorded
// parameters (imported data name a system only as a label, so their force is not known).
std::vector<double> given_system_force(const io::Config& cfg, const io::Dataset& data) {
  if (!data.source.empty() || data.system.empty())
    throw std::invalid_argument("config '" + cfg.source() +
                                "': model.force = given needs data enflow generated from a "
                                "forced system (its force is the given one); these data are " +
                                (data.source.empty() ? std::string("unlabelled") : data.source));
  auto f = systems::make_system(data.system, data.params)->external_force();
  if (!f.defined())
    throw std::invalid_argument("config '" + cfg.source() + "': model.force = given, but system '" +
                                data.system + "' has no external force");
  f = f.to(torch::kCPU, torch::kFloat64).contiguous();
  return {f.data_ptr<double>(), f.data_ptr<double>() + f.numel()};
}

void add_learned_energy_metrics(RunResult& r, const Evaluation& ev) {
  if (!ev.learned_energy.defined()) return;
  const auto law = learned_energy_law(ev.learned_energy);
  r.metrics.emplace_back("learned_energy_rel_drift", law.rel_drift);
  r.metrics.emplace_back("learned_energy_max_rel_increase", law.max_rel_increase);
  if (!std::isnan(ev.energy_balance_residual))
    r.metrics.emplace_back("learned_energy_balance_residual", ev.energy_balance_residual);
  if (ev.halved_steps > 0) r.metrics.emplace_back("implicit_halved_steps", ev.halved_steps);
  if (!std::isnan(ev.structure_identification_error))
    r.metrics.emplace_back("structure_identification_error", ev.structure_identification_error);
}

LoadedForEval load_request(const EvaluateRequest& q, const std::string& step_integrator) {
  auto l =
      load_for_eval(q.model, q.data, q.integrator, q.all_series, step_integrator, q.dataset.get());
  if (!q.dtype.empty()) l.lm.model->to(parse_dtype(q.dtype));
  return l;
}

}  // namespace

RunResult train_experiment(io::Config cfg, const TrainRequest& request, const RunContext& context) {
  cfg.check_known(experiment_config_keys());
  const int64_t iters = cfg.get_int("train.iterations", 1000);
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("run.seed", 0));
  const auto lbfgs = lbfgs_options_from_config(cfg, train_step_options(cfg), seed);
  check_train_options(cfg, iters, lbfgs.iterations());
  const int world = distributed::size_of(request.group.get());
  const bool rank0 = distributed::rank_of(request.group.get()) == 0;
  // L-BFGS's line search needs the exact full loss at every trial point: one process only.
  if (world > 1 && lbfgs.iterations() > 0)
    throw std::invalid_argument("config '" + cfg.source() +
                                "': train.lbfgs_iterations runs in one process only; refine "
                                "the model of a distributed run with a one-process enflow train");
  // The other ranks say nothing: rank 0 speaks for the job.
  const RunContext quiet = RunContext(context).progress(nullptr).log(nullptr);
  const RunContext& ctx = rank0 ? context : quiet;
  const std::string out = model_output(cfg);
  const auto data =
      request.dataset ? *request.dataset : io::load_dataset(cfg.require_string("data.path"));
  const auto tensor_options = run_tensor_options(cfg);
  const auto dtype = tensor_options.dtype().toScalarType();
  const auto device = tensor_options.device();
  torch::manual_seed(seed);
  const int64_t dim = data.states.size(2);
  cfg.set("data.dim", std::to_string(dim));
  const double dx = dataset_grid_spacing(data);
  cfg.set("data.dx", fmt::format("{:.17g}", dx));
  record_data_grid(cfg, data);
  record_ggd_system(cfg, data);
  check_ggd_data(cfg, data);
  apply_normalization(cfg, data, ctx);
  if (cfg.has("data.energy"))  // parsed now: a typo fails before any training
    systems::formula_energy_system(cfg.require_string("data.energy"), dim, data.params);
  auto model_options = model_options_from_config(cfg, dim, dx);
  if (model_options.force() == models::ForceKind::kGiven)
    model_options.given_force(given_system_force(cfg, data));
  auto model = models::make_model(model_options);
  model->to(device, dtype);

  auto opts =
      TrainOptions()
          .group(request.group)
          .overlap_allreduce(cfg.get_bool("train.allreduce_overlap", false))
          .bucket_bytes(cfg.get_int("train.allreduce_bucket_kb", 25600) * 1024)
          .lr(cfg.get_double("train.lr", 1e-3))
          .batch(cfg.get_int("train.batch", 200))
          .iterations(iters)
          .weight_decay(cfg.get_double("train.weight_decay", 0.0))
          .structure_lr(cfg.get_double("train.structure_lr", 0.0))
          .seed(seed)
          .log_every(cfg.get_int("train.log_every", std::max<int64_t>(1, iters / 100)))
          .checkpoint_every(cfg.get_int("train.checkpoint_every", std::max<int64_t>(1, iters / 10)))
          .checkpoint_path(out + ".ckpt")
          .resume(request.resume)
          // What the weights depend on: resuming with another network is refused.
          .checkpoint_tag(cfg.lines_of({"model.", "data.dim", "run.dtype", "train.structure_lr"}))
          .step(train_step_options(cfg));
  const auto derivative = train_derivative(cfg);
  const auto [train_series, validation_series] = split_validation(cfg, data.train);
  auto train_pairs = make_pairs_by(derivative, data, train_series, dtype, device);
  if (!validation_series.empty()) {
    opts.validation(std::make_shared<PairSet>(
                        make_pairs_by(derivative, data, validation_series, dtype, device)))
        .patience(cfg.get_int("train.patience", 0));
    ctx.say(
        fmt::format("validation: {} of the {} training series held out (the last), scored "
                    "every {} iterations; the best parameters are kept",
                    validation_series.size(), data.train.size(), opts.log_every()));
  }
  const int64_t rollout = cfg.get_int("train.rollout", 1);
  if (rollout > 1) {
    opts.windows(
            std::make_shared<WindowSet>(make_windows(data, train_series, rollout, dtype, device)))
        .rollout_start(cfg.get_int("train.rollout_start", 0));
    if (!validation_series.empty())
      opts.validation_windows(std::make_shared<WindowSet>(
          make_windows(data, validation_series, rollout, dtype, device)));
  }
  ctx.say(fmt::format(
      "training {} ({}, {}) on {} from {} for {} iterations", cfg.get_string("model.type", "dgnet"),
      cfg.get_string("model.network", "mlp"), opts.step().integrator(),
      rollout > 1 ? fmt::format("{} windows of {} steps (from iteration {})",
                                opts.windows()->size(), rollout, opts.rollout_start() + 1)
                  : fmt::format("{} pairs", train_pairs.size()),
      cfg.get_string("data.path", "data in memory"), iters));
  const auto progress = named(ctx.progress(), "iter", "loss", "");
  auto rep = train(*model, train_pairs, opts, progress);
  if (lbfgs.iterations() > 0) {
    ctx.say("L-BFGS (strong Wolfe) refinement");
    auto lr = lbfgs_refine(*model, train_pairs, lbfgs, progress);
    ctx.say(fmt::format("  loss {:.4e} -> {:.4e} in {} steps, {} evaluations ({})", lr.initial_loss,
                        lr.final_loss, lr.iterations, lr.evaluations, lr.stop));
    rep.final_loss = lr.final_loss;
    rep.seconds += lr.seconds;
  }
  // Recorded in the model file, so reports can cite the training cost of a model.
  cfg.set("result.train_seconds", fmt::format("{:.3f}", rep.seconds));
  cfg.set("result.train_loss", fmt::format("{:.17g}", rep.final_loss));
  // How it was trained: processes, the global batch they shared (its last phase's, in pairs
  // or windows) and the one seed every rank drew the batches from.
  const int64_t batch_n = rollout > 1 ? opts.windows()->size() : train_pairs.size();
  cfg.set("result.world_size", std::to_string(rep.world_size));
  cfg.set("result.global_batch",
          std::to_string(opts.batch() <= 0 ? batch_n : std::min(opts.batch(), batch_n)));
  cfg.set("result.seed", std::to_string(seed));
  if (rank0) save_model(out, *model, cfg);
  const double test_mse =
      !rank0 || data.test.empty()
          ? std::nan("")
          : rate_mse(*model, make_pairs_by(derivative, data, data.test, dtype, device),
                     train_step_options(cfg));
  RunResult r;
  r.name = fs::path(out).stem().string();
  r.metrics = {{"model", out},
               {"iterations", rep.iterations},
               {"train_loss", rep.final_loss},
               {"test_step_mse", test_mse},
               {"seconds", rep.seconds}};
  // The loss curve (mean over each log interval), for comparing runs and plotting.
  if (!rep.logged_loss.empty()) {
    r.metrics.emplace_back("loss_iterations", std::vector<double>(rep.logged_iterations.begin(),
                                                                  rep.logged_iterations.end()));
    r.metrics.emplace_back("loss_curve", rep.logged_loss);
  }
  if (rep.world_size > 1) {  // the price of many processes, per iteration of this run
    const auto n = static_cast<double>(std::max<int64_t>(1, rep.iterations - rep.start_iteration));
    r.metrics.emplace_back("world_size", static_cast<int64_t>(rep.world_size));
    r.metrics.emplace_back("allreduce_bytes_per_iteration",
                           static_cast<double>(rep.comm_bytes) / n);
    r.metrics.emplace_back("allreduce_seconds_per_iteration", rep.comm_seconds / n);
    r.metrics.emplace_back("backward_seconds_per_iteration", rep.backward_seconds / n);
  }
  if (!rep.logged_validation.empty()) {
    r.metrics.emplace_back("validation_loss", rep.validation_loss);
    r.metrics.emplace_back("best_iteration", rep.best_iteration);
    r.metrics.emplace_back("stopped_early", rep.stopped_early);
    r.metrics.emplace_back("validation_curve", rep.logged_validation);
  }
  r.files = {out};
  return r;
}

RunResult evaluate_experiment(const EvaluateRequest& q) {
  const auto l = load_request(q, q.step_integrator);
  const auto ev = evaluate_loaded(l, q.steps);
  RunResult r;
  r.name = fs::path(q.model).stem().string();
  r.metrics = {{"model", q.model},
               {"series", static_cast<int64_t>(l.series.size())},
               {"integrator", l.predict.integrator()},
               {"step_integrator", l.step.integrator()}};
  // Only where the true du/dt is known (a reference system); not for measured records.
  if (!std::isnan(ev.deriv_mse)) r.metrics.emplace_back("deriv_mse", ev.deriv_mse);
  r.metrics.emplace_back("step_mse", ev.step_mse);
  r.metrics.emplace_back("state_mse", ev.state_mse);
  for (const auto& [k, v] : ev.invariant_mse) r.metrics.emplace_back(k + "_mse", v);
  add_learned_energy_metrics(r, ev);
  return r;
}

RunResult predict_experiment(const EvaluateRequest& q, const std::string& output,
                             const std::string& plot_dir) {
  if (output.empty()) throw std::invalid_argument("predict needs an output file (-o FILE.h5)");
  const auto l = load_request(q, "");
  const auto ev = evaluate_loaded(l, q.steps);
  const auto plots = write_prediction(l, ev, output, plot_dir);
  RunResult r;
  r.name = fs::path(output).stem().string();
  r.metrics = {{"output", output},
               {"series", static_cast<int64_t>(ev.prediction.size(0))},
               {"steps", static_cast<int64_t>(ev.prediction.size(1) - 1)},
               {"state_mse", ev.state_mse}};
  add_learned_energy_metrics(r, ev);
  r.files.push_back(output);
  r.files.insert(r.files.end(), plots.begin(), plots.end());
  return r;
}

}  // namespace enflow::learn
