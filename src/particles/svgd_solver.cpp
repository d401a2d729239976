// Solver "svgd": Stein variational gradient descent on an analytic target, a Bayesian
// logistic-regression posterior (judged against long MALA chains) or a trained potential-flow
// model. Writes the final particles (CSV), metrics, the particles over time and the step sizes
// (PNG).
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"
#include "enflow/io/config.h"
#include "enflow/io/csv.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/io/plot_data.h"
#include "enflow/particles/discrepancy.h"
#include "enflow/particles/svgd_setup.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "enflow/sampling/mala.h"

namespace enflow::particles {
namespace {

/// Energy distance of the particles to the reference samples, beside the mean score of n
/// exact i.i.d. samples over `draws` draws: what a perfect random sampler of n points gets.
void compare_with_samples(Report& report, const at::Tensor& x, const at::Tensor& reference,
                          const std::function<at::Tensor(int64_t)>& iid, int64_t draws) {
  const double within = mean_distance_within(reference);
  report.number("energy_distance", energy_distance(x, reference, within));
  double base = 0;
  for (int64_t k = 0; k < draws; ++k) base += energy_distance(iid(x.size(0)), reference, within);
  report.number("energy_distance_iid", base / std::max<int64_t>(1, draws));
}

void moment_metrics(Report& report, const at::Tensor& x, const at::Tensor& mean,
                    const at::Tensor& cov) {
  auto mu = x.mean(0);
  auto c = x - mu;
  auto emp = torch::matmul(c.t(), c) / static_cast<double>(x.size(0));
  report.number("mean_error", (mu - mean).abs().max().item<double>());
  report.number("cov_rel_error", ((emp - cov).abs().max() / cov.abs().max()).item<double>());
}

/// Fraction of particles most responsible to each mixture component against the weights.
void mode_weight_metric(Report& report, const io::KeyReader& keys, const at::Tensor& x) {
  const int64_t d = x.size(1);
  auto w = torch::tensor(keys.get_doubles("target.weights"), x.options());
  const int64_t k = w.size(0);
  auto means = torch::tensor(keys.get_doubles("target.means"), x.options()).reshape({k, d});
  auto stds =
      torch::tensor(keys.get_doubles("target.stds", std::vector<double>(k, 1.0)), x.options());
  auto score = torch::log(w) - d * torch::log(stds) -
               0.5 * (x.unsqueeze(1) - means).pow(2).sum(2) / stds.pow(2);
  auto frac =
      torch::bincount(score.argmax(1), {}, k).to(x.scalar_type()) / static_cast<double>(x.size(0));
  report.number("mode_weight_error", (frac - w / w.sum()).abs().max().item<double>());
}

void plot_1d(const std::string& path, const SvgdSetup& s, const SvgdResult& r) {
  auto lo = std::min(r.snapshots.front().min().item<double>(), -6.0);
  auto hi = std::max(r.particles.max().item<double>(), 6.0);
  auto grid = torch::linspace(lo - 1, hi + 1, 600, r.particles.options()).unsqueeze(1);
  std::vector<double> xs(600);
  for (int64_t i = 0; i < 600; ++i) xs[i] = grid[i][0].item<double>();
  std::vector<io::Series> lines;
  auto add = [&](const std::string& name, const at::Tensor& y) {
    io::Series sr{name, xs, {}};
    for (int64_t i = 0; i < 600; ++i) sr.y.push_back(y[i].item<double>());
    lines.push_back(sr);
  };
  if (s.exact) add("target", torch::exp(s.log_p(grid)));
  for (size_t k = 0; k < r.snapshots.size(); ++k)
    add(fmt::format("iter {}", r.snapshot_iterations[k]),
        kernel_density(r.snapshots[k], grid, silverman_bandwidth(r.snapshots[k])));
  io::plot_lines(path, {"SVGD: target density and particle KDEs over iterations", "x", "density"},
                 lines);
}

void plot_2d(const std::string& path, const SvgdSetup& s, const SvgdResult& r,
             const at::Tensor& reference) {
  std::vector<io::Panel2d> panels;
  // Box: the reference cloud (or the particles) with a margin.
  auto all = reference.defined() ? reference.narrow(1, 0, 2) : r.particles.narrow(1, 0, 2);
  auto lo = std::get<0>(all.min(0)), hi = std::get<0>(all.max(0));
  const double pad = 0.1;
  for (size_t k = 0; k < r.snapshots.size(); ++k) {
    io::Panel2d p;
    p.title = fmt::format("iteration {}", r.snapshot_iterations[k]);
    if (s.dim == 2 && !s.logistic) {
      const double box =
          std::max({std::abs(lo[0].item<double>()), std::abs(hi[0].item<double>()),
                    std::abs(lo[1].item<double>()), std::abs(hi[1].item<double>())}) *
          (1 + pad);
      const int64_t n = 80;
      auto g = io::grid_points(box, n, r.particles.options());
      auto lp = s.log_p(g).detach();
      p.contours.push_back({"",
                            io::grid_heatmap(torch::exp(lp), box, n),
                            {0.005, 0.02, 0.05, 0.1, 0.2},
                            "#888888",
                            false});
      p.xmin = p.ymin = -box;
      p.xmax = p.ymax = box;
      p.equal_axes = true;
    } else if (reference.defined()) {
      p.points.push_back(io::point_set(
          k == 0 ? "reference (MALA)" : "",
          reference.narrow(1, 0, 2).narrow(0, 0, std::min<int64_t>(2000, reference.size(0))),
          "#bbbbbb", 0.3));
    }
    p.points.push_back(
        io::point_set(k == 0 ? "particles" : "", r.snapshots[k].narrow(1, 0, 2), "#d62728", 0.6));
    panels.push_back(p);
  }
  const bool coords = s.dim > 2 || s.logistic.has_value();
  io::plot_panels(
      path,
      {"SVGD: particles over iterations" + std::string(coords ? " (first two coordinates)" : ""),
       coords ? "w_0" : "x_1", coords ? "w_1" : "x_2", false, 420, 400},
      panels, 3);
}

RunResult run_svgd(const io::Config& cfg, const RunContext& ctx) {
  const uint64_t seed = start_run(cfg, ctx);
  const auto o = run_tensor_options(cfg);
  auto s = svgd_setup(cfg, o);
  const io::KeyReader keys(cfg, svgd_key_specs());
  const std::string name = keys.get_string("output.name", "svgd_" + s.kind);
  ctx.say(fmt::format("SVGD on {} (d = {}): {} particles, {} iterations, {} step {}", s.kind, s.dim,
                      s.init.size(0), s.options.iterations(), to_string(s.options.optimizer()),
                      s.options.step()));
  s.options.on_progress(named(ctx.progress(), "iter", "mean|phi|", "h")).group(ctx.group());
  auto r = svgd(s.log_p, s.init, s.options);
  torch::NoGradGuard ng;
  const auto& x = r.particles;
  Report report(cfg, ctx, name);
  report.text("target", s.kind);
  report.count("dim", s.dim);
  report.count("particles", x.size(0));
  report.count("iterations", s.options.iterations());
  report.text("optimizer", to_string(s.options.optimizer()));
  report.number("step", s.options.step());
  report.count("seed", static_cast<int64_t>(seed));
  report.number("seconds", r.seconds);
  report.number("final_direction_norm", r.direction_norm.empty() ? 0 : r.direction_norm.back());
  report.number("final_bandwidth", r.bandwidth.empty() ? 0 : r.bandwidth.back());
  if (const int w = distributed::size_of(ctx.group().get()); w > 1) {
    report.count("world_size", w);
    report.count("particles_per_rank", distributed::share_of(x.size(0), ctx.group().get()).count);
    report.count("collective_bytes", ctx.group()->traffic().bytes);
    report.number("collective_seconds", ctx.group()->traffic().seconds);
    // Every rank holds all final particles; rank 0 alone scores and writes them.
    if (!report.writes()) return report.finish();
  }
  const int64_t ref_n = keys.get_int("eval.exact_samples");
  const int64_t draws = keys.get_int("eval.iid_draws");
  if (ref_n < 2 || draws < 1)
    throw std::invalid_argument(cfg.source() + ": eval.exact_samples >= 2, eval.iid_draws >= 1");
  torch::Tensor reference;
  if (s.exact) {
    moment_metrics(report, x, s.exact->mean, s.exact->cov);
    if (s.kind == "mixture") mode_weight_metric(report, keys, x);
    reference = s.exact->sample(ref_n);
    compare_with_samples(report, x, reference, s.exact->sample, draws);
  } else if (s.logistic) {
    const auto& d = *s.logistic;
    const int64_t chains = keys.get_int("reference.chains");
    if (chains < 1) throw std::invalid_argument(cfg.source() + ": reference.chains must be >= 1");
    ctx.say(fmt::format("  reference: {} MALA chains", chains));
    auto ref = sampling::mala(s.log_p, torch::zeros({chains, s.dim}, o),
                              sampling::MalaOptions()
                                  .step(keys.get_double("reference.step"))
                                  .burn_in(keys.get_int("reference.burn_in"))
                                  .samples(keys.get_int("reference.samples")));
    reference = ref.samples;
    auto mean = reference.mean(0), sd = reference.std(0);
    auto ratio = x.std(0) / sd;
    report.number("mean_error_in_sd", ((x.mean(0) - mean) / sd).abs().max().item<double>());
    report.number("sd_ratio_min", ratio.min().item<double>());
    report.number("sd_ratio_max", ratio.max().item<double>());
    const auto ps = posterior_predictive(x, d.x_test, d.y_test);
    const auto pm = posterior_predictive(reference, d.x_test, d.y_test);
    report.number("test_accuracy", ps.accuracy);
    report.number("test_log_likelihood", ps.log_likelihood);
    report.number("mala_test_accuracy", pm.accuracy);
    report.number("mala_test_log_likelihood", pm.log_likelihood);
    report.count("mala_samples", reference.size(0));
    report.number("mala_acceptance", ref.acceptance);
    auto perm = torch::randperm(reference.size(0), o.dtype(torch::kLong));
    auto pool = reference.index_select(0, perm);
    compare_with_samples(
        report, x, pool.narrow(0, 0, std::min<int64_t>(ref_n, pool.size(0) / 2)),
        [&](int64_t n) { return pool.narrow(0, pool.size(0) - n, n); }, 1);
  } else {
    auto sampler = [&](int64_t n) { return s.flow->sample(n).x; };
    reference = sampler(ref_n);
    compare_with_samples(report, x, reference, sampler, draws);
  }
  std::vector<std::string> cols;
  for (int64_t k = 0; k < s.dim; ++k) cols.push_back(fmt::format("x{}", k + 1));
  io::write_csv(report.file_path("_particles.csv"),
                fmt::format("enflow solve svgd: {} particles, seed {}", x.size(0), seed), cols, x);
  if (report.plots()) {
    const std::string snap = report.plot_path("particles");
    if (s.dim == 1) {
      plot_1d(snap, s, r);
    } else {
      plot_2d(snap, s, r, reference);
    }
    io::plot_lines(report.plot_path("direction"),
                   {"SVGD: mean |phi(x_i)| per iteration", "iteration", "mean |phi|", true},
                   {io::series_of("mean |phi|", r.direction_norm)});
  }
  return report.finish();
}

const SolverRegistrar svgd_solver("svgd",
                                  {"Stein variational gradient descent (gaussian, mixture, banana, "
                                   "logistic, potential_flow targets)",
                                   run_svgd, /*sample_parallel=*/true, svgd_key_specs});

}  // namespace
}  // namespace enflow::particles
