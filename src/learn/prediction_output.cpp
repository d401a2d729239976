#include "enflow/learn/prediction_output.h"

#include <fmt/core.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "enflow/io/plot.h"
#include "enflow/learn/experiment_config.h"
#include "enflow/learn/ggd_plots.h"
#include "enflow/models/ggd.h"
#include "enflow/runtime.h"
#include "enflow/systems/formula_energy.h"

namespace enflow::learn {

namespace fs = std::filesystem;

LoadedForEval load_for_eval(const std::string& model_path, const std::string& data_path,
                            const std::string& integrator, bool all_series,
                            const std::string& step_integrator, const io::Dataset* data) {
  LoadedForEval l;
  l.lm = learn::load_model(model_path);
  if (data != nullptr)
    l.data = *data;
  else if (!data_path.empty())
    l.data = io::load_dataset(data_path);
  else if (l.lm.config.has("data.path"))
    l.data = io::load_dataset(l.lm.config.require_string("data.path"));
  else
    throw std::invalid_argument("model '" + model_path +
                                "' was trained on data in memory: give the data to score it on");
  if (l.data.states.size(2) != l.lm.config.require_int("data.dim")) {
    throw std::invalid_argument(
        fmt::format("dataset states have dimension {} but the model was trained on dimension {}",
                    l.data.states.size(2), l.lm.config.require_int("data.dim")));
  }
  const auto model_grid = l.lm.config.get_ints("data.grid", {});
  const auto data_grid = learn::dataset_grid_shape(l.data);
  if (!model_grid.empty() && !data_grid.empty() && model_grid != data_grid)
    throw std::invalid_argument(fmt::format("the dataset's grid is [{}], the model's [{}]",
                                            fmt::join(data_grid, ", "),
                                            fmt::join(model_grid, ", ")));
  const auto structure = l.lm.config.get_string("model.structure", "");
  if (structure == "D" || structure == "D2") {  // only these operators use the spacing
    const double model_dx = l.lm.config.get_double("data.dx", 1.0);
    const double data_dx = learn::dataset_grid_spacing(l.data);
    if (std::abs(model_dx - data_dx) > 1e-12 * std::max(model_dx, data_dx)) {
      enflow::warn(fmt::format(
          "the model's {} operator uses grid spacing {:g}, the data's is {:g}; grid models "
          "trained by enflow before 2026-12-02 used 1 (docs/dgnet.md): retrain",
          structure, model_dx, data_dx));
    }
  }
  l.system = system_of(l.data);
  if (l.lm.config.has("data.energy"))  // the user's energy: metrics and plots for any record
    l.system = systems::formula_energy_system(l.lm.config.require_string("data.energy"),
                                              l.data.states.size(2), l.data.params);
  if (all_series || l.data.test.empty()) {
    for (int64_t s = 0; s < l.data.states.size(0); ++s) l.series.push_back(s);
  } else {
    l.series = l.data.test;
  }
  l.predict = predict_step_options(l.lm.config);
  if (!integrator.empty()) l.predict.integrator(integrator);
  l.step = train_step_options(l.lm.config);
  if (!step_integrator.empty()) l.step.integrator(step_integrator);
  return l;
}

learn::Evaluation evaluate_loaded(const LoadedForEval& l, int64_t steps) {
  return learn::evaluate(*l.lm.model, l.data, l.series, l.step, l.predict, l.system.get(), steps,
                         train_derivative(l.lm.config), l.lm.config.get_ints("model.angles", {}));
}

std::vector<std::string> write_prediction(const LoadedForEval& l, const learn::Evaluation& ev,
                                          const std::string& out, const std::string& plot_dir) {
  io::Dataset pred;
  pred.states = ev.prediction;
  pred.learned_energy = ev.learned_energy;
  const int64_t T = ev.prediction.size(1);
  pred.t = l.data.t.dim() == 1 ? l.data.t.narrow(0, 0, T)
                               : l.data.t.index_select(0, torch::tensor(l.series)).narrow(1, 0, T);
  pred.system = l.data.system;
  pred.params = l.data.params;
  pred.dt = l.data.dt;
  pred.seed = l.data.seed;
  pred.lengths = ev.lengths;
  pred.grid = l.data.grid;
  for (int64_t s = 0; s < pred.states.size(0); ++s) pred.test.push_back(s);
  io::save_dataset(out, pred);

  const std::string dir = plot_dir.empty() ? fs::path(out).parent_path().string() : plot_dir;
  const std::string stem = (fs::path(dir.empty() ? "." : dir) / fs::path(out).stem()).string();
  std::vector<std::string> plots;
  if (io::gnuplot_available()) {
    if (!dir.empty()) fs::create_directories(dir);
    // One curve of series k over its own time points (series differ in length and stamps).
    auto curve = [&](int64_t k, const std::string& label, const torch::Tensor& values) {
      const int64_t n = ev.lengths.empty() ? T : ev.lengths[k];
      auto t = (pred.t.dim() == 1 ? pred.t : pred.t[k]).narrow(0, 0, n).contiguous();
      auto v = values.narrow(0, 0, n).contiguous();
      return io::Series{label, std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + n),
                        std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + n)};
    };
    for (auto& [name, pv] : ev.invariant_prediction) {
      std::vector<io::Series> s;
      for (int64_t k = 0; k < std::min<int64_t>(3, pv.size(0)); ++k) {
        s.push_back(curve(k, fmt::format("series {} predicted", l.series[k]), pv[k]));
        s.push_back(
            curve(k, fmt::format("series {} true", l.series[k]), ev.invariant_truth.at(name)[k]));
      }
      const std::string path = stem + "_" + name + ".png";
      io::plot_lines(path,
                     {fmt::format("{} along the prediction ({})", name, l.predict.integrator()),
                      "t", name, false},
                     s);
      plots.push_back(path);
    }
    if (ev.learned_energy.defined()) {  // the central claim, visible for any dataset
      std::vector<io::Series> s;
      for (int64_t k = 0; k < std::min<int64_t>(3, ev.learned_energy.size(0)); ++k) {
        s.push_back(
            curve(k, fmt::format("series {} prediction", l.series[k]), ev.learned_energy[k]));
        s.push_back(
            curve(k, fmt::format("series {} data", l.series[k]), ev.learned_energy_truth[k]));
      }
      const std::string path = stem + "_learned_energy.png";
      io::plot_lines(path,
                     {fmt::format("learned energy H_theta along the prediction ({}) and the data",
                                  l.predict.integrator()),
                      "t", "H_theta", false},
                     s);
      plots.push_back(path);
    }
    auto tt = (pred.t.dim() == 1 ? pred.t : pred.t[0]).contiguous();
    std::vector<double> tv(tt.data_ptr<double>(), tt.data_ptr<double>() + T);
    const double dx = l.lm.config.get_double("data.dx", 0.0);
    if (pred.states.size(2) >= 16 && dx > 0) {  // PDE on a grid: space-time pictures
      auto to_map = [&](const torch::Tensor& m) {
        io::Heatmap h;
        auto c = m.contiguous();
        for (int64_t r = 0; r < c.size(0); ++r) {
          h.values.emplace_back(c[r].data_ptr<double>(), c[r].data_ptr<double>() + c.size(1));
        }
        h.x0 = 0;
        h.x1 = dx * (c.size(1) - 1);
        h.y0 = tv.front();
        h.y1 = tv.back();
        return h;
      };
      const std::string p1 = stem + "_spacetime.png", p2 = stem + "_error.png";
      io::plot_heatmap(p1, {"prediction u(x, t), series " + std::to_string(l.series[0]), "x", "t"},
                       to_map(ev.prediction[0]));
      io::plot_heatmap(p2, {"prediction - truth, series " + std::to_string(l.series[0]), "x", "t"},
                       to_map(ev.prediction[0] - ev.truth[0]));
      plots.push_back(p1);
      plots.push_back(p2);
    }
    if (auto* g = dynamic_cast<models::GgdModelImpl*>(l.lm.model.get())) {
      for (auto& p : plot_ggd(*g, l.system.get(), ev.prediction, ev.truth, tv, l.series, stem)) {
        plots.push_back(p);
      }
    }
  }
  return plots;
}

}  // namespace enflow::learn
