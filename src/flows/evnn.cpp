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

const std::vector<std::string>& evnn_config_keys() {
  static const std::vector<std::string> k = {"problem.kind",
                                             "problem.dim",
                                             "problem.bc",
                                             "problem.penalty",
                                             "problem.eps",
                                             "problem.volume_constraint",
                                             "problem.radius0",
                                             "problem.mean0",
                                             "problem.sigma0",
                                             "problem.m",
                                             "problem.t0",
                                             "problem.mass",
                                             "problem.target",
                                             "problem.target_seed",
                                             "network.arch",
                                             "network.width",
                                             "network.depth",
                                             "map.kind",
                                             "map.width",
                                             "map.depth",
                                             "map.min_curvature",
                                             "map.warm_start",
                                             "map.jacobian_penalty",
                                             "quadrature.kind",
                                             "quadrature.n",
                                             "quadrature.boundary_n",
                                             "quadrature.eval_n",
                                             "particles.n",
                                             "particles.init",
                                             "particles.match_moments",
                                             "time.tau",
                                             "time.steps",
                                             "optimizer.kind",
                                             "optimizer.max_iter",
                                             "optimizer.lr",
                                             "optimizer.history",
                                             "optimizer.tolerance_grad",
                                             "optimizer.tolerance_change",
                                             "optimizer.fit_iter",
                                             "output.error_every",
                                             "output.snapshots",
                                             "output.eval_n",
                                             "run.seed",
                                             "run.dtype",
                                             "run.device",
                                             "run.threads"};
  return k;
}

void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

void check_point_count(const io::Config& c, const std::string& key, double points, int64_t dim) {
  const double width = static_cast<double>(std::max<int64_t>(c.get_int("network.width", 32), 1));
  const double depth = static_cast<double>(std::max<int64_t>(c.get_int("network.depth", 3), 1));
  // float64 activations kept for the backward pass, their spatial gradient and its backward.
  const double bytes = points * (static_cast<double>(dim) + 6.0 * width * depth) * 8.0;
  require_memory(
      bytes, fmt::format("{} gives {:.3g} points (lower it): the network on them", key, points));
}

RunSettings read_run_settings(const io::Config& c, double tau, int64_t steps, int64_t max_iter,
                              int64_t error_every) {
  RunSettings k;
  k.kind = c.require_string("problem.kind");
  const int64_t seed = c.get_int("run.seed", 0);
  require(seed >= 0, "run.seed must be >= 0");
  k.seed = static_cast<uint64_t>(seed);
  k.opts = run_tensor_options(c);
  k.tau = c.get_double("time.tau", tau);
  require(k.tau > 0 && std::isfinite(k.tau), "time.tau must be positive");
  k.steps = c.get_int("time.steps", steps);
  require(k.steps >= 1, "time.steps must be >= 1");
  k.error_every = c.get_int("output.error_every", error_every);
  require(k.error_every >= 1, "output.error_every must be >= 1");
  k.snapshots = c.get_int("output.snapshots", 3);
  require(k.snapshots >= 0, "output.snapshots must be >= 0");
  auto& o = k.optimizer;
  o.kind(nn::optimizer_kind_from_string(c.get_string("optimizer.kind", "lbfgs"), "optimizer.kind"));
  o.max_iter(c.get_int("optimizer.max_iter", max_iter));
  o.lr(c.get_double("optimizer.lr", o.kind() == nn::OptimizerKind::kAdam ? 1e-3 : 1.0));
  o.history_size(c.get_int("optimizer.history", 50));
  require(o.history_size() >= 1, "optimizer.history must be >= 1");
  o.tolerance_grad(c.get_double("optimizer.tolerance_grad", 1e-11));
  o.tolerance_change(c.get_double("optimizer.tolerance_change", 1e-14));
  o.check("optimizer.");
  k.fit_iter = c.get_int("optimizer.fit_iter", 2000);
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
  c.check_known(evnn_config_keys());
  const auto kind = c.require_string("problem.kind");
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
  SolverRegistry::instance().add(kind, {help, run_evnn_solver, parallel});
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
