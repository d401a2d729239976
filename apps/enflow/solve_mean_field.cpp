// `enflow solve` kind "mean_field": a wide two-layer network trained as particles following the
// Wasserstein gradient flow of the square loss (teacher–student, 2-D inputs by default), with
// optional weight decay and noise. Writes the loss history and final particles (CSV), metrics,
// the particle picture over time and the loss curves (PNG).
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "enflow/particles/mean_field.h"
#include "particles_cli.h"
#include "solve_registry.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;
namespace pc = particles_cli;
namespace pt = enflow::particles;

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
    s.push_back(pc::point_set(legend ? "student, a > 0" : "", eff.index({pos}), "#d62728", 0.5));
  if ((~pos).any().item<bool>())
    s.push_back(pc::point_set(legend ? "student, a < 0" : "", eff.index({~pos}), "#1f77b4", 0.5));
  auto ta = teacher.select(1, 0);
  s.push_back(pc::point_set(legend ? "teacher |a*| w*" : "",
                            ta.abs().unsqueeze(1) * teacher.narrow(1, 1, 2), "black", 2.5));
  return s;
}

int run_mean_field(const io::Config& cfg, const Common& common, const std::string& out_dir) {
  cfg.check_known({"problem.kind",
                   "teacher.neurons",
                   "teacher.activation",
                   "data.n_train",
                   "data.n_test",
                   "data.noise",
                   "student.particles",
                   "student.init_std",
                   "flow.step",
                   "flow.steps",
                   "flow.temperature",
                   "flow.weight_decay",
                   "output.name",
                   "output.snapshots",
                   "output.plot",
                   "output.test_every",
                   "run.seed",
                   "run.threads",
                   "dtype",
                   "device"});
  const uint64_t seed = pc::start_run(cfg, common);
  const auto o = pc::tensor_options(cfg);
  const auto neurons = cfg.get_doubles("teacher.neurons", kTeacher);
  if (neurons.empty() || neurons.size() % 3 != 0)
    throw std::invalid_argument(cfg.source() +
                                ": teacher.neurons must list (a, w1, w2) triples (2-D inputs)");
  auto teacher = torch::tensor(neurons, o).reshape({-1, 3});
  const std::string act = cfg.get_string("teacher.activation", "relu");
  auto problem =
      pt::teacher_student(teacher, act, cfg.get_int("data.n_train", 1000),
                          cfg.get_int("data.n_test", 10000), cfg.get_double("data.noise", 0.0));
  const int64_t m = cfg.get_int("student.particles", 500);
  const double init_std = cfg.get_double("student.init_std", 1.0);
  if (m < 1 || !(init_std > 0))
    throw std::invalid_argument(cfg.source() + ": student.particles >= 1, student.init_std > 0");
  auto init = init_std * torch::randn({m, 3}, o);
  const int64_t steps = cfg.get_int("flow.steps", 2000);
  auto opts = pt::MeanFieldOptions()
                  .step(cfg.get_double("flow.step", 0.05))
                  .steps(steps)
                  .temperature(cfg.get_double("flow.temperature", 0.0))
                  .weight_decay(cfg.get_double("flow.weight_decay", 0.0))
                  .snapshots(cfg.get_ints("output.snapshots", {0, steps / 20, steps / 4, steps}))
                  .test_every(cfg.get_int("output.test_every", 10))
                  .on_progress(pc::progress_line(common, "step", "loss", "test"));
  const std::string name = cfg.get_string("output.name", "mean_field");
  if (!common.json)
    fmt::print(stderr,
               "mean-field two-layer {} network: {} particles, {} teacher neurons, {} steps "
               "of tau = {}\n",
               act, m, teacher.size(0), steps, opts.step());
  auto r = pt::mean_field_flow(problem, init, opts);
  int64_t increases = 0;
  for (size_t k = 1; k < r.train_loss.size(); ++k)
    increases += r.train_loss[k] > r.train_loss[k - 1];
  const double scale = 0.5 * problem.y_test.pow(2).mean().item<double>();  // loss of f = 0
  pc::Metrics mt{{"activation", pc::quoted(act)},
                 {"particles", std::to_string(m)},
                 {"teacher_neurons", std::to_string(teacher.size(0))},
                 {"steps", std::to_string(steps)},
                 {"step", pc::num(opts.step())},
                 {"temperature", pc::num(opts.temperature())},
                 {"weight_decay", pc::num(opts.weight_decay())},
                 {"seed", std::to_string(seed)},
                 {"seconds", pc::num(r.seconds)},
                 {"train_loss_initial", pc::num(r.train_loss.front())},
                 {"train_loss_final", pc::num(r.train_loss.back())},
                 {"test_loss_final", pc::num(r.test_loss.back())},
                 {"test_loss_relative", pc::num(r.test_loss.back() / scale)},
                 {"loss_increases", std::to_string(increases)}};
  std::vector<std::string> files;
  const std::string loss_csv = (fs::path(out_dir) / (name + "_loss.csv")).string();
  auto hist = torch::stack(
      {torch::tensor(r.time, torch::kDouble), torch::tensor(r.train_loss, torch::kDouble)}, 1);
  pc::write_csv(loss_csv, fmt::format("enflow solve mean_field: seed {}", seed),
                {"t", "train_loss"}, hist);
  const std::string part_csv = (fs::path(out_dir) / (name + "_particles.csv")).string();
  pc::write_csv(part_csv, fmt::format("enflow solve mean_field: final particles, seed {}", seed),
                {"a", "w1", "w2"}, r.particles);
  files.insert(files.end(), {loss_csv, part_csv});
  if (pc::plotting(cfg)) {
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
    const std::string pic = (fs::path(out_dir) / (name + "_particles.png")).string();
    io::plot_panels(pic,
                    {fmt::format("Mean-field training: {} neurons as particles |a| w", m),
                     "|a| w_1", "|a| w_2", false, 420, 400},
                    panels, 4);
    const std::string loss = (fs::path(out_dir) / (name + "_loss.png")).string();
    io::plot_lines(
        loss, {"Mean-field training: square loss", "t (flow time)", "loss", true},
        {pc::curve("train", r.train_loss, r.time), pc::curve("test", r.test_loss, r.test_time)});
    files.insert(files.end(), {pic, loss});
  }
  pc::report(out_dir, name, mt, cfg, common, files);
  return 0;
}

const SolverRegistrar reg("mean_field",
                          "Mean-field (Wasserstein) particle training of a two-layer network, "
                          "teacher-student in 2-D",
                          run_mean_field);

}  // namespace
}  // namespace enflow::cli
