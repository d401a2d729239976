// `enflow reproduce ggd`: generalized gradient dynamics on the reference work's problems
// (Votruba & Pavelka: overdamped particle, chemical kinetics A + 2B ⇌ C, C + D ⇌ A in three
// variants, Fickian diffusion), beside its test MSEs. Each case writes its dataset, config,
// model and plots; training runs the `enflow train` command itself on the written config,
// so every row can be re-run by hand with the command printed in table.md.
#include <fmt/core.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/dataset.h"
#include "enflow/io/plot.h"
#include "enflow/learn/central_pairs.h"
#include "enflow/learn/ggd_compare.h"
#include "enflow/learn/ggd_plots.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/model_io.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/ggd.h"
#include "enflow/models/stepper.h"
#include "enflow/runtime.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/gradient_system.h"
#include "reproduce_util.h"

namespace enflow::cli {
namespace {

using learn::plot_ggd;

namespace fs = std::filesystem;

struct DataSpec {
  std::string system;
  std::vector<std::string> params;  // KEY=VALUE
  int64_t series, steps;
  double dt, train_fraction;
};

struct Case {
  std::string name, setting, data, reference;  // the config is configs/ggd/<name>.toml
};

// The dataset protocols (docs/ggd.md) are configs/ggd/data/<key>.toml; --quick shrinks them.
DataSpec dataset_spec(const std::string& key, bool quick) {
  const auto path = (config_dir("ggd", "reproduce ggd") / "data" / (key + ".toml")).string();
  const auto c = io::Config::load(path);
  c.check_known({"system", "params", "series", "steps", "dt", "train_fraction"});
  DataSpec d{c.require_string("system"), c.get_strings("params", {}),
             c.require_int("series"),    c.require_int("steps"),
             c.require_double("dt"),     c.require_double("train_fraction")};
  if (quick) {
    d.series = std::min<int64_t>(d.series, key.rfind("diffusion", 0) == 0 ? 32 : 12);
    d.steps = std::min<int64_t>(d.steps, 200);
  }
  return d;
}

std::vector<Case> cases() {
  return {
      {"particle-1d", "S, Ξ learned (ICNN, PICNN 2×16)", "particle-1d", "— (plots only)"},
      {"particle-2d", "S, Ξ learned (ICNN, PICNN 2×16)", "particle-2d", "— (plots only)"},
      {"chemistry-prescribed-entropy", "S = −Σc(ln c − 1) prescribed, Ξ learned (PICNN 2×32)",
       "chemical-kinetics", "1.760e-05"},
      {"chemistry-prescribed-dissipation",
       "Ξ = Σ 4k√(c^α c^β)(cosh(γ·x*/2) − 1) prescribed, S learned (ICNN 2×32)",
       "chemical-kinetics", "7.026e-05"},
      {"chemistry-learned", "S, Ξ learned (ICNN 2×32, PICNN 2×32)", "chemical-kinetics",
       "2.051e-05"},
      {"chemistry-learned-discrete", "as above, discrete-time loss ∂Ξ/∂x*(x̄, ∇̄S(x₁, x₀)) (ours)",
       "chemical-kinetics", "— (ours)"},
      {"chemistry-learned-mixture",
       "S, Ξ learned; S with a learned ideal-mixture term −Σaᵢcᵢ(ln cᵢ − 1), Ξ reading ln c "
       "(ours)",
       "chemical-kinetics", "— (ours)"},
      {"diffusion", "S, Ξ learned, periodic-grid ICNN/PICNN, 8 channels × 2, stencil 3",
       "diffusion", "— (MSE per start type)"},
  };
}

// Overrides for --quick: minutes instead of hours.
const std::vector<std::string>& quick_overrides() {
  static const std::vector<std::string> q = {"train.iterations=200", "train.lbfgs_iterations=5",
                                             "train.lbfgs_batch=2000"};
  return q;
}

std::string generate(const DataSpec& s, const std::string& path, uint64_t seed) {
  auto sys = systems::make_system(s.system, systems::parse_param_overrides(s.params, s.system));
  systems::Protocol p;
  p.series = s.series;
  p.steps = s.steps;
  p.dt = s.dt;
  p.train_fraction = s.train_fraction;
  p.source = "Votruba & Pavelka protocol (enflow reproduce ggd)";
  io::save_dataset(path, systems::generate_dataset(*sys, p, seed));
  std::string params;
  for (const auto& q : s.params) params += " --param " + q;
  return fmt::format(
      "enflow generate {} --series {} --steps {} --dt {} --train-fraction {}{} --seed {} -o {}",
      s.system, s.series, s.steps, s.dt, s.train_fraction, params, seed, path);
}

std::string fmt_or_dash(double v, const char* f = "{:.3e}") {
  return std::isnan(v) ? "—" : fmt::format(fmt::runtime(f), v);
}

int run(const ReproduceOptions& opts, const Common& common) {
  init_threads(common.threads > 0 ? common.threads : 1);  // small networks: 1 thread is fastest
  const std::string root = opts.out_dir + "/ggd";
  fs::create_directories(root + "/data");
  std::map<std::string, std::string> data_path;
  std::vector<std::string> commands;
  auto dataset = [&](const std::string& key) {
    if (!data_path.count(key)) {
      const std::string p = root + "/data/" + key + ".h5";
      if (!common.json) fmt::print(stderr, "generating {} ...\n", p);
      commands.push_back(generate(dataset_spec(key, opts.quick), p,
                                  opts.seed + (key.rfind("diffusion-", 0) == 0 ? 1000 : 0)));
      data_path[key] = p;
    }
    return data_path[key];
  };
  std::string table =
      "| case | setting | test MSE (central diff.) | reference | MSE vs exact rate | "
      "training-scheme loss | entropy decreases (discrete, dt and 10 dt) | gauge rel. err. S / Ξ | "
      "train s |\n|---|---|---|---|---|---|---|---|---|\n";
  std::string json = "[";
  std::vector<std::string> names;
  for (const auto& c : cases()) names.push_back(c.name);
  const CaseFilter only("ENFLOW_GGD_ONLY", names);
  for (const auto& c : cases()) {
    if (!only.keeps(c.name)) continue;
    const std::string dir = root + "/" + c.name;
    fs::create_directories(dir);
    const std::string model_path = dir + "/model.pt";
    const std::string cfg_path = (config_dir("ggd", "reproduce ggd") / (c.name + ".toml")).string();
    std::vector<std::string> args{"--config", cfg_path,
                                  "--set",    "data.path=" + dataset(c.data),
                                  "--set",    "output.model=" + model_path,
                                  "--set",    fmt::format("run.seed={}", opts.seed)};
    if (opts.quick) {
      for (const auto& q : quick_overrides()) args.insert(args.end(), {"--set", q});
    }
    const std::string cmd = command_line("train", args);
    commands.push_back(cmd);
    if (!common.json) fmt::print(stderr, "{}\n", cmd);
    const auto t0 = std::chrono::steady_clock::now();
    if (run_command("train", args) != 0) throw std::runtime_error("training " + c.name + " failed");
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    auto lm = learn::load_model(model_path);
    auto& m = dynamic_cast<models::GgdModelImpl&>(*lm.model);
    auto data = io::load_dataset(dataset(c.data));
    auto sys_ptr = systems::make_system(data.system, data.params);
    auto& sys = dynamic_cast<systems::GeneralizedGradientSystem&>(*sys_ptr);
    auto r = learn::measure_ggd(m, lm.config, data, sys, data.test);
    const int64_t horizon = std::min<int64_t>(data.states.size(1) - 1, opts.quick ? 20 : 200);
    auto x0 = data.states.select(1, 0).index_select(0, torch::tensor(data.test));
    learn::check_entropy_law(m, x0, data.dt, horizon, r);
    std::string extra;
    if (c.name == "diffusion") {  // generalization to the other start types
      for (const char* s : {"polynomial", "discontinuous", "gaussian"}) {
        auto d = io::load_dataset(dataset(std::string("diffusion-") + s));
        std::vector<int64_t> all(d.states.size(0));
        for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
        auto rs = learn::measure_ggd(m, lm.config, d, sys, all);
        extra += fmt::format("<br>{}: {} (vs exact {})", s, fmt_or_dash(rs.mse_central),
                             fmt_or_dash(rs.mse_exact));
        json += fmt::format(
            "{}{{\"name\": \"diffusion-{}\", \"mse_central\": {:.6e}, \"mse_exact\": {:.6e}}}",
            json.size() > 1 ? ", " : "", s, rs.mse_central, rs.mse_exact);
      }
    }
    // Plots: the prediction from the first test series over the horizon.
    if (io::gnuplot_available()) {
      auto t = torch::arange(horizon + 1, torch::kFloat64) * data.dt;
      auto pred = models::rollout(m, x0.narrow(0, 0, std::min<int64_t>(3, x0.size(0))), t,
                                  models::StepOptions().integrator("discrete_gradient"));
      auto truth = data.states.index_select(0, torch::tensor(data.test))
                       .narrow(0, 0, pred.size(0))
                       .narrow(1, 0, horizon + 1);
      std::vector<double> tv(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
      plot_ggd(m, &sys, pred, truth, tv, data.test, dir + "/" + c.name);
    }
    const std::string decreases = fmt::format("{} of {}", r.entropy_decreases, r.entropy_steps);
    table += fmt::format("| {} | {}{} | {} | {} | {} | {} | {} | {} / {} | {:.0f} |\n", c.name,
                         c.setting, extra, fmt_or_dash(r.mse_central), c.reference,
                         fmt_or_dash(r.mse_exact), fmt_or_dash(r.mse_scheme), decreases,
                         fmt_or_dash(r.gauge_S, "{:.2e}"), fmt_or_dash(r.gauge_Xi, "{:.2e}"), secs);
    json += fmt::format(
        "{}{{\"name\": \"{}\", \"mse_central\": {:.6e}, \"mse_exact\": {:.6e}, \"mse_scheme\": "
        "{:.6e}, "
        "\"entropy_decreases\": {}, \"entropy_steps\": {}, \"entropy_min_increment\": {:.6e}, "
        "\"seconds\": {:.1f}}}",
        json.size() > 1 ? ", " : "", c.name, r.mse_central, r.mse_exact, r.mse_scheme,
        r.entropy_decreases, r.entropy_steps, r.entropy_min_increment, secs);
    if (!common.json) {
      fmt::print(stderr, "  test MSE {} (reference {}), entropy decreases {}\n",
                 fmt_or_dash(r.mse_central), c.reference, decreases);
    }
  }
  json += "]\n";
  std::string header = fmt::format("# {}enflow reproduce ggd{} --seed {}\n\n",
                                   only.command_prefix(), opts.quick ? " --quick" : "", opts.seed);
  write_report(root, header, table, commands, json, common.json,
               "one folder per case (config, model, plots)");
  return 0;
}

const ReproductionRegistrar reg(
    "ggd",
    "Generalized gradient dynamics: particle, chemical kinetics (3 variants), "
    "diffusion vs Votruba & Pavelka",
    run);

}  // namespace
}  // namespace enflow::cli
