// Solver "mean_field": a wide two-layer network trained as particles following the Wasserstein
// gradient flow of the square loss (teacher–student, 2-D inputs by default), with optional
// weight decay and noise. Writes the loss history and final particles (CSV), metrics, the
// particle picture over time and the loss curves (PNG).
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/io/csv.h"
#include "enflow/io/plot.h"
#include "enflow/io/plot_data.h"
#include "enflow/particles/mean_field.h"
#include "enflow/run.h"
#include "enflow/run_config.h"

namespace enflow::particles {
namespace {

/// Three teacher neurons (a, w₁, w₂) at well-separated directions, two positive, one negative.
const std::vector<double> kTeacher{2.0, 1.0, 0.0, 1.5, -0.5, 0.9, -1.0, -0.4, -0.9};

/// The effective neurons |a| w (a·σ(w·x) = sign(a) σ(|a| w·x) for the ReLU), split by sign(a).
std::vector<io::PointSet> neuron_clouds(const at::Tensor& th, const at::Tensor& teacher,
                                        bool legend) {
  auto a = th.select(1, 0), w = th.narrow(1, 1, 2);
  auto eff = a.abs().unsqueeze(1) * w;
  std::vector<io::PointSet> s;
  auto pos = a > 0;
  if (pos.any().item<bool>())
    s.push_back(io::point_set(legend ? "student, a > 0" : "", eff.index({pos}), "#d62728", 0.5));
  if ((~pos).any().item<bool>())
    s.push_back(io::point_set(legend ? "student, a < 0" : "", eff.index({~pos}), "#1f77b4", 0.5));
  auto ta = teacher.select(1, 0);
  s.push_back(io::point_set(legend ? "teacher |a*| w*" : "",
                            ta.abs().unsqueeze(1) * teacher.narrow(1, 1, 2), "black", 2.5));
  return s;
}

RunResult run_mean_field(const io::Config& cfg, const RunContext& ctx) {
  cfg.check_known(with_run_keys(
      {"teacher.neurons", "teacher.activation", "data.n_train", "data.n_test", "data.noise",
       "student.particles", "student.init_std", "flow.step", "flow.steps", "flow.temperature",
       "flow.weight_decay", "output.snapshots", "output.test_every", "run.seed", "run.threads"}));
  const uint64_t seed = start_run(cfg, ctx);
  const auto o = run_tensor_options(cfg);
  const auto neurons = cfg.get_doubles("teacher.neurons", kTeacher);
  if (neurons.empty() || neurons.size() % 3 != 0)
    throw std::invalid_argument(cfg.source() +
                                ": teacher.neurons must list (a, w1, w2) triples (2-D inputs)");
  auto teacher = torch::tensor(neurons, o).reshape({-1, 3});
  const std::string act = cfg.get_string("teacher.activation", "relu");
  auto problem =
      teacher_student(teacher, act, cfg.get_int("data.n_train", 1000),
                      cfg.get_int("data.n_test", 10000), cfg.get_double("data.noise", 0.0));
  const int64_t m = cfg.get_int("student.particles", 500);
  const double init_std = cfg.get_double("student.init_std", 1.0);
  if (m < 1 || !(init_std > 0))
    throw std::invalid_argument(cfg.source() + ": student.particles >= 1, student.init_std > 0");
  auto init = init_std * torch::randn({m, 3}, o);
  const int64_t steps = cfg.get_int("flow.steps", 2000);
  auto opts = MeanFieldOptions()
                  .step(cfg.get_double("flow.step", 0.05))
                  .steps(steps)
                  .temperature(cfg.get_double("flow.temperature", 0.0))
                  .weight_decay(cfg.get_double("flow.weight_decay", 0.0))
                  .snapshots(cfg.get_ints("output.snapshots", {0, steps / 20, steps / 4, steps}))
                  .test_every(cfg.get_int("output.test_every", 10))
                  .on_progress(named(ctx.progress(), "step", "loss", "test"));
  const std::string name = cfg.get_string("output.name", "mean_field");
  ctx.say(fmt::format(
      "mean-field two-layer {} network: {} particles, {} teacher neurons, {} steps of tau = {}",
      act, m, teacher.size(0), steps, opts.step()));
  auto r = mean_field_flow(problem, init, opts);
  int64_t increases = 0;
  for (size_t k = 1; k < r.train_loss.size(); ++k)
    increases += r.train_loss[k] > r.train_loss[k - 1];
  const double scale = 0.5 * problem.y_test.pow(2).mean().item<double>();  // loss of f = 0
  Report report(cfg, ctx.out_dir(), name);
  report.text("activation", act);
  report.count("particles", m);
  report.count("teacher_neurons", teacher.size(0));
  report.count("steps", steps);
  report.number("step", opts.step());
  report.number("temperature", opts.temperature());
  report.number("weight_decay", opts.weight_decay());
  report.count("seed", static_cast<int64_t>(seed));
  report.number("seconds", r.seconds);
  report.number("train_loss_initial", r.train_loss.front());
  report.number("train_loss_final", r.train_loss.back());
  report.number("test_loss_final", r.test_loss.back());
  report.number("test_loss_relative", r.test_loss.back() / scale);
  report.count("loss_increases", increases);
  auto hist = torch::stack(
      {torch::tensor(r.time, torch::kDouble), torch::tensor(r.train_loss, torch::kDouble)}, 1);
  io::write_csv(report.file_path("_loss.csv"),
                fmt::format("enflow solve mean_field: seed {}", seed), {"t", "train_loss"}, hist);
  io::write_csv(report.file_path("_particles.csv"),
                fmt::format("enflow solve mean_field: final particles, seed {}", seed),
                {"a", "w1", "w2"}, r.particles);
  if (report.plots()) {
    std::vector<io::Panel2d> panels;
    double box = 0;
    for (const auto& th : r.snapshots)
      box = std::max(
          box,
          (th.select(1, 0).abs().unsqueeze(1) * th.narrow(1, 1, 2)).abs().max().item<double>());
    for (size_t k = 0; k < r.snapshots.size(); ++k) {
      io::Panel2d p;
      p.title = fmt::format("t = {:.4g}", r.snapshot_steps[k] * opts.step());
      p.points = neuron_clouds(r.snapshots[k], teacher, k == 0);
      p.equal_axes = true;
      p.xmin = p.ymin = -1.05 * box;
      p.xmax = p.ymax = 1.05 * box;
      panels.push_back(p);
    }
    io::plot_panels(report.plot_path("particles"),
                    {fmt::format("Mean-field training: {} neurons as particles |a| w", m),
                     "|a| w_1", "|a| w_2", false, 420, 400},
                    panels, 4);
    io::plot_lines(report.plot_path("loss"),
                   {"Mean-field training: square loss", "t (flow time)", "loss", true},
                   {io::series_of("train", r.train_loss, r.time),
                    io::series_of("test", r.test_loss, r.test_time)});
  }
  return report.finish();
}

const SolverRegistrar mean_field_solver(
    "mean_field", {"Mean-field (Wasserstein) particle training of a two-layer network, "
                   "teacher-student in 2-D",
                   run_mean_field});

}  // namespace
}  // namespace enflow::particles
