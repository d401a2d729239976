// `enflow sample`: draws samples from a trained potential-flow model (`--model`, with their
// log-density), or runs the SVGD sampler of a config (`--config`, problem.kind = "svgd"), and
// writes them as CSV atomically, with an optional PNG of the samples.
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "enflow/io/csv.h"
#include "enflow/io/plot.h"
#include "enflow/io/plot_data.h"
#include "enflow/particles/potential_flow.h"
#include "enflow/particles/svgd_setup.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "run_output.h"

namespace enflow::cli {
namespace {

namespace pt = enflow::particles;

struct SampleArgs {
  std::string model, config, out, plot;
  std::vector<std::string> overrides;
  int64_t n = 10000, steps = 0;
  uint64_t seed = 0;
};

std::vector<std::string> coordinate_columns(int64_t d) {
  std::vector<std::string> c;
  for (int64_t k = 0; k < d; ++k) c.push_back(fmt::format("x{}", k + 1));
  return c;
}

void plot_samples(const std::string& path, const std::string& title, const at::Tensor& x,
                  pt::PotentialFlowImpl* flow) {
  if (x.size(1) != 2) throw std::invalid_argument("--plot needs 2-D samples");
  io::Panel2d p;
  p.title = title;
  const double box = x.abs().max().item<double>() * 1.05;
  if (flow) {
    const int64_t n = 121;
    auto g = io::grid_points(box, n, x.options());
    p.background = io::grid_heatmap(torch::exp(flow->log_prob(g)), box, n);
    p.cblabel = "model density";
  }
  p.points.push_back(io::point_set("", x.narrow(0, 0, std::min<int64_t>(x.size(0), 5000)),
                                   flow ? "white" : "#1f77b4", 0.3));
  p.xmin = p.ymin = -box;
  p.xmax = p.ymax = box;
  p.equal_axes = true;
  io::plot_panels(path, {"enflow sample", "x_1", "x_2", false, 700, 640}, {p}, 1);
}

int sample_model(const SampleArgs& a, const Common& common) {
  init_threads(common.threads > 0 ? common.threads : 1);
  if (a.n < 1) throw std::invalid_argument("sample: -n must be >= 1");
  if (a.steps < 0) throw std::invalid_argument("sample: --steps must be >= 0");
  auto loaded = pt::load_potential_flow(a.model);
  auto& flow = *loaded.model;
  // The samples twice (chunks and their concatenation) and as CSV text (~25 bytes a value).
  require_memory(static_cast<double>(a.n) * static_cast<double>(flow.options().dim() + 1) * 41.0,
                 fmt::format("-n {} samples in {} dimensions", a.n, flow.options().dim()));
  const int64_t steps = a.steps > 0 ? a.steps : flow.options().steps();
  torch::manual_seed(a.seed);
  torch::NoGradGuard ng;
  std::vector<at::Tensor> parts;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t chunk = 2048;
  for (int64_t done = 0; done < a.n; done += chunk) {
    auto s = flow.sample(std::min(chunk, a.n - done), steps);
    parts.push_back(torch::cat({s.x, s.log_p.unsqueeze(1)}, 1));
    const int64_t now = done + parts.back().size(0);
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!common.json)
      progress_line(fmt::format("  sampled {:>8}/{}  {:8.0f} samples/s  {:5.0f} s left ", now, a.n,
                                now / std::max(el, 1e-9),
                                (a.n - now) * el / std::max<int64_t>(now, 1)));
  }
  if (!common.json) end_progress_line();
  auto table = torch::cat(parts);
  const int64_t d = flow.options().dim();
  auto cols = coordinate_columns(d);
  cols.push_back("log_p");
  io::write_csv(a.out,
                fmt::format("enflow sample --model {} -n {} --steps {} --seed {}", a.model, a.n,
                            steps, a.seed),
                cols, table);
  if (!a.plot.empty())
    plot_samples(a.plot, fmt::format("{} samples of {}", a.n, a.model), table.narrow(1, 0, d),
                 &flow);
  if (common.json) {
    JsonLine()
        .count("samples", a.n)
        .count("dim", d)
        .count("steps", steps)
        .count("seed", static_cast<int64_t>(a.seed))
        .number("mean_log_p", table.select(1, d).mean().item<double>())
        .text("file", a.out)
        .print();
  } else {
    fmt::print("{} samples (d = {}, {} RK4 steps, seed {}), mean log p {:.6f}\n  wrote {}\n", a.n,
               d, steps, a.seed, table.select(1, d).mean().item<double>(), a.out);
    if (!a.plot.empty()) fmt::print("  wrote {}\n", a.plot);
  }
  return 0;
}

int sample_config(const SampleArgs& a, const Common& common) {
  const auto cfg = io::Config::load(a.config, a.overrides);
  if (cfg.get_string("problem.kind", "") != "svgd")
    throw std::invalid_argument(cfg.source() + ": sample --config runs problem.kind = \"svgd\"");
  // Progress only: the solver's status lines are not the sampler's.
  const auto ctx = run_context(common, ".").log(nullptr);
  const uint64_t seed = start_run(cfg, ctx);
  auto s = pt::svgd_setup(cfg, run_tensor_options(cfg));
  s.options.on_progress(named(ctx.progress(), "iter", "mean|phi|", "h"));
  auto r = pt::svgd(s.log_p, s.init, s.options);
  io::write_csv(a.out,
                fmt::format("enflow sample --config {}: SVGD on {}, {} particles, {} iterations, "
                            "seed {}",
                            a.config, s.kind, r.particles.size(0), s.options.iterations(), seed),
                coordinate_columns(s.dim), r.particles);
  std::string label = s.kind;  // gnuplot's enhanced text reads '_' as a subscript
  std::replace(label.begin(), label.end(), '_', ' ');
  if (!a.plot.empty())
    plot_samples(a.plot, "SVGD particles on " + label, r.particles,
                 s.flow ? s.flow.get() : nullptr);
  if (common.json) {
    JsonLine()
        .count("particles", r.particles.size(0))
        .count("dim", s.dim)
        .count("seed", static_cast<int64_t>(seed))
        .number("seconds", r.seconds)
        .text("file", a.out)
        .print();
  } else {
    fmt::print("{} SVGD particles (d = {}, seed {}) in {:.2f} s\n  wrote {}\n", r.particles.size(0),
               s.dim, seed, r.seconds, a.out);
    if (!a.plot.empty()) fmt::print("  wrote {}\n", a.plot);
  }
  return 0;
}

Action setup(CLI::App& app, Common& common) {
  auto a = std::make_shared<SampleArgs>();
  app.add_option("--model,-m", a->model, "Potential-flow model file (from enflow solve)");
  app.add_option("--config,-c", a->config, "SVGD config (problem.kind = \"svgd\")");
  app.add_option("--set", a->overrides, "Override a config entry: key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("-n", a->n, "Number of samples (--model)");
  app.add_option("--steps", a->steps, "RK4 steps (--model; default: the model's own)");
  app.add_option("--seed", a->seed, "Seed (--model; --config uses run.seed)");
  app.add_option("--out,-o", a->out, "Output CSV file")->required()->check(kOutputFile);
  app.add_option("--plot", a->plot, "Also draw the samples into this PNG (2-D)")
      ->check(kOutputFile);
  app.add_flag("--json", common.json, "Print a summary as JSON");
  return [a, &common]() -> int {
    if (a->model.empty() == a->config.empty())
      throw std::invalid_argument(
          "sample needs exactly one of --model FILE.pt or --config FILE.toml");
    if (!a->plot.empty() && !io::gnuplot_available())
      throw std::runtime_error("--plot needs gnuplot (apt-get install gnuplot-nox)");
    return a->model.empty() ? sample_config(*a, common) : sample_model(*a, common);
  };
}

const CommandRegistrar reg("sample",
                           "Draw samples from a potential-flow model or run an SVGD sampler",
                           setup);

}  // namespace
}  // namespace enflow::cli
