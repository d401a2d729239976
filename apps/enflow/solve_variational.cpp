// `enflow solve` kinds for the variational solvers: committor, deep_ritz, vmc_ising.
// Each writes <out>/<name>.metrics.toml (read back by `enflow reproduce variational`), the
// config it ran, and PNG plots when gnuplot is available.
#include <fmt/core.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/runtime.h"
#include "enflow/variational/committor.h"
#include "enflow/variational/deep_ritz.h"
#include "enflow/variational/vmc.h"
#include "solve_registry.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;
namespace var = enflow::variational;

/// Progress on stderr: iteration, loss, rate, time left.
var::ProgressFn progress_printer(const Common& common, const std::string& what,
                                 const std::string& metric) {
  if (common.json) return nullptr;
  auto t0 =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [t0, what, metric](const var::Progress& p) {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - *t0).count();
    const double rate = p.iteration / std::max(el, 1e-9);
    fmt::print(stderr, "\r  {} {:>6}/{}  loss {:+.6e}  {} {:.2e}  {:6.1f} it/s  {:6.0f} s left ",
               what, p.iteration, p.iterations, p.loss, metric, p.metric, rate,
               (p.iterations - p.iteration) / std::max(rate, 1e-9));
    if (p.iteration == p.iterations) fmt::print(stderr, "\n");
  };
}

/// Metrics as a flat TOML table plus the config that produced them, written atomically.
void write_outputs(const std::string& out_dir, const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& metrics,
                   const io::Config& cfg, const Common& common) {
  const std::string path = (fs::path(out_dir) / (name + ".metrics.toml")).string();
  io::write_atomically(path, [&](const std::string& tmp) {
    std::ofstream f(tmp);
    for (const auto& [k, v] : metrics) f << k << " = " << v << "\n";
    if (!f) throw std::runtime_error("cannot write " + tmp);
  });
  io::write_atomically((fs::path(out_dir) / (name + ".config.toml")).string(),
                       [&](const std::string& tmp) { std::ofstream(tmp) << cfg.to_toml(); });
  if (common.json) {
    std::string s = "{";
    for (size_t i = 0; i < metrics.size(); ++i)
      s += fmt::format("{}\"{}\": {}", i ? ", " : "", metrics[i].first, metrics[i].second);
    fmt::print("{}}}\n", s);
  } else {
    for (const auto& [k, v] : metrics) fmt::print("  {:<28} {}\n", k, v);
    fmt::print("  metrics: {}\n", path);
  }
}

std::string num(double x) { return fmt::format("{:.10g}", x); }
std::string str(const std::string& s) { return "\"" + s + "\""; }

io::Series history_series(const std::string& name, const std::vector<double>& y,
                          bool abs_value = false) {
  io::Series s{name, {}, {}};
  const size_t stride = std::max<size_t>(1, y.size() / 2000);
  for (size_t i = 0; i < y.size(); i += stride) {
    s.x.push_back(double(i + 1));
    s.y.push_back(abs_value ? std::max(std::abs(y[i]), 1e-16) : y[i]);
  }
  return s;
}

std::vector<std::string> with_common_keys(std::vector<std::string> keys) {
  for (const char* k : {"problem.kind", "output.name", "output.plot", "device", "dtype"})
    keys.push_back(k);
  return keys;
}

torch::TensorOptions tensor_options(const io::Config& cfg) {
  return torch::TensorOptions()
      .dtype(parse_dtype(cfg.get_string("dtype", "float64")))
      .device(parse_device(cfg.get_string("device", "cpu")));
}

// ---------------------------------------------------------------------------- committor

/// gnuplot: heat map of V (clipped), its contours in grey, committor contours in colour.
void plot_committor_contours(const std::string& path, const std::string& title,
                             const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& V,
                             const torch::Tensor& Q, const torch::Tensor& Qref, double vclip) {
  if (!io::gnuplot_available()) throw std::runtime_error("plotting needs gnuplot");
  const fs::path work =
      fs::temp_directory_path() / ("enflow-contour-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(reinterpret_cast<uintptr_t>(&X)));
  fs::create_directories(work);
  const std::string grid = (work / "grid.dat").string();
  {
    std::ofstream f(grid);
    auto x = X.contiguous(), y = Y.contiguous(), v = V.contiguous(), q = Q.contiguous();
    auto r = Qref.defined() ? Qref.contiguous() : Q.contiguous();
    for (int64_t i = 0; i < X.size(0); ++i) {
      for (int64_t j = 0; j < X.size(1); ++j)
        f << x[i][j].item<double>() << ' ' << y[i][j].item<double>() << ' '
          << std::min(v[i][j].item<double>(), vclip) << ' ' << q[i][j].item<double>() << ' '
          << r[i][j].item<double>() << '\n';
      f << '\n';
    }
  }
  io::write_atomically(path, [&](const std::string& tmp) {
    const std::string script = (work / "plot.gp").string();
    {
      std::ofstream g(script);
      g << "set contour base\nunset surface\nset view map\n";
      g << "set cntrparam levels discrete 0.1,0.3,0.5,0.7,0.9\n";
      g << "set table '" << (work / "q.dat").string() << "'\nsplot '" << grid << "' u 1:2:4\n";
      g << "unset table\n";
      g << "set table '" << (work / "r.dat").string() << "'\nsplot '" << grid << "' u 1:2:5\n";
      g << "unset table\n";
      g << "set cntrparam levels incremental -150,15," << vclip << "\n";
      g << "set table '" << (work / "v.dat").string() << "'\nsplot '" << grid << "' u 1:2:3\n";
      g << "unset table\nunset contour\n";
      g << "set terminal pngcairo size 900,750 enhanced font 'sans,11'\n";
      g << "set output '" << tmp << "'\n";
      g << "set title '" << title << "'\nset xlabel 'x_1'\nset ylabel 'x_2'\n";
      g << "set palette rgbformulae 33,13,10\nset cblabel 'V (clipped)'\nset key outside bottom\n";
      g << "plot '" << grid << "' u 1:2:3 with image notitle, '" << (work / "v.dat").string()
        << "' w l lc rgb '#888888' notitle, '" << (work / "r.dat").string()
        << "' w l lw 2 dt 2 lc rgb 'black' title 'reference q = 0.1,...,0.9', '"
        << (work / "q.dat").string() << "' w l lw 2 lc rgb 'white' title 'network q'\n";
    }
    const std::string cmd = "gnuplot '" + script + "' 2>'" + (work / "err.txt").string() + "'";
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream e(work / "err.txt");
      std::string line, msg;
      while (std::getline(e, line)) msg += line + " ";
      throw std::runtime_error("gnuplot failed: " + msg);
    }
  });
  std::error_code ec;
  fs::remove_all(work, ec);
}

int run_committor(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  cfg.check_known(with_common_keys({"problem.system",
                                    "problem.dim",
                                    "problem.beta",
                                    "problem.a",
                                    "problem.b",
                                    "problem.margin",
                                    "problem.confine",
                                    "problem.radius",
                                    "problem.lambda",
                                    "problem.set_level",
                                    "sampler.sample_beta",
                                    "sampler.step",
                                    "sampler.burn_in",
                                    "sampler.thin",
                                    "network.hidden",
                                    "network.sigmoid",
                                    "network.exact_boundary",
                                    "train.optimizer",
                                    "train.lbfgs_inner",
                                    "train.iterations",
                                    "train.batch_size",
                                    "train.lr",
                                    "train.lr_final",
                                    "train.penalty_start",
                                    "train.penalty_end",
                                    "train.continuation",
                                    "train.seed",
                                    "reference.grid"}));
  const auto topt = tensor_options(cfg);
  const std::string system = cfg.require_string("problem.system");
  const int64_t seed = cfg.get_int("train.seed", 0);
  torch::manual_seed(seed);
  auto mala = var::MalaOptions()
                  .sample_beta(cfg.get_double("sampler.sample_beta", 1.0))
                  .step(cfg.get_double("sampler.step", 1e-3))
                  .burn_in(cfg.get_int("sampler.burn_in", 2000))
                  .thin(cfg.get_int("sampler.thin", 5));
  var::CommittorProblem p;
  if (system == "double_well") {
    p = var::double_well_problem(cfg.get_double("problem.beta", 3.0), topt,
                                 cfg.get_double("problem.margin", 0.2));
  } else if (system == "spheres") {
    p = var::concentric_spheres_problem(
        cfg.get_int("problem.dim", 3), cfg.get_double("problem.a", 1.0),
        cfg.get_double("problem.b", 2.0), topt, cfg.get_double("problem.margin", 0.05));
  } else if (system == "muller_brown") {
    p = var::muller_brown_problem(
        cfg.get_int("problem.dim", 2), cfg.get_double("problem.beta", 0.1), mala, topt,
        cfg.get_double("problem.confine", 20.0), cfg.get_double("problem.radius", 0.1));
  } else if (system == "ginzburg_landau") {
    p = var::ginzburg_landau_problem(
        cfg.get_int("problem.dim", 50), cfg.get_double("problem.lambda", 0.03),
        cfg.get_double("problem.beta", 10.0), mala, topt, cfg.get_double("problem.set_level", 0.5));
  } else {
    throw std::invalid_argument(cfg.source() + ": problem.system must be double_well, spheres, " +
                                "muller_brown or ginzburg_landau, got '" + system + "'");
  }
  const std::string name = cfg.get_string("output.name", p.name);
  auto opts = var::CommittorOptions()
                  .hidden(cfg.get_ints("network.hidden", {32, 32}))
                  .sigmoid_output(cfg.get_bool("network.sigmoid", true))
                  .exact_boundary(cfg.get_bool("network.exact_boundary", true))
                  .optimizer(cfg.get_string("train.optimizer", "adam"))
                  .lbfgs_inner(cfg.get_int("train.lbfgs_inner", 100))
                  .iterations(cfg.get_int("train.iterations", 2000))
                  .batch_size(cfg.get_int("train.batch_size", 1000))
                  .lr(cfg.get_double("train.lr", 1e-3))
                  .lr_final(cfg.get_double("train.lr_final", 1e-4))
                  .penalty_start(cfg.get_double("train.penalty_start", 10.0))
                  .penalty_end(cfg.get_double("train.penalty_end", 1000.0))
                  .continuation(cfg.get_double("train.continuation", 0.5))
                  .seed(seed)
                  .on_progress(progress_printer(common, "iter", "penalty"));
  if (!common.json)
    fmt::print(stderr, "committor {} (dim {}, beta {}): {} iterations, batch {}\n", p.name, p.dim,
               p.beta, opts.iterations(), opts.batch_size());
  auto r = var::solve_committor(p, opts);
  std::vector<std::pair<std::string, std::string>> m{
      {"problem", str(p.name)},
      {"dim", std::to_string(p.dim)},
      {"beta", num(p.beta)},
      {"iterations", std::to_string(r.iterations)},
      {"batch_size", std::to_string(opts.batch_size())},
      {"seed", std::to_string(seed)},
      {"seconds", num(r.seconds)},
      {"dirichlet_energy", num(r.dirichlet_energy)},
      {"boundary_rms", num(r.boundary_error)}};

  const bool plot = cfg.get_bool("output.plot", true) && io::gnuplot_available();
  std::vector<std::string> plots;
  torch::NoGradGuard ng;
  if (p.exact) {
    // Errors against the closed form on points the problem's own coordinates make sense for.
    torch::Tensor x, abscissa;
    if (system == "double_well") {
      abscissa = torch::linspace(-1, 1, 401, topt);
      x = abscissa.unsqueeze(1);
    } else {
      const double a = cfg.get_double("problem.a", 1.0), b = cfg.get_double("problem.b", 2.0);
      auto rad = torch::rand({4000, 1}, topt) * (b - a) + a;
      auto dirs = torch::randn({4000, p.dim}, topt);
      x = rad * dirs / dirs.norm(2, 1, true);
      abscissa = rad.squeeze(1);
    }
    auto err = r.q(x) - p.exact(x);
    m.push_back({"rms_error", num(err.pow(2).mean().sqrt().item<double>())});
    m.push_back({"max_error", num(err.abs().max().item<double>())});
    if (plot) {
      auto order = abscissa.argsort();
      auto xs = x.index_select(0, order), ab = abscissa.index_select(0, order);
      auto qn = r.q(xs), qe = p.exact(xs);
      io::Series sn{"network", {}, {}}, se{"exact", {}, {}};
      for (int64_t i = 0; i < ab.size(0); ++i) {
        sn.x.push_back(ab[i].item<double>());
        sn.y.push_back(qn[i].item<double>());
        se.x.push_back(ab[i].item<double>());
        se.y.push_back(qe[i].item<double>());
      }
      const std::string path = (fs::path(out_dir) / (name + "_committor.png")).string();
      io::plot_lines(path,
                     {fmt::format("Committor, {} (d = {})", p.name, p.dim),
                      system == "double_well" ? "x" : "|x|", "q"},
                     {sn, se});
      plots.push_back(path);
    }
  }
  if (system == "muller_brown") {
    const int64_t grid = cfg.get_int("reference.grid", 241);
    const double x0 = -1.5, x1 = 1.2, y0 = -0.4, y1 = 2.0;
    var::GridCommittor ref;
    if (grid > 0) {
      if (!common.json) fmt::print(stderr, "  finite-volume reference on a {0}x{0} grid\n", grid);
      auto p2 = p;  // the confining term is separable: the committor depends on (x1, x2) only
      p2.dim = 2;
      p2.potential = var::muller_brown_potential;
      ref = var::grid_committor_2d(p2, x0, x1, y0, y1, grid, grid);
      // Errors on the sampling measure outside A and B, weighted to the Gibbs measure and not.
      std::vector<torch::Tensor> xs, ws;
      for (int k = 0; k < 10; ++k) {
        auto s = p.sampler(opts.batch_size());
        xs.push_back(s.x);
        ws.push_back(s.log_w);
      }
      auto X = torch::cat(xs);
      auto w = torch::softmax(torch::cat(ws), 0);
      auto inside = (X.select(1, 0) >= x0) & (X.select(1, 0) <= x1) & (X.select(1, 1) >= y0) &
                    (X.select(1, 1) <= y1) & ~(p.in_a(X) | p.in_b(X));
      auto fin = inside.to(w.scalar_type());
      auto e2 = (r.q(X) - ref.interpolate(X.to(torch::kDouble)).to(X.scalar_type())).pow(2);
      m.push_back({"reference_grid", std::to_string(grid)});
      m.push_back({"rms_error_gibbs",
                   num(std::sqrt(((w * fin * e2).sum() / (w * fin).sum()).item<double>()))});
      m.push_back({"rms_error_sampled",
                   num(std::sqrt(((fin * e2).sum() / fin.sum().clamp_min(1)).item<double>()))});
      // Along the straight segment from A's centre to B's centre, q(midpoint region) etc.
    }
    if (plot) {
      const int64_t g = 161;
      auto xs = torch::linspace(x0, x1, g, topt), ys = torch::linspace(y0, y1, g, topt);
      auto mesh = torch::meshgrid({xs, ys}, "ij");
      auto pts = torch::zeros({g * g, p.dim}, topt);
      pts.select(1, 0).copy_(mesh[0].reshape({-1}));
      pts.select(1, 1).copy_(mesh[1].reshape({-1}));
      auto V = var::muller_brown_potential(pts).reshape({g, g});
      auto Q = r.q(pts).reshape({g, g});
      torch::Tensor R;
      if (ref.values.defined()) R = ref.interpolate(pts.to(torch::kDouble)).reshape({g, g});
      const std::string path = (fs::path(out_dir) / (name + "_contours.png")).string();
      plot_committor_contours(
          path,
          fmt::format("Mueller-Brown committor, d = {}, beta = {} (slice x_3.. = 0)", p.dim,
                      p.beta),
          mesh[0], mesh[1], V, Q, R, 60.0);
      plots.push_back(path);
    }
  }
  if (system == "ginzburg_landau") {
    // q along the straight path from u = -1 to u = +1 (interior values), for a quick look.
    auto t = torch::linspace(-1, 1, 11, topt).unsqueeze(1);
    auto path = t * torch::ones({1, p.dim}, topt);
    auto qp = r.q(path);
    m.push_back({"q_at_u_zero", num(qp[5].item<double>())});
  }
  if (plot) {
    const std::string path = (fs::path(out_dir) / (name + "_energy.png")).string();
    io::plot_lines(path,
                   {fmt::format("Committor training, {}", p.name), "iteration",
                    "Dirichlet energy estimate", true},
                   {history_series("E_w[|grad q|^2]", r.dirichlet_history, true)});
    plots.push_back(path);
  }
  write_outputs(out_dir, name, m, cfg, common);
  if (!common.json)
    for (const auto& pl : plots) fmt::print("  plot: {}\n", pl);
  return 0;
}

// ---------------------------------------------------------------------------- Deep Ritz

int run_deep_ritz(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  cfg.check_known(with_common_keys(
      {"problem.dim", "network.width", "network.blocks", "network.activation", "train.iterations",
       "train.batch_interior", "train.batch_boundary", "train.lr", "train.lr_final",
       "train.penalty", "train.seed", "train.eval_points"}));
  auto p = var::product_sum_problem(cfg.get_int("problem.dim", 10));
  const std::string name = cfg.get_string("output.name", "deep_ritz_" + p.name);
  auto opts = var::DeepRitzOptions()
                  .width(cfg.get_int("network.width", 20))
                  .blocks(cfg.get_int("network.blocks", 3))
                  .activation(cfg.get_string("network.activation", "relu3"))
                  .iterations(cfg.get_int("train.iterations", 5000))
                  .batch_interior(cfg.get_int("train.batch_interior", 1000))
                  .batch_boundary(cfg.get_int("train.batch_boundary", 1000))
                  .lr(cfg.get_double("train.lr", 1e-3))
                  .lr_final(cfg.get_double("train.lr_final", 1e-5))
                  .penalty(cfg.get_double("train.penalty", 500.0))
                  .eval_points(cfg.get_int("train.eval_points", 100000))
                  .seed(cfg.get_int("train.seed", 0))
                  .tensor_options(tensor_options(cfg))
                  .on_progress(progress_printer(common, "iter", "boundary"));
  if (!common.json)
    fmt::print(stderr, "Deep Ritz {}: {} iterations, {} + {} points per step\n", p.name,
               opts.iterations(), opts.batch_interior(), opts.batch_boundary());
  auto r = var::solve_deep_ritz(p, opts);
  std::vector<std::pair<std::string, std::string>> m{
      {"problem", str(p.name)},
      {"dim", std::to_string(p.dim)},
      {"width", std::to_string(opts.width())},
      {"blocks", std::to_string(opts.blocks())},
      {"activation", str(opts.activation())},
      {"iterations", std::to_string(r.iterations)},
      {"batch_interior", std::to_string(opts.batch_interior())},
      {"batch_boundary", std::to_string(opts.batch_boundary())},
      {"seed", std::to_string(opts.seed())},
      {"seconds", num(r.seconds)},
      {"final_loss", num(r.loss_history.back())},
      {"rel_l2_error", num(r.rel_l2_error)},
      {"eval_points", std::to_string(opts.eval_points())}};
  if (cfg.get_bool("output.plot", true) && io::gnuplot_available()) {
    const std::string path = (fs::path(out_dir) / (name + "_loss.png")).string();
    io::plot_lines(path, {"Deep Ritz loss, " + p.name, "iteration", "Ritz energy + penalty"},
                   {history_series("loss", r.loss_history)});
    if (!common.json) fmt::print("  plot: {}\n", path);
  }
  write_outputs(out_dir, name, m, cfg, common);
  return 0;
}

// ---------------------------------------------------------------------------- VMC

int run_vmc(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  cfg.check_known(with_common_keys({"problem.sites", "problem.j", "problem.h", "rbm.hidden_density",
                                    "rbm.init_std", "sampler.samples", "sampler.sweeps",
                                    "sampler.thermalization", "sampler.final_samples",
                                    "train.iterations", "train.lr", "train.lr_final",
                                    "train.diag_shift", "train.diag_shift_final", "train.seed"}));
  const int64_t n = cfg.get_int("problem.sites", 20);
  const double j = cfg.get_double("problem.j", 1.0), h = cfg.get_double("problem.h", 1.0);
  const std::string name = cfg.get_string("output.name", fmt::format("vmc_tfim_{}", n));
  auto opts = var::VmcOptions()
                  .hidden_density(cfg.get_int("rbm.hidden_density", 2))
                  .init_std(cfg.get_double("rbm.init_std", 0.01))
                  .samples(cfg.get_int("sampler.samples", 1000))
                  .sweeps(cfg.get_int("sampler.sweeps", 1))
                  .thermalization(cfg.get_int("sampler.thermalization", 50))
                  .final_samples(cfg.get_int("sampler.final_samples", 20000))
                  .iterations(cfg.get_int("train.iterations", 500))
                  .lr(cfg.get_double("train.lr", 0.05))
                  .lr_final(cfg.get_double("train.lr_final", 0.01))
                  .diag_shift(cfg.get_double("train.diag_shift", 1e-2))
                  .diag_shift_final(cfg.get_double("train.diag_shift_final", 1e-4))
                  .seed(cfg.get_int("train.seed", 0))
                  .tensor_options(tensor_options(cfg))
                  .on_progress(progress_printer(common, "step", "+-"));
  if (!common.json)
    fmt::print(stderr, "VMC, transverse-field Ising chain N = {}, J = {}, h = {}: RBM alpha = {}\n",
               n, j, h, opts.hidden_density());
  auto r = var::solve_vmc_tfim(n, j, h, opts);
  const double e0 = var::tfim_exact_energy(n, j, h);
  std::vector<std::pair<std::string, std::string>> m{
      {"sites", std::to_string(n)},
      {"j", num(j)},
      {"h", num(h)},
      {"hidden_density", std::to_string(opts.hidden_density())},
      {"iterations", std::to_string(r.iterations)},
      {"samples", std::to_string(opts.samples())},
      {"final_samples", std::to_string(opts.final_samples())},
      {"seed", std::to_string(opts.seed())},
      {"seconds", num(r.seconds)},
      {"energy", num(r.energy)},
      {"energy_stderr", num(r.energy_error)},
      {"local_energy_variance", num(r.variance)},
      {"exact_energy", num(e0)},
      {"rel_error", num(std::abs(r.energy - e0) / std::abs(e0))},
      {"acceptance", num(r.acceptance)}};
  if (cfg.get_bool("output.plot", true) && io::gnuplot_available()) {
    std::vector<double> rel;
    for (double e : r.energy_history) rel.push_back((e - e0) / std::abs(e0));
    const std::string path = (fs::path(out_dir) / (name + "_energy.png")).string();
    io::plot_lines(path,
                   {fmt::format("VMC energy, TFIM N = {}, h/J = {}, RBM alpha = {}", n, h / j,
                                opts.hidden_density()),
                    "SR step", "(E - E_0) / |E_0|", true},
                   {history_series("batch mean", rel, true)});
    if (!common.json) fmt::print("  plot: {}\n", path);
  }
  write_outputs(out_dir, name, m, cfg, common);
  return 0;
}

const SolverRegistrar reg_committor(
    "committor",
    "Committor of overdamped Langevin dynamics (double_well, spheres, muller_brown, "
    "ginzburg_landau)",
    run_committor);
const SolverRegistrar reg_ritz("deep_ritz", "Deep Ritz for -Laplace u = f on (0,1)^d",
                               run_deep_ritz);
const SolverRegistrar reg_vmc("vmc_ising",
                              "Variational Monte Carlo (RBM + SR) for the transverse-field Ising "
                              "chain",
                              run_vmc);

}  // namespace
}  // namespace enflow::cli
