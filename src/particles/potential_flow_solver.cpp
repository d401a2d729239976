// Solver "potential_flow": the Monge–Ampère potential flow trained by maximum likelihood on a
// 2-D toy density; test NLL beside the data's entropy (the floor), and how exact the change of
// variables is at several step counts (∫p on a grid, round-trip error). Writes the model (for
// `enflow sample`), metrics, exactness table (CSV) and PNG plots.
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/io/csv.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/io/plot_data.h"
#include "enflow/particles/potential_flow.h"
#include "enflow/particles/toy_data.h"
#include "enflow/run.h"
#include "enflow/run_config.h"

namespace enflow::particles {
namespace {

/// ∫ p over [−box, box]² by the trapezoid-like sum on an n × n grid of the model.
double grid_mass(PotentialFlowImpl& flow, double box, int64_t n, int64_t steps,
                 const c10::TensorOptions& o) {
  auto g = io::grid_points(box, n, o);
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < g.size(0); i += 4096)
    parts.push_back(
        torch::exp(flow.log_prob(g.narrow(0, i, std::min<int64_t>(4096, g.size(0) - i)), steps)));
  const double h = 2 * box / (n - 1);
  return torch::cat(parts).sum().item<double>() * h * h;
}

void plot_outputs(Report& report, PotentialFlowImpl& flow, const ToyDensity& data,
                  const PotentialFlowFit& fit, double floor, const c10::TensorOptions& o) {
  const double box = data.box + 0.5;
  const int64_t n = 121;
  auto g = io::grid_points(box, n, o);
  auto model_density = torch::exp(flow.log_prob(g));
  auto true_density = torch::exp(data.log_prob(g));
  auto samples = flow.sample(2000);
  io::Panel2d truth, model;
  truth.title = "data density";
  truth.background = io::grid_heatmap(true_density, box, n);
  model.title = "model density";
  model.background = io::grid_heatmap(model_density, box, n);
  truth.cblabel = model.cblabel = "p";
  io::Panel2d cloud;
  cloud.title = "2000 model samples";
  cloud.points.push_back(io::point_set("", samples.x, "#1f77b4", 0.3));
  cloud.xmin = cloud.ymin = -box;
  cloud.xmax = cloud.ymax = box;
  for (auto* p : {&truth, &model, &cloud}) p->equal_axes = true;
  std::string label = data.name;  // gnuplot's enhanced text reads '_' as a subscript
  std::replace(label.begin(), label.end(), '_', ' ');
  io::plot_panels(report.plot_path("density"),
                  {"Potential flow on " + label, "x_1", "x_2", false, 420, 400},
                  {truth, model, cloud}, 3);
  // Particles over time: the same base points pushed along ∇φ.
  std::vector<at::Tensor> path;
  const int64_t steps = flow.options().steps();
  flow.push_forward(samples.z, steps, &path);
  std::vector<io::Panel2d> panels;
  for (int64_t q = 0; q <= 4; ++q) {
    const int64_t k = q * steps / 4;
    io::Panel2d p;
    p.title = fmt::format("t = {:.3g}", k * flow.options().horizon() / steps);
    p.points.push_back(io::point_set("", path[k], "#d62728", 0.3));
    p.xmin = p.ymin = -box;
    p.xmax = p.ymax = box;
    p.equal_axes = true;
    panels.push_back(p);
  }
  io::plot_panels(
      report.plot_path("flow"),
      {"Potential flow: base samples along dx/dt = grad phi", "x_1", "x_2", false, 360, 340},
      panels, 5);
  // Training curve, smoothed over 25 iterations, with the floor.
  std::vector<double> smooth;
  for (size_t i = 0; i < fit.nll.size(); ++i) {
    const size_t lo = i >= 24 ? i - 24 : 0;
    double s = 0;
    for (size_t j = lo; j <= i; ++j) s += fit.nll[j];
    smooth.push_back(s / double(i - lo + 1));
  }
  io::Series fl{"entropy of the data (floor)",
                {1.0, double(std::max<size_t>(2, fit.nll.size()))},
                {floor, floor}};
  io::plot_lines(
      report.plot_path("loss"),
      {"Potential flow: training NLL (batch, 25-iteration mean)", "iteration", "NLL (nats)"},
      {io::series_of("train NLL", smooth), fl});
}

std::vector<io::KeySpec> potential_flow_key_specs() {
  auto specs = with_run_specs({
      {"data.density", "string", "eight_gaussians", "the 2-D toy density (known: see errors)"},
      {"data.test_size", "int", "20000", "test samples of the NLL"},
      {"flow.width", "int", "64", "width of the potential network phi"},
      {"flow.depth", "int", "2", "hidden layers of phi"},
      {"flow.time_dependent", "bool", "false", "phi(x, t) instead of phi(x)"},
      {"flow.horizon", "float", "1", "flow time T"},
      {"flow.steps", "int", "8", "RK4 steps over [0, T] in training"},
      {"train.iterations", "int", "2000", "Adam iterations"},
      {"train.batch_size", "int", "512", "samples per iteration"},
      {"train.lr", "float", "0.005", "Adam learning rate at the start"},
      {"train.lr_final", "float", "0.0005", "learning rate at the end"},
      {"train.clip", "float", "10", "gradient-norm clip"},
      {"eval.steps", "[int]", "[steps/2, steps, 2 steps]", "RK4 steps of the evaluations"},
      {"eval.grid", "int", "161", "density-plot grid points per axis"},
      {"eval.reference_samples", "int", "200000",
       "samples of the entropy floor when it has no closed form"},
      {"output.model", "string", "<out>/<name>.pt", "model file"},
  });
  specs.push_back(run_threads_spec());
  return specs;
}

RunResult run_potential_flow(const io::Config& cfg, const RunContext& ctx) {
  const io::KeyReader keys(cfg, potential_flow_key_specs());
  const uint64_t seed = start_run(cfg, ctx);
  const auto o = run_tensor_options(cfg);
  const auto data = toy_density(keys.get_string("data.density"), o);
  const std::string name = keys.get_string("output.name", "potential_flow_" + data.name);
  const int64_t test_size = keys.get_int("data.test_size");
  if (test_size < 2) throw std::invalid_argument(cfg.source() + ": data.test_size must be >= 2");
  auto test = data.sample(test_size);  // drawn first: the same test set for any schedule
  PotentialFlow flow(PotentialFlowOptions(2)
                         .width(keys.get_int("flow.width"))
                         .depth(keys.get_int("flow.depth"))
                         .time_dependent(keys.get_bool("flow.time_dependent"))
                         .horizon(keys.get_double("flow.horizon"))
                         .steps(keys.get_int("flow.steps")));
  flow->to(o.device(), o.dtype().toScalarType());
  auto fit_opts = PotentialFlowFitOptions()
                      .iterations(keys.get_int("train.iterations"))
                      .batch_size(keys.get_int("train.batch_size"))
                      .lr(keys.get_double("train.lr"))
                      .lr_final(keys.get_double("train.lr_final"))
                      .clip(keys.get_double("train.clip"))
                      .on_progress(named(ctx.progress(), "iter", "nll", "|grad|"));
  const auto& fo = flow->options();
  ctx.say(fmt::format(
      "potential flow on {}: phi tanh {}x{}{}, T = {}, {} RK4 steps, {} iterations of batch {}",
      data.name, fo.depth(), fo.width(), fo.time_dependent() ? " (x, t)" : "", fo.horizon(),
      fo.steps(), fit_opts.iterations(), fit_opts.batch_size()));
  auto fit = fit_potential_flow(*flow, data.sample, fit_opts);
  Report report(cfg, ctx.out_dir(), name);
  const std::string model_path = keys.get_string(
      "output.model", (std::filesystem::path(ctx.out_dir()) / (name + ".pt")).string());
  report.add_file(model_path);
  save_potential_flow(model_path, *flow, cfg.to_toml());

  // The floor: the closed-form entropy, else a large-sample estimate with the exact density.
  double floor = data.entropy_closed_form, floor_se = 0;
  if (std::isnan(floor)) {
    std::tie(floor, floor_se) = entropy_estimate(data, keys.get_int("eval.reference_samples"));
  }
  const auto [nll, nll_se] = mean_nll(*flow, test);
  report.text("density", data.name);
  report.count("width", fo.width());
  report.count("depth", fo.depth());
  // A TOML boolean before the run API; Report has no boolean metric.
  report.flag("time_dependent", fo.time_dependent());
  report.number("horizon", fo.horizon());
  report.count("steps", fo.steps());
  report.count("iterations", fit_opts.iterations());
  report.count("batch_size", fit_opts.batch_size());
  report.count("seed", static_cast<int64_t>(seed));
  report.number("seconds", fit.seconds);
  report.count("test_size", test_size);
  report.number("test_nll", nll);
  report.number("test_nll_se", nll_se);
  report.number("floor", floor);
  report.number("floor_se", floor_se);
  report.text("floor_source", floor_se > 0 ? "Monte Carlo with the exact density" : "closed form");
  report.number("gap", nll - floor);
  // Exactness against the number of RK4 steps: total mass on a grid, base → data → base error,
  // and the test NLL the step count gives.
  const auto eval_steps = keys.get_ints("eval.steps", {fo.steps() / 2, fo.steps(), 2 * fo.steps()});
  const int64_t grid = keys.get_int("eval.grid");
  if (grid < 3) throw std::invalid_argument(cfg.source() + ": eval.grid must be >= 3");
  auto z = torch::randn({2000, 2}, o);
  std::vector<double> rows;
  for (int64_t s : eval_steps) {
    if (s < 1) throw std::invalid_argument(cfg.source() + ": eval.steps must be >= 1");
    const double mass = grid_mass(*flow, data.box + 2, grid, s, o);
    auto there = flow->push_forward(z, s);
    auto back = flow->pull_back(there.x, s);
    const double trip = (back.z - z).abs().max().item<double>();
    const double lp_gap = (back.log_p - there.log_p).abs().max().item<double>();
    const double nll_s = mean_nll(*flow, test, s).first;
    report.number(fmt::format("grid_mass_steps_{}", s), mass);
    report.number(fmt::format("roundtrip_error_steps_{}", s), trip);
    report.number(fmt::format("logp_roundtrip_error_steps_{}", s), lp_gap);
    report.number(fmt::format("test_nll_steps_{}", s), nll_s);
    rows.insert(rows.end(), {double(s), mass, trip, lp_gap, nll_s});
  }
  io::write_csv(report.file_path("_exactness.csv"),
                fmt::format("enflow solve potential_flow: {} (seed {}); grid mass on [-{},{}]^2, "
                            "{}x{} points",
                            data.name, seed, data.box + 2, data.box + 2, grid, grid),
                {"steps", "grid_mass", "roundtrip_error", "logp_roundtrip_error", "test_nll"},
                torch::tensor(rows, torch::kDouble).reshape({-1, 5}));
  if (report.plots()) plot_outputs(report, *flow, data, fit, floor, o);
  return report.finish();
}

const SolverRegistrar potential_flow_solver(
    "potential_flow", {"Monge-Ampere potential-flow generative model, maximum likelihood on "
                       "2-D toy densities",
                       run_potential_flow, /*sample_parallel=*/false, potential_flow_key_specs});

}  // namespace
}  // namespace enflow::particles
