// `enflow reproduce evnn`: the EVNN problems (Eulerian and Lagrangian) against their exact
// solutions, beside the anchors of issue 7: relative L² errors at chosen times, the discrete
// energy at every step (energy.csv per run), wall time per step, snapshot and energy plots.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/flows/evnn.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/runtime.h"
#include "reproduce_util.h"

namespace enflow::cli {
namespace {

// The cases, in the order of the table. Each is configs/evnn/<name>.toml, run as it is (with
// the --quick overrides, the seed and the target draw on top); its [reproduce] table holds what
// the row says about it. This command reads its experiments from configs/ only.
const char* const kCases[] = {"poisson_square",   "poisson_disk",      "poisson_4d",
                              "poisson_8d",       "poisson_16d",       "heat_2d",
                              "allen_cahn",       "allen_cahn_volume", "fokker_planck_1d",
                              "fokker_planck_2d", "fokker_planck_4d",  "fokker_planck_8d",
                              "ou_mokrov_1d",     "ou_mokrov_4d",      "ou_mokrov_12d",
                              "porous_medium_m2", "porous_medium_m4"};

struct Case {
  std::string name, path, setting;
  std::vector<std::string> quick;  // overrides for --quick
  std::string anchor;
  int draws = 1;  // draws of the problem's random target (problem.target_seed = 0, 1, …)
};

Case read_case(const std::string& name) {
  Case c;
  c.name = name;
  c.path = (config_dir("evnn", "reproduce evnn") / (name + ".toml")).string();
  const auto f = io::Config::load(c.path);
  for (const auto& k : f.keys()) {
    if (k.rfind("reproduce.", 0) == 0 && k != "reproduce.setting" && k != "reproduce.anchor" &&
        k != "reproduce.quick" && k != "reproduce.draws")
      throw std::runtime_error("config '" + c.path + "': unknown key '" + k + "'");
  }
  c.setting = f.require_string("reproduce.setting");
  c.anchor = f.require_string("reproduce.anchor");
  c.quick = f.get_strings("reproduce.quick", {});
  c.draws = static_cast<int>(f.get_int("reproduce.draws", 1));
  if (c.draws < 1)
    throw std::runtime_error("config '" + c.path + "': reproduce.draws must be >= 1");
  return c;
}

std::vector<Case> cases() {
  std::vector<Case> c;
  for (const char* name : kCases) c.push_back(read_case(name));
  return c;
}

/// One case's runs (several draws of the problem's random target, or one) summarized as a row.
struct Row {
  std::vector<flows::EvnnResult> runs;
  double mean(const std::function<double(const flows::EvnnResult&)>& f) const {
    double s = 0;
    for (const auto& r : runs) s += f(r);
    return s / static_cast<double>(runs.size());
  }
  /// "mean" or, over several draws, "mean (min–max)".
  std::string show(const std::function<double(const flows::EvnnResult&)>& f,
                   const char* format) const {
    std::string m = fmt::format(format, mean(f));
    if (runs.size() < 2) return m;
    double lo = f(runs[0]), hi = lo;
    for (const auto& r : runs) {
      lo = std::min(lo, f(r));
      hi = std::max(hi, f(r));
    }
    return m + " (" + fmt::format(format, lo) + "–" + fmt::format(format, hi) + ")";
  }
};

std::string table_row(const Case& c, const Row& row, bool quick) {
  const auto& r0 = row.runs.front();
  std::string setting = c.setting;
  if (row.runs.size() > 1)
    setting += fmt::format("; mean (min–max) over {} target draws, problem.target_seed = 0…{}",
                           row.runs.size(), row.runs.size() - 1);
  if (quick) {
    setting += " [--quick:";
    for (const auto& q : c.quick) setting += " " + q;
    setting += "]";
  }
  if (c.name.rfind("allen", 0) == 0)
    setting += fmt::format("; R(t) = {:.3f} (sharp-interface law {:.3f}), volume {:.6f} → {:.6f}",
                           r0.metric("radius_final"), r0.metric("radius_sharp_interface"),
                           r0.metric("volume_initial"), r0.metric("volume_final"));
  if (!r0.sym_kl.empty()) {
    setting +=
        "; mean err " +
        row.show([](const flows::EvnnResult& r) { return r.metric("mean_error"); }, "{:.2e}") +
        ", cov err " +
        row.show([](const flows::EvnnResult& r) { return r.metric("cov_rel_error"); }, "{:.2e}") +
        "; sym. KL on the fitted particles " +
        row.show([](const flows::EvnnResult& r) { return r.sym_kl_particles.back(); }, "{:.2e}");
  }
  const bool has_error = !r0.error.empty();
  const std::string t = fmt::format("{:.3g}", has_error ? r0.error_t.back() : r0.t.back());
  const std::string err =
      has_error ? row.show([](const flows::EvnnResult& r) { return r.error.back(); }, "{:.3e}")
                : "—";
  const std::string max_err =
      r0.metric("max_rel_l2", -1) >= 0
          ? row.show([](const flows::EvnnResult& r) { return r.metric("max_rel_l2"); }, "{:.3e}")
          : "—";
  const std::string kl =
      r0.sym_kl.empty()
          ? "—"
          : row.show([](const flows::EvnnResult& r) { return r.sym_kl.back(); }, "{:.2e}");
  int64_t increases = 0, rejected = 0;
  for (const auto& r : row.runs) {
    increases += r.energy_increases;
    rejected += r.rejected;
  }
  const double sps = row.mean([](const flows::EvnnResult& r) {
    return r.wall_seconds / std::max<size_t>(1, r.step_seconds.size());
  });
  return fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.3f} |\n", c.name, setting,
                     t, err, max_err, kl, c.anchor, increases, rejected, sps);
}

int run(const ReproduceOptions& opts, const Common& common) {
  init_threads(common.threads > 0 ? common.threads : 1);  // small networks: 1 thread is fastest
  const std::string root = opts.out_dir + "/evnn";
  std::filesystem::create_directories(root);
  std::string table =
      "| problem | setting | t | rel. L² error | max rel. L² over the run | sym. KL | anchor "
      "(issue 7) | energy increases | rejected steps | s/step |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  std::vector<io::Series> decay;
  std::string json = "[";
  // ENFLOW_EVNN_ONLY="heat_2d,poisson_4d" runs a subset of the cases (long protocols).
  const std::vector<Case> all = cases();
  std::vector<std::string> names;
  for (const auto& c : all) names.push_back(c.name);
  const CaseFilter only("ENFLOW_EVNN_ONLY", names);
  for (const auto& c : all) {
    if (!only.keeps(c.name)) continue;
    const int draws = opts.quick ? 1 : c.draws;
    for (int trial = 0; trial < opts.trials; ++trial) {
      Row row;
      for (int draw = 0; draw < draws; ++draw) {
        std::vector<std::string> ov = opts.quick ? c.quick : std::vector<std::string>{};
        ov.push_back(fmt::format("run.seed={}", opts.seed + trial));
        if (c.draws > 1) ov.push_back(fmt::format("problem.target_seed={}", draw));
        // run_evnn rejects unknown keys: it gets the file without the [reproduce] table.
        const auto cfg = io::Config::load(c.path, ov).without("reproduce");
        if (!common.json)
          fmt::print(stderr, "{} (seed {}{}) ...\n", c.name, opts.seed + trial,
                     c.draws > 1 ? fmt::format(", target draw {}", draw) : "");
        row.runs.push_back(flows::run_evnn(cfg));
        const auto& r = row.runs.back();
        std::string dir = root + "/" + c.name;
        if (opts.trials > 1) dir += fmt::format("_seed{}", opts.seed + trial);
        if (c.draws > 1) dir += fmt::format("/draw{}", draw);
        std::filesystem::create_directories(dir);
        flows::write_evnn_outputs(r, dir, cfg.to_toml());
        json += (json.size() > 1 ? ", " : "") +
                fmt::format("{{\"name\": \"{}\", \"target_draw\": {}, \"result\": {}}}", c.name,
                            c.draws > 1 ? draw : -1, flows::evnn_summary_json(r));
        if (!common.json)
          fmt::print(stderr,
                     "  rel L2 {:.3e}  sym KL {:.3e}  energy increases {}  rejected {}  {:.3f} "
                     "s/step\n",
                     r.error.empty() ? 0.0 : r.error.back(),
                     r.sym_kl.empty() ? 0.0 : r.sym_kl.back(), r.energy_increases, r.rejected,
                     r.wall_seconds / std::max<size_t>(1, r.step_seconds.size()));
      }
      table += table_row(c, row, opts.quick);
      if (trial == 0) {
        // Normalized energy decay (F − F_end)/(F_0 − F_end) for one picture of all runs.
        const auto& r = row.runs.front();
        std::string label = c.name;  // gnuplot's enhanced text reads '_' as a subscript
        std::replace(label.begin(), label.end(), '_', '-');
        io::Series s{label, {}, {}};
        const double f0 = r.energy.front(), f1 = r.energy.back();
        for (size_t k = 0; k + 1 < r.energy.size(); ++k) {
          s.x.push_back(static_cast<double>(k) / std::max<size_t>(1, r.energy.size() - 1));
          s.y.push_back(std::max((r.energy[k] - f1) / std::max(f0 - f1, 1e-300), 1e-16));
        }
        decay.push_back(s);
      }
    }
  }
  json += "]\n";
  const std::string header =
      fmt::format("# {}enflow reproduce evnn{} --seed {} --trials {}\n\n", only.command_prefix(),
                  opts.quick ? " --quick" : "", opts.seed, opts.trials);
  write_text(root + "/table.md", header + table);
  write_text(root + "/results.json", json);
  if (io::gnuplot_available())
    io::plot_lines(root + "/energy_decay.png",
                   {"EVNN: normalized discrete energy (F - F_end)/(F_0 - F_end)",
                    "fraction of the run", "normalized energy", true},
                   decay);
  if (common.json) {
    fmt::print("{}", json);
  } else {
    fmt::print("{}{}\nwrote {}/table.md, results.json, energy_decay.png and one folder per run\n",
               header, table, root);
  }
  return 0;
}

const ReproductionRegistrar reg("evnn",
                                "EVNN gradient flows (Eulerian, Lagrangian) vs exact solutions",
                                run);

}  // namespace
}  // namespace enflow::cli
