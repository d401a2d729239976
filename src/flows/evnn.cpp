#include "enflow/flows/evnn.h"

#include <fmt/core.h>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/group.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/run_config.h"
#include "enflow/runtime.h"
#include "flows/evnn_run.h"

namespace enflow::flows {

double EvnnResult::metric(const std::string& name, double fallback) const {
  for (const auto& m : metrics)
    if (m.first == name) return m.second;
  return fallback;
}

std::vector<std::pair<std::string, std::string>> evnn_kinds() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, e] : EvnnProblemRegistry::instance().entries())
    out.emplace_back(name, e.help);
  return out;
}

std::vector<io::KeySpec> evnn_key_specs() {
  // "per kind": the problem's own default, set where the problem is defined
  // (evnn_eulerian.cpp, evnn_lagrangian.cpp) and listed in docs/evnn.md.
  std::vector<io::KeySpec> specs({
      {"problem.kind", "string", "", "the EVNN problem (enflow solve --list)"},
      {"run.seed", "int", "0", "seed of the networks, the particles and the samples"},
      {"run.dtype", "string", "float64", "float32 | float64"},
      {"run.device", "string", "cpu", "cpu | cuda"},
      {"problem.dim", "int", "per kind", "dimension (heat, high-dim Poisson, Lagrangian kinds)"},
      {"problem.bc", "string", "construction", "Eulerian: construction | penalty"},
      {"problem.penalty", "float", "500", "Eulerian: boundary penalty weight (bc = penalty)"},
      {"problem.eps", "float", "0.1", "Allen–Cahn: interface width"},
      {"problem.volume_constraint", "bool", "false", "Allen–Cahn: keep the volume"},
      {"problem.radius0", "float", "0.5", "Allen–Cahn: radius of the initial disk"},
      {"problem.mean0", "float", "1", "Fokker–Planck: initial mean"},
      {"problem.sigma0", "float", "0.5", "Fokker–Planck: initial std"},
      {"problem.m", "float", "2", "porous medium: exponent m"},
      {"problem.t0", "float", "0.1", "porous medium: Barenblatt start time"},
      {"problem.mass", "float", "1", "porous medium: mass"},
      {"problem.target", "string", "isotropic", "Fokker–Planck: isotropic | anisotropic"},
      {"problem.target_seed", "int", "run.seed", "Fokker–Planck: seed of the random target"},
      {"network.arch", "string", "shallow", "Eulerian field: shallow (mlp) | resnet"},
      {"network.width", "int", "32", "Eulerian field: width"},
      {"network.depth", "int", "1", "Eulerian field: hidden layers (resnet: blocks)"},
      {"map.kind", "string", "icnn", "Lagrangian flow map network"},
      {"map.width", "int", "16", "Lagrangian map: width"},
      {"map.depth", "int", "2", "Lagrangian map: depth"},
      {"map.min_curvature", "float", "0.001", "Lagrangian map: added strict convexity"},
      {"map.warm_start", "bool", "true", "Lagrangian map: start each step from the last"},
      {"map.jacobian_penalty", "float", "0", "Lagrangian map: penalty on det(Jacobian)"},
      {"quadrature.kind", "string", "gauss", "Eulerian: gauss | mc | halton | ..."},
      {"quadrature.n", "int", "per kind", "Eulerian: points (per axis for gauss)"},
      {"quadrature.boundary_n", "int", "per kind", "Eulerian: boundary points"},
      {"quadrature.eval_n", "int", "16384", "high-dim Poisson: error points"},
      {"particles.n", "int", "per kind", "Lagrangian: particles"},
      {"particles.init", "string", "grid (d <= 2), halton", "Lagrangian: initial particles"},
      {"particles.match_moments", "bool", "false", "Fokker–Planck: match the initial moments"},
      {"time.tau", "float", "per kind", "time step"},
      {"time.steps", "int", "per kind", "steps"},
      {"optimizer.kind", "string", "lbfgs", "lbfgs | adam"},
      {"optimizer.max_iter", "int", "per kind", "iterations per step"},
      {"optimizer.lr", "float", "1 (lbfgs), 0.001 (adam)", "learning rate"},
      {"optimizer.history", "int", "50", "L-BFGS history"},
      {"optimizer.tolerance_grad", "float", "1e-11", "L-BFGS gradient tolerance"},
      {"optimizer.tolerance_change", "float", "1e-14", "L-BFGS change tolerance"},
      {"optimizer.fit_iter", "int", "2000", "iterations of the initial fit"},
      {"output.error_every", "int", "per kind", "steps between error evaluations"},
      {"output.snapshots", "int", "3", "snapshots of the solution, evenly spaced"},
      {"output.eval_n", "int", "8192 (sampled initial), 0", "Lagrangian: points of the KL"},
  });
  specs.push_back(run_threads_spec());
  return specs;
}

void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

void check_point_count(const io::Config& c, const std::string& key, double points, int64_t dim) {
  const io::KeyReader keys(c, evnn_key_specs());
  const double width = static_cast<double>(std::max<int64_t>(keys.get_int("network.width"), 1));
  const double depth = static_cast<double>(std::max<int64_t>(keys.get_int("network.depth"), 1));
  // float64 activations kept for the backward pass, their spatial gradient and its backward.
  const double bytes = points * (static_cast<double>(dim) + 6.0 * width * depth) * 8.0;
  require_memory(
      bytes, fmt::format("{} gives {:.3g} points (lower it): the network on them", key, points));
}

RunSettings read_run_settings(const io::Config& c, double tau, int64_t steps, int64_t max_iter,
                              int64_t error_every) {
  RunSettings k;
  const io::KeyReader keys(c, evnn_key_specs());
  k.kind = keys.get_string("problem.kind");
  const int64_t seed = keys.get_int("run.seed");
  require(seed >= 0, "run.seed must be >= 0");
  k.seed = static_cast<uint64_t>(seed);
  k.opts = run_tensor_options(c);
  k.tau = keys.get_double("time.tau", tau);
  require(k.tau > 0 && std::isfinite(k.tau), "time.tau must be positive");
  k.steps = keys.get_int("time.steps", steps);
  require(k.steps >= 1, "time.steps must be >= 1");
  k.error_every = keys.get_int("output.error_every", error_every);
  require(k.error_every >= 1, "output.error_every must be >= 1");
  k.snapshots = keys.get_int("output.snapshots");
  require(k.snapshots >= 0, "output.snapshots must be >= 0");
  auto& o = k.optimizer;
  o.kind(nn::optimizer_kind_from_string(keys.get_string("optimizer.kind"), "optimizer.kind"));
  o.max_iter(keys.get_int("optimizer.max_iter", max_iter));
  o.lr(keys.get_double("optimizer.lr", o.kind() == nn::OptimizerKind::kAdam ? 1e-3 : 1.0));
  o.history_size(keys.get_int("optimizer.history"));
  require(o.history_size() >= 1, "optimizer.history must be >= 1");
  o.tolerance_grad(keys.get_double("optimizer.tolerance_grad"));
  o.tolerance_change(keys.get_double("optimizer.tolerance_change"));
  o.check("optimizer.");
  k.fit_iter = keys.get_int("optimizer.fit_iter");
  require(k.fit_iter >= 1, "optimizer.fit_iter must be >= 1");
  return k;
}

std::vector<double> to_vector(const at::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void drive(const RunSettings& k, const Stepper& s, const ProgressFn& progress, EvnnResult* r) {
  // Snapshot steps: `snapshots` evenly spaced over [0, steps].
  std::vector<int64_t> snaps;
  for (int64_t i = 0; i < k.snapshots; ++i) {
    const int64_t n = k.snapshots == 1 ? k.steps : (k.steps * i) / (k.snapshots - 1);
    if (snaps.empty() || snaps.back() != n) snaps.push_back(n);
  }
  auto snapshot = [&](int64_t n) {
    if (s.snapshot && std::find(snaps.begin(), snaps.end(), n) != snaps.end()) s.snapshot();
  };
  const auto start = std::chrono::steady_clock::now();
  r->t.push_back(s.time());
  r->energy.push_back(s.energy());
  if (s.errors) s.errors(s.time());
  snapshot(0);
  for (int64_t n = 1; n <= k.steps; ++n) {
    const auto rep = s.step();
    r->t.push_back(s.time());
    r->energy.push_back(rep.energy_after);
    r->step_seconds.push_back(rep.seconds);
    r->accepted.push_back(rep.accepted ? 1 : 0);
    if (!rep.accepted) ++r->rejected;
    if (rep.energy_after > r->energy[r->energy.size() - 2]) ++r->energy_increases;
    if (progress) {
      Progress p;
      p.iteration = n;
      p.iterations = k.steps;
      p.loss = rep.energy_after;
      p.metric = rep.objective;
      p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!rep.accepted) p.note = "rejected";
      progress(p);
    }
    if (s.errors && (n % k.error_every == 0 || n == k.steps)) s.errors(s.time());
    snapshot(n);
  }
  r->wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

EvnnResult run_evnn(const io::Config& c, const ProgressFn& progress,
                    const std::shared_ptr<distributed::Group>& group) {
  const io::KeyReader keys(c, evnn_key_specs());  // unknown keys are named with their table's
  const auto kind = keys.get_string("problem.kind");
  const auto& entry = EvnnProblemRegistry::instance().at(kind);
  require(distributed::size_of(group.get()) == 1 || entry.sample_parallel,
          "problem.kind = " + kind +
              " runs on one process only (the EVNN kinds share "
              "their particles or quadrature points over many)");
  return entry.run(c, progress, group);
}

RunResult evnn_run_result(const EvnnResult& r) {
  double mean_step = 0;
  for (double s : r.step_seconds) mean_step += s;
  mean_step /= static_cast<double>(std::max<size_t>(1, r.step_seconds.size()));
  RunResult out;
  out.name = r.kind;
  auto& m = out.metrics;
  m.emplace_back("kind", r.kind);
  m.emplace_back("frame", r.frame);
  m.emplace_back("seed", static_cast<int64_t>(r.seed));
  m.emplace_back("tau", r.tau);
  m.emplace_back("steps", static_cast<int64_t>(r.step_seconds.size()));
  m.emplace_back("energy_initial", r.energy.front());
  m.emplace_back("energy_final", r.energy.back());
  m.emplace_back("energy_increases", static_cast<int64_t>(r.energy_increases));
  m.emplace_back("rejected_steps", static_cast<int64_t>(r.rejected));
  m.emplace_back("seconds_per_step", mean_step);
  m.emplace_back("wall_seconds", r.wall_seconds);
  for (const auto& [k, v] : r.metrics) m.emplace_back(k, v);
  m.emplace_back("error_t", r.error_t);
  m.emplace_back("rel_l2", r.error);
  if (!r.sym_kl.empty()) m.emplace_back("sym_kl", r.sym_kl);
  if (!r.error_particles.empty()) m.emplace_back("rel_l2_particles", r.error_particles);
  if (!r.sym_kl_particles.empty()) m.emplace_back("sym_kl_particles", r.sym_kl_particles);
  m.emplace_back("energy", r.energy);
  return out;
}

std::string evnn_summary_json(const EvnnResult& r) { return to_json(evnn_run_result(r)); }

namespace {

// The solver of every EVNN problem kind (`enflow solve`, enflow::solve).
RunResult run_evnn_solver(const io::Config& file_config, const RunContext& ctx) {
  // configs/evnn/*.toml carry a [reproduce] table for `enflow reproduce evnn`.
  const auto c = file_config.without("reproduce");
  // These networks are small: one thread is fastest, and far faster on a shared, loaded
  // machine. The context's threads or run.threads ask for more.
  apply_run_threads(c, ctx, /*default_threads=*/1);
  ctx.say("setting up " + c.get_string("problem.kind", "") + " ...");
  const auto r = run_evnn(c, named(ctx.progress(), "step", "energy", ""), ctx.group());
  auto result = evnn_run_result(r);
  if (distributed::rank_of(ctx.group().get()) == 0)  // rank 0 writes
    result.files = write_evnn_outputs(r, ctx.out_dir(), c.to_toml());
  return result;
}

}  // namespace

EvnnProblemRegistrar::EvnnProblemRegistrar(const std::string& kind, EvnnProblemEntry entry) {
  const std::string help = entry.help;
  const bool parallel = entry.sample_parallel;
  EvnnProblemRegistry::instance().add(kind, std::move(entry));
  SolverRegistry::instance().add(kind, {help, run_evnn_solver, parallel, evnn_key_specs});
}

std::vector<std::string> write_evnn_outputs(const EvnnResult& r, const std::string& dir,
                                            const std::string& config_toml) {
  std::vector<std::string> written;
  auto put = [&](const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    io::write_bytes_atomically(path, text);
    written.push_back(path);
  };
  std::string e = "step,t,energy,accepted,seconds\n";
  for (size_t i = 0; i < r.energy.size(); ++i)
    e += fmt::format("{},{:.10g},{:.17g},{},{:.6g}\n", i, r.t[i], r.energy[i],
                     i ? r.accepted[i - 1] : 1, i ? r.step_seconds[i - 1] : 0.0);
  put("energy.csv", e);
  if (!r.error.empty()) {
    // Columns present in this run: rel_l2 always, the others when measured.
    std::vector<std::pair<std::string, const std::vector<double>*>> cols = {{"rel_l2", &r.error}};
    if (!r.sym_kl.empty()) cols.emplace_back("sym_kl", &r.sym_kl);
    if (!r.error_particles.empty()) cols.emplace_back("rel_l2_particles", &r.error_particles);
    if (!r.sym_kl_particles.empty()) cols.emplace_back("sym_kl_particles", &r.sym_kl_particles);
    std::string er = "t";
    for (const auto& col : cols) er += "," + col.first;
    er += "\n";
    for (size_t i = 0; i < r.error.size(); ++i) {
      er += fmt::format("{:.10g}", r.error_t[i]);
      for (const auto& col : cols) er += fmt::format(",{:.10g}", (*col.second)[i]);
      er += "\n";
    }
    put("errors.csv", er);
  }
  put("summary.json", evnn_summary_json(r) + "\n");
  put("config.toml", config_toml);
  if (io::gnuplot_available()) {
    std::string title = r.kind;  // gnuplot's enhanced text reads '_' as a subscript
    std::replace(title.begin(), title.end(), '_', ' ');
    const std::string ep = dir + "/energy.png";
    io::plot_lines(ep, {title + ": discrete energy at every step", "t", "F_h", false},
                   {{"EVNN", r.t, r.energy}});
    written.push_back(ep);
    if (!r.snapshots.empty()) {
      std::vector<io::Series> s;
      for (const auto& sn : r.snapshots) s.push_back({sn.label, sn.x, sn.y});
      const std::string sp = dir + "/snapshots.png";
      io::plot_lines(sp, {title + ": solution snapshots", r.snapshot_xlabel, r.snapshot_ylabel}, s);
      written.push_back(sp);
    }
  }
  return written;
}

}  // namespace enflow::flows
