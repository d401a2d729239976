#include "variational/committor_checks.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/variational/shooting.h"

namespace enflow::variational::detail {

namespace {

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

/// A [ny, nx] field (rows along y) over the box as a plot grid.
io::Heatmap to_heatmap(const torch::Tensor& f, double x0, double x1, double y0, double y1) {
  io::Heatmap h;
  h.x0 = x0;
  h.x1 = x1;
  h.y0 = y0;
  h.y1 = y1;
  for (int64_t i = 0; i < f.size(0); ++i) h.values.push_back(to_vector(f[i]));
  return h;
}

/// Shoots from x [P, d], reports the comparison with q (and with `reference` if defined) and
/// returns the estimates.
ShootingResult shoot(const CommittorProblem& p, const CommittorResult& r, const torch::Tensor& x,
                     const io::KeyReader& cfg, const RunContext& context, Report& report,
                     const torch::Tensor& reference = torch::Tensor()) {
  auto opts = ShootingOptions()
                  .trajectories(cfg.get_int("check.trajectories"))
                  .dt(cfg.get_double("check.dt"))
                  .max_steps(cfg.get_int("check.max_steps"))
                  .seed(cfg.get_int("run.seed") + 1);
  context.say(fmt::format("  shooting: {} points x {} paths, dt {}", x.size(0), opts.trajectories(),
                          opts.dt()));
  auto s = shooting_committor(p, x, opts);
  auto diff = r.q(x) - s.q;
  report.count("shooting_points", x.size(0));
  report.count("shooting_trajectories", opts.trajectories());
  report.number("shooting_dt", opts.dt());
  report.count("shooting_undecided", s.undecided);
  report.number("shooting_mean_stderr", s.std_error.mean().item<double>());
  report.number("shooting_rms_diff", diff.pow(2).mean().sqrt().item<double>());
  report.number("shooting_max_diff", diff.abs().max().item<double>());
  report.number("shooting_max_z", (diff.abs() / s.std_error.clamp_min(1e-3)).max().item<double>());
  if (reference.defined())
    report.number("shooting_vs_reference_rms",
                  (reference - s.q).pow(2).mean().sqrt().item<double>());
  report.number("shooting_seconds", s.seconds);
  return s;
}

/// Up to n sampled points (outside A and B) with 0.05 < q < 0.95: the transition region.
torch::Tensor transition_points(const CommittorProblem& p, const CommittorResult& r, int64_t n,
                                int64_t batch) {
  std::vector<torch::Tensor> picked;
  int64_t have = 0;
  for (int k = 0; k < 50 && have < n; ++k) {
    auto x = p.sampler(batch).x;
    auto q = r.q(x);
    auto keep = (q > 0.05) & (q < 0.95) & ~(p.in_a(x) | p.in_b(x));
    auto sel = x.index_select(0, keep.nonzero().squeeze(1));
    sel = sel.narrow(0, 0, std::min(sel.size(0), n - have));
    have += sel.size(0);
    picked.push_back(sel);
  }
  return torch::cat(picked);
}

}  // namespace

std::vector<io::KeySpec> check_key_specs() {
  return {{"check.shooting_points", "int", "0",
           "direct-simulation check from this many points (0: off)"},
          {"check.trajectories", "int", "200", "paths per shooting point"},
          {"check.dt", "float", "0.0001", "Euler-Maruyama step of the paths"},
          {"check.max_steps", "int", "200000", "steps before a path counts as stuck"},
          {"reference.grid", "int", "241", "muller_brown: finite-volume grid points per axis"}};
}

void check_closed_form(const CommittorProblem& p, const CommittorResult& r,
                       const io::KeyReader& cfg, Report& report) {
  torch::NoGradGuard ng;
  const auto topt = p.input_shift.options();
  torch::Tensor x, abscissa;
  if (p.dim == 1) {
    abscissa = torch::linspace(-1, 1, 401, topt);
    x = abscissa.unsqueeze(1);
  } else {
    const double a = cfg.get_double("problem.a"), b = cfg.get_double("problem.b");
    auto rad = torch::rand({4000, 1}, topt) * (b - a) + a;
    auto dirs = torch::randn({4000, p.dim}, topt);
    x = rad * dirs / dirs.norm(2, 1, true);
    abscissa = rad.squeeze(1);
  }
  auto err = r.q(x) - p.exact(x);
  report.number("rms_error", err.pow(2).mean().sqrt().item<double>());
  report.number("max_error", err.abs().max().item<double>());
  const auto path = report.plot_path("committor");
  if (path.empty()) return;
  auto order = abscissa.argsort();
  auto xs = x.index_select(0, order);
  const auto ab = to_vector(abscissa.index_select(0, order));
  io::plot_lines(
      path, {fmt::format("Committor, {} (d = {})", p.name, p.dim), p.dim == 1 ? "x" : "|x|", "q"},
      {{"network", ab, to_vector(r.q(xs))}, {"exact", ab, to_vector(p.exact(xs))}});
}

void check_muller_brown(const CommittorProblem& p, const CommittorResult& r,
                        const io::KeyReader& cfg, const RunContext& context, Report& report) {
  torch::NoGradGuard ng;
  const auto topt = p.input_shift.options();
  const int64_t grid = cfg.get_int("reference.grid");
  const double x0 = -1.5, x1 = 1.2, y0 = -0.4, y1 = 2.0;
  GridCommittor ref;
  if (grid > 0) {
    context.say(fmt::format("  finite-volume reference on a {0}x{0} grid", grid));
    auto p2 = p;  // the confining term is separable: the committor depends on (x1, x2) only
    p2.dim = 2;
    p2.potential = muller_brown_potential;
    ref = grid_committor_2d(p2, x0, x1, y0, y1, grid, grid);
    report.count("reference_grid", grid);
    report.number("reference_cg_residual", ref.residual);
    report.number("reference_dirichlet_energy", ref.dirichlet_energy);
    // Variational: 1 at the minimum, above it otherwise (up to the estimate's noise).
    report.number("energy_over_minimum", r.dirichlet_energy / ref.dirichlet_energy);
    // Errors on sampled points outside A and B inside the box, weighted to the Gibbs
    // measure (likelihood weights) and unweighted (the sampling measure).
    const int64_t batch = cfg.get_int("train.batch_size");
    std::vector<torch::Tensor> xs, ws;
    for (int k = 0; k < 10; ++k) {
      auto s = p.sampler(batch);
      xs.push_back(s.x);
      ws.push_back(s.log_w);
    }
    auto X = torch::cat(xs);
    auto w = torch::softmax(torch::cat(ws), 0);
    auto inside = (X.select(1, 0) >= x0) & (X.select(1, 0) <= x1) & (X.select(1, 1) >= y0) &
                  (X.select(1, 1) <= y1) & ~(p.in_a(X) | p.in_b(X));
    auto fin = inside.to(w.scalar_type());
    auto e2 = (r.q(X) - ref.interpolate(X.to(torch::kDouble)).to(X.scalar_type())).pow(2);
    report.number("rms_error_gibbs",
                  std::sqrt(((w * fin * e2).sum() / (w * fin).sum()).item<double>()));
    report.number("rms_error_sampled",
                  std::sqrt(((fin * e2).sum() / fin.sum().clamp_min(1)).item<double>()));
    const int64_t shots = cfg.get_int("check.shooting_points");
    if (shots > 0) {
      auto pts = transition_points(p, r, shots, batch);
      shoot(p, r, pts, cfg, context, report,
            ref.interpolate(pts.to(torch::kDouble)).to(pts.scalar_type()));
    }
  }
  const auto path = report.plot_path("contours");
  if (path.empty()) return;
  const int64_t g = 161;
  auto xs = torch::linspace(x0, x1, g, topt), ys = torch::linspace(y0, y1, g, topt);
  auto mesh = torch::meshgrid({ys, xs}, "ij");  // rows along y
  auto pts = torch::zeros({g * g, p.dim}, topt);
  pts.select(1, 0).copy_(mesh[1].reshape({-1}));
  pts.select(1, 1).copy_(mesh[0].reshape({-1}));
  auto V = muller_brown_potential(pts).reshape({g, g});
  const std::vector<double> qlevels{0.1, 0.3, 0.5, 0.7, 0.9};
  std::vector<double> vlevels;
  for (double v = -150; v <= 60; v += 15) vlevels.push_back(v);
  io::Panel2d panel;
  panel.title =
      fmt::format("Mueller-Brown committor, d = {}, beta = {} (slice x_3.. = 0)", p.dim, p.beta);
  panel.background = to_heatmap(V.clamp_max(60.0), x0, x1, y0, y1);
  panel.cblabel = "V (clipped at 60)";
  panel.contours.push_back({"", panel.background, vlevels, "#888888", false});
  if (ref.values.defined())
    panel.contours.push_back(
        {"reference q = 0.1, 0.3, ..., 0.9",
         to_heatmap(ref.interpolate(pts.to(torch::kDouble)).reshape({g, g}), x0, x1, y0, y1),
         qlevels, "black", true});
  panel.contours.push_back(
      {"network q", to_heatmap(r.q(pts).reshape({g, g}), x0, x1, y0, y1), qlevels, "white", false});
  io::plot_panels(path, {"", "x_1", "x_2", false, 900, 750}, {panel}, 1);
}

void check_ginzburg_landau(const CommittorProblem& p, const CommittorResult& r,
                           const io::KeyReader& cfg, const RunContext& context, Report& report) {
  torch::NoGradGuard ng;
  // Symmetries on sampled points outside A and B: V(-u) = V(u) with A and B swapped, and V
  // is unchanged by reversing the chain.
  std::vector<torch::Tensor> xs;
  for (int k = 0; k < 10; ++k) xs.push_back(p.sampler(cfg.get_int("train.batch_size")).x);
  auto X = torch::cat(xs);
  X = X.index_select(0, (~(p.in_a(X) | p.in_b(X))).nonzero().squeeze(1));
  auto q = r.q(X);
  report.count("symmetry_points", X.size(0));
  report.number("symmetry_rms_negation", (q + r.q(-X) - 1).pow(2).mean().sqrt().item<double>());
  report.number("symmetry_rms_reversal", (q - r.q(X.flip(1))).pow(2).mean().sqrt().item<double>());
  // Along the minimum-energy path.
  std::vector<double> levels;
  for (int k = -4; k <= 4; ++k) levels.push_back(0.1 * k);
  torch::Tensor path;
  {
    torch::AutoGradMode on(true);  // the path is found by minimization
    path = ginzburg_landau_path(p, levels);
  }
  auto qp = r.q(path);
  report.number("path_q_at_0", qp[4].item<double>());
  report.number("path_symmetry_max", (qp + qp.flip(0) - 1).abs().max().item<double>());
  const auto qpath = to_vector(qp);
  report.numbers("path_levels", levels);
  report.numbers("path_q", qpath);
  std::vector<io::Series> series{{"network q", levels, qpath}};
  if (cfg.get_int("check.shooting_points") > 0) {
    auto s = shoot(p, r, path, cfg, context, report);
    const auto qs = to_vector(s.q), se = to_vector(s.std_error);
    std::vector<double> lo, hi;
    report.numbers("path_q_shooting", qs);
    for (size_t k = 0; k < qs.size(); ++k) {
      lo.push_back(qs[k] - 2 * se[k]);
      hi.push_back(qs[k] + 2 * se[k]);
    }
    series.push_back({"shooting", levels, qs});
    series.push_back({"shooting - 2 s.e.", levels, lo});
    series.push_back({"shooting + 2 s.e.", levels, hi});
  }
  const auto plot = report.plot_path("path");
  if (!plot.empty())
    io::plot_lines(
        plot,
        {fmt::format("Ginzburg-Landau committor along the minimum-energy path (d = {})", p.dim),
         "mean(u) on the path", "q"},
        series);
  const auto profiles = report.plot_path("path_profiles");
  if (!profiles.empty()) {
    std::vector<io::Series> lines;
    auto grid = to_vector(torch::arange(1, p.dim + 1, torch::kDouble) / double(p.dim + 1));
    for (int64_t k = 0; k < path.size(0); k += 2)
      lines.push_back({fmt::format("mean(u) = {:+.1f}", levels[k]), grid, to_vector(path[k])});
    io::plot_lines(profiles, {"Ginzburg-Landau minimum-energy path", "x", "u"}, lines);
  }
}

}  // namespace enflow::variational::detail
