#include "enflow/learn/model_io.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "enflow/io/archive_file.h"
#include "enflow/learn/ggd_config.h"
#include "enflow/runtime.h"
#include "enflow/systems/system.h"

namespace enflow::learn {

namespace {
// Wider layers than this are a typo (a 2-layer MLP of this width already needs ~8 GB).
constexpr int64_t kMaxLayerWidth = 1 << 15;
}  // namespace

double dataset_grid_spacing(const io::Dataset& data) {
  if (auto it = data.params.find("dx"); it != data.params.end()) {
    if (!(it->second > 0) || !std::isfinite(it->second))
      throw std::invalid_argument("dataset parameter dx must be positive and finite");
    return it->second;
  }
  std::unique_ptr<systems::System> sys;
  try {
    sys = systems::make_system(data.system, data.params);
  } catch (const std::exception&) {
    return 1.0;  // imported data of an unknown system
  }
  if (sys->dx() <= 0) return 1.0;  // an ODE
  if (data.states.defined() && data.states.dim() == 3 && data.states.size(2) != sys->dim()) {
    throw std::invalid_argument("dataset of system '" + data.system + "' has states of dimension " +
                                std::to_string(data.states.size(2)) + ", but its parameters give " +
                                std::to_string(sys->dim()) + " grid points");
  }
  return sys->dx();
}

const std::vector<std::string>& experiment_config_keys() {
  static const std::vector<std::string> keys = {"name",
                                                "data.path",
                                                "data.dim",
                                                "data.dx",
                                                "data.energy",
                                                "result.train_seconds",
                                                "result.train_loss",
                                                "model.type",
                                                "model.network",
                                                "model.hidden",
                                                "model.channels",
                                                "model.kernel",
                                                "model.depth",
                                                "model.activation",
                                                "model.init",
                                                "model.structure",
                                                "model.friction_init",
                                                "model.scale_init",
                                                "model.normalize",
                                                "model.norm_shift",
                                                "model.norm_scale",
                                                "model.angles",
                                                "model.entropy",
                                                "model.dissipation",
                                                "model.entropy_hidden",
                                                "model.dissipation_hidden",
                                                "model.entropy_output",
                                                "model.entropy_curvature",
                                                "model.entropy_basis",
                                                "model.x_activation",
                                                "model.x_features",
                                                "model.xbar",
                                                "model.system",
                                                "model.system_params",
                                                "train.lr",
                                                "train.batch",
                                                "train.iterations",
                                                "train.weight_decay",
                                                "train.structure_lr",
                                                "train.validation",
                                                "train.patience",
                                                "run.dtype",
                                                "run.device",
                                                "run.seed",
                                                "train.integrator",
                                                "train.rtol",
                                                "train.atol",
                                                "train.checkpoint_every",
                                                "train.log_every",
                                                "train.derivative",
                                                "train.lbfgs_iterations",
                                                "train.lbfgs_max_iter",
                                                "train.lbfgs_lr",
                                                "train.lbfgs_history",
                                                "train.lbfgs_batch",
                                                "predict.integrator",
                                                "output.model"};
  return keys;
}

namespace {
// Sizes are checked here, where the key can be named; the networks check them again.
int64_t size_key(const io::Config& c, const std::string& key, int64_t fallback, int64_t lo) {
  const int64_t v = c.get_int(key, fallback);
  if (v < lo || v > kMaxLayerWidth)
    throw std::invalid_argument("config '" + c.source() + "': " + key + " = " + std::to_string(v) +
                                " is out of range [" + std::to_string(lo) + ", " +
                                std::to_string(kMaxLayerWidth) + "]");
  return v;
}
double positive_key(const io::Config& c, const std::string& key, double fallback) {
  const double v = c.get_double(key, fallback);
  if (!(v > 0) || !std::isfinite(v))
    throw std::invalid_argument("config '" + c.source() + "': " + key + " = " +
                                fmt::format("{:g}", v) + " must be positive and finite");
  return v;
}
}  // namespace

models::ModelOptions model_options_from_config(const io::Config& c, int64_t dim, double dx) {
  const auto hidden = c.get_ints("model.hidden", {200, 200});
  for (const auto h : hidden)
    if (h < 1 || h > kMaxLayerWidth)
      throw std::invalid_argument("config '" + c.source() + "': model.hidden has a layer of " +
                                  std::to_string(h) + " units; each must be in [1, " +
                                  std::to_string(kMaxLayerWidth) + "]");
  size_key(c, "model.channels", 200, 1);
  size_key(c, "model.depth", 2, 1);
  const int64_t kernel = size_key(c, "model.kernel", 3, 1);
  if (kernel % 2 == 0)
    throw std::invalid_argument("config '" + c.source() + "': model.kernel = " +
                                std::to_string(kernel) + " must be odd (a centred stencil)");
  models::ModelOptions o;
  o.type(c.get_string("model.type", "dgnet"))
      .dim(dim)
      .dx(dx)
      .network(c.get_string("model.network", "mlp"))
      .hidden(c.get_ints("model.hidden", {200, 200}))
      .channels(c.get_int("model.channels", 200))
      .kernel(c.get_int("model.kernel", 3))
      .depth(c.get_int("model.depth", 2))
      .activation(c.get_string("model.activation", "tanh"))
      .init(c.get_string("model.init", "orthogonal"))
      .structure(c.get_string("model.structure", "symplectic"))
      .friction_init(positive_key(c, "model.friction_init", 0.1))
      .scale_init(positive_key(c, "model.scale_init", 1.0))
      .norm_shift(c.get_doubles("model.norm_shift", {}))
      .norm_scale(c.get_doubles("model.norm_scale", {}))
      .angles(c.get_ints("model.angles", {}))
      .ggd(ggd_options_from_config(c));
  return o;
}

void save_model(const std::string& path, models::DynamicsModelImpl& model,
                const io::Config& config) {
  torch::serialize::OutputArchive ar, m;
  model.save(m);
  ar.write("model", m);
  ar.write("config", c10::IValue(config.to_toml()));
  ar.write("format", c10::IValue(std::string("enflow-model-1")));
  io::write_archive_atomically(path, ar);
}

LoadedModel load_model(const std::string& path) {
  torch::serialize::InputArchive ar;
  io::read_archive(path, ar, "an enflow model file");
  c10::IValue fmt, cfg;
  if (!ar.try_read("format", fmt) || !fmt.isString() || fmt.toStringRef() != "enflow-model-1" ||
      !ar.try_read("config", cfg)) {
    throw std::runtime_error("'" + path + "' is not an enflow model file");
  }
  LoadedModel lm;
  lm.config = io::Config::parse(cfg.toStringRef(), {}, path + ":config", /*quiet=*/true);
  const int64_t dim = lm.config.require_int("data.dim");
  const double dx = lm.config.get_double("data.dx", 1.0);
  lm.model = models::make_model(model_options_from_config(lm.config, dim, dx));
  lm.model->to(parse_dtype(lm.config.get_string("run.dtype", "float64")));
  torch::serialize::InputArchive m;
  if (!ar.try_read("model", m)) throw std::runtime_error("'" + path + "' has no weights");
  io::load_module_checked(*lm.model, m, "'" + path + "' (a damaged or hand-edited model file)");
  return lm;
}

}  // namespace enflow::learn
