// `enflow reproduce particles`: the SVGD examples (1-D mixture from N(−10, 1), 2-D banana and
// mixture, Bayesian logistic regression against MALA), mean-field teacher–student training and
// the potential-flow model on two moons, eight Gaussians and the checkerboard — run through the
// `enflow solve` kinds, with the references (exact moments, i.i.d. baselines, MALA, entropy
// floors) beside our numbers in <out>/particles/table.md.
#include <fmt/core.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "enflow/run.h"
#include "reproduce_util.h"
#include "run_output.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name, setting;
  std::string config;              ///< configs/particles/<config>.toml
  std::vector<std::string> extra;  ///< overrides on top of the config (a variant of it)
  std::vector<std::string> quick;  ///< overrides for --quick
  /// Our numbers and the reference, from the run's metrics.
  std::function<std::string(const io::Config&)> ours, reference;
};

std::string svgd_ours(const io::Config& m) {
  std::string s = fmt::format("energy dist. {:.2e}; mean err {:.3f}; cov rel. err {:.3f}",
                              m.require_double("energy_distance"), m.require_double("mean_error"),
                              m.require_double("cov_rel_error"));
  if (m.has("mode_weight_error"))
    s += fmt::format("; mode weight err {:.3f}", m.require_double("mode_weight_error"));
  return s;
}
std::string svgd_ref(const io::Config& m) {
  return fmt::format("energy dist. of {} i.i.d. exact samples {:.2e}; exact moments",
                     m.require_int("particles"), m.require_double("energy_distance_iid"));
}
std::string pf_ours(const io::Config& m) {
  return fmt::format("test NLL {:.3f} ± {:.3f} (gap {:+.3f})", m.require_double("test_nll"),
                     m.require_double("test_nll_se"), m.require_double("gap"));
}
std::string pf_ref(const io::Config& m) {
  return m.require_double("floor_se") > 0
             ? fmt::format("entropy {:.3f} ± {:.3f} (exact density, MC)", m.require_double("floor"),
                           m.require_double("floor_se"))
             : fmt::format("floor {:.3f} (closed form)", m.require_double("floor"));
}

std::vector<Case> cases() {
  const std::vector<std::string> pf_quick{
      "train.iterations=60", "data.test_size=2000",          "eval.steps=[4,8]",
      "eval.grid=81",        "eval.reference_samples=20000", "flow.width=16"};
  const std::vector<std::string> svgd_quick{"svgd.iterations=200", "output.snapshots=[0,200]"};
  return {
      {"svgd_gmm_1d",
       "1/3 N(-2,1) + 2/3 N(2,1) from N(-10,1), 100 particles, AdaGrad",
       "svgd_gmm_1d",
       {},
       {"svgd.iterations=300", "output.snapshots=[0,50,300]"},
       svgd_ours,
       svgd_ref},
      {"svgd_banana",
       "banana x1 ~ N(0,4), x2 \\| x1 ~ N(x1^2/4 - 1, 1), 200 particles from N(0, I)",
       "svgd_banana",
       {},
       svgd_quick,
       svgd_ours,
       svgd_ref},
      {"svgd_mixture_2d",
       "0.5/0.3/0.2 mixture of N(., 0.7^2 I) at (-2,-2), (2,-1), (0,2.5); 200 particles; "
       "annealed over the first 1000 of 2000 iterations",
       "svgd_mixture_2d",
       {},
       {"svgd.iterations=200", "svgd.anneal=100", "output.snapshots=[0,200]"},
       svgd_ours,
       svgd_ref},
      {"svgd_mixture_2d_plain",
       "the same without annealing (plain SVGD)",
       "svgd_mixture_2d",
       {"svgd.anneal=0"},
       svgd_quick,
       svgd_ours,
       svgd_ref},
      {"svgd_logistic",
       "Bayesian logistic regression, 4 features + intercept, 200 train / 2000 test (synthetic, "
       "seed 0), prior N(0, 2^2 I), 100 particles",
       "svgd_logistic",
       {},
       {"svgd.iterations=200", "reference.burn_in=300", "reference.samples=200",
        "output.snapshots=[0,200]"},
       [](const io::Config& m) {
         return fmt::format(
             "test acc. {:.4f}, log-lik. {:.4f}; mean err {:.3f} sd; sd ratio "
             "{:.2f}-{:.2f}",
             m.require_double("test_accuracy"), m.require_double("test_log_likelihood"),
             m.require_double("mean_error_in_sd"), m.require_double("sd_ratio_min"),
             m.require_double("sd_ratio_max"));
       },
       [](const io::Config& m) {
         return fmt::format("MALA ({} samples): test acc. {:.4f}, log-lik. {:.4f}",
                            m.require_int("mala_samples"), m.require_double("mala_test_accuracy"),
                            m.require_double("mala_test_log_likelihood"));
       }},
      {"mean_field",
       "two-layer ReLU, 3 teacher neurons, 2-D inputs, 1000 train points, 500 particles, "
       "tau = 0.05",
       "mean_field_teacher_student",
       {},
       {"flow.steps=200", "output.snapshots=[0,50,200]", "data.n_test=2000"},
       [](const io::Config& m) {
         return fmt::format("test loss / loss of f=0: {:.2e}; train loss {:.2e}; increases {}",
                            m.require_double("test_loss_relative"),
                            m.require_double("train_loss_final"), m.require_int("loss_increases"));
       },
       [](const io::Config&) { return std::string("0 (the teacher is in the model class)"); }},
      {"mean_field_noisy",
       "as above with temperature T = 1e-4 and weight decay 1e-3 (entropic flow)",
       "mean_field_teacher_student",
       {"flow.temperature=1e-4", "flow.weight_decay=1e-3"},
       {"flow.steps=200", "output.snapshots=[0,50,200]", "data.n_test=2000"},
       [](const io::Config& m) {
         return fmt::format("test loss / loss of f=0: {:.2e}; train loss {:.2e}",
                            m.require_double("test_loss_relative"),
                            m.require_double("train_loss_final"));
       },
       [](const io::Config&) { return std::string("> 0 (noise and decay bias the minimizer)"); }},
      {"pf_two_moons",
       "potential flow, phi(x,t) tanh 2x64, T = 1, 8 RK4 steps, 3000 x 256",
       "potential_flow_two_moons",
       {},
       pf_quick,
       pf_ours,
       pf_ref},
      {"pf_eight_gaussians",
       "same",
       "potential_flow_eight_gaussians",
       {},
       pf_quick,
       pf_ours,
       pf_ref},
      {"pf_checkerboard", "same", "potential_flow_checkerboard", {}, pf_quick, pf_ours, pf_ref},
  };
}

int reproduce(const ReproduceOptions& ro, const Common& common) {
  const std::string dir = (fs::path(ro.out_dir) / "particles").string();
  fs::create_directories(dir);
  std::string table = "| run | setting | ours | reference | seconds |\n|---|---|---|---|---|\n";
  std::string exact =
      "| run | RK4 steps | ∫p on grid − 1 | max \\|z − pull(push(z))\\| | max \\|Δ log p\\| round "
      "trip "
      "| test NLL |\n|---|---|---|---|---|---|\n";
  std::string json = "[";
  // ENFLOW_PARTICLES_ONLY="svgd_banana,mean_field" runs a subset of the cases (long protocols).
  std::vector<std::string> names;
  for (const auto& c : cases()) names.push_back(c.name);
  const CaseFilter only("ENFLOW_PARTICLES_ONLY", names);
  const fs::path cfg_dir = config_dir("particles", "reproduce particles");
  std::string commands;  // what each row ran
  for (const auto& c : cases()) {
    if (!only.keeps(c.name)) continue;
    for (int t = 0; t < ro.trials; ++t) {
      const std::string name = c.name + (ro.trials > 1 ? fmt::format("_seed{}", ro.seed + t) : "");
      std::vector<std::string> ov = c.extra;
      if (ro.quick) ov.insert(ov.end(), c.quick.begin(), c.quick.end());
      ov.push_back(fmt::format("run.seed={}", ro.seed + uint64_t(t)));
      ov.push_back("output.name='" + name + "'");
      const std::string path = (cfg_dir / (c.config + ".toml")).string();
      const auto cfg = io::Config::load(path, ov);
      std::vector<std::string> args{"--config", path, "--out", dir};
      for (const auto& o : ov) args.insert(args.end(), {"--set", o});
      const std::string cmd = command_line("solve", args);
      commands += cmd + "\n";
      if (!common.json) fmt::print(stderr, "[{}] seed {}: {}\n", c.name, ro.seed + t, cmd);
      print_result(enflow::solve(cfg, run_context(common, dir)), common);
      const auto m = io::Config::load((fs::path(dir) / (name + ".metrics.toml")).string());
      std::string setting = c.setting;
      if (ro.quick) {  // the table must say what actually ran
        setting += " [--quick:";
        for (const auto& q : c.quick) setting += " " + q;
        setting += "]";
      }
      table += fmt::format("| {} | {} | {} | {} | {:.0f} |\n", name, setting, c.ours(m),
                           c.reference(m), m.require_double("seconds"));
      json += fmt::format("{}{{\"name\": \"{}\", \"metrics\": \"{}.metrics.toml\"}}",
                          json.size() > 1 ? ", " : "", name, name);
      if (m.has("floor")) {
        for (int64_t s : cfg.get_ints("eval.steps", {})) {
          exact += fmt::format("| {} | {} | {:+.2e} | {:.2e} | {:.2e} | {:.4f} |\n", name, s,
                               m.require_double(fmt::format("grid_mass_steps_{}", s)) - 1,
                               m.require_double(fmt::format("roundtrip_error_steps_{}", s)),
                               m.require_double(fmt::format("logp_roundtrip_error_steps_{}", s)),
                               m.require_double(fmt::format("test_nll_steps_{}", s)));
        }
      }
    }
  }
  json += "]\n";
  const std::string header = fmt::format(
      "# {}enflow reproduce particles{} --seed {} --trials {}\n\nOne CPU process; seconds are "
      "wall time.\n\n",
      only.command_prefix(), ro.quick ? " --quick" : "", ro.seed, ro.trials);
  const std::string text = header + table + "\n## Potential flow: exactness against RK4 steps\n\n" +
                           exact + "\nCommands (what each row ran):\n\n```sh\n" + commands +
                           "```\n";
  write_text((fs::path(dir) / "table.md").string(), text);
  write_text((fs::path(dir) / "results.json").string(), json);
  if (common.json) {
    fmt::print("{}", json);
  } else {
    fmt::print("\n{}\nwrote {}/table.md, results.json, and per-run metrics, CSV and PNG files\n",
               text, dir);
  }
  return 0;
}

const ReproductionRegistrar reg("particles",
                                "SVGD, mean-field training and potential-flow models against "
                                "exact moments, MALA and entropy floors",
                                reproduce);

}  // namespace
}  // namespace enflow::cli
