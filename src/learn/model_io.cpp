#include "enflow/learn/model_io.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "enflow/io/archive_file.h"
#include "enflow/io/key_spec.h"
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

std::vector<int64_t> dataset_grid_shape(const io::Dataset& data) {
  if (!data.grid.empty()) return data.grid;
  try {
    const auto sys = systems::make_system(data.system, data.params);
    if (data.states.defined() && data.states.dim() == 3 && data.states.size(2) == sys->dim())
      return sys->grid();
  } catch (const std::exception&) {
  }
  return {};  // imported data of an unknown system: data.grid in the config says it
}

const std::vector<io::KeySpec>& experiment_key_specs() {
  // Defaults as the readers apply them ("" where computed); kept beside their readers' files.
  static const std::vector<io::KeySpec> specs = {
      {"name", "string", "", "experiment name (reports)"},
      {"data.path", "string", "", "HDF5 dataset (enflow generate / import); or data in memory"},
      {"data.energy", "string", "",
       "your true energy as a formula in u0.., q1.., p1.. (q, p) and the data's parameters"},
      {"data.dim", "int", "", "recorded by train: the state dimension"},
      {"data.dx", "float", "", "recorded by train: the grid spacing of D, D2 and grid_*"},
      {"data.grid", "[int]", "[]",
       "points per axis of a 2-D/3-D periodic grid, [ny, nx] or [nz, ny, nx] (recorded by train "
       "from the dataset; give it for imported grid data)"},
      {"result.train_seconds", "float", "", "recorded by train: its wall time"},
      {"result.train_loss", "float", "", "recorded by train: its final loss"},
      {"result.world_size", "int", "", "recorded by train: processes that trained together"},
      {"result.global_batch", "int", "", "recorded by train: the batch shared by all processes"},
      {"result.seed", "int", "", "recorded by train: the seed every process drew batches with"},
      {"model.type", "string", "dgnet", "dgnet | hnn | hnn++ | srnn | node | ggd"},
      {"model.network", "string", "mlp", "energy network: mlp | periodic_conv"},
      {"model.hidden", "[int]", "[200, 200]", "mlp hidden widths"},
      {"model.channels", "int", "200", "periodic_conv channels"},
      {"model.kernel", "int", "3", "periodic_conv kernel (odd)"},
      {"model.depth", "int", "2", "periodic_conv layers"},
      {"model.activation", "string", "tanh", "activation (tanh, softplus, ...)"},
      {"model.init", "string", "orthogonal", "weight init: orthogonal | default"},
      {"model.structure", "string", "symplectic",
       "G: symplectic | friction | D | D2 | gradient_flow | scaled_gradient_flow | learnable_* | "
       "grid_* | learned_*_stencil"},
      {"model.friction_init", "float", "0.1", "friction's start (structure friction)"},
      {"model.scale_init", "float", "1", "c's start (structure scaled_gradient_flow)"},
      {"model.stencil_radius", "int", "1",
       "learned_skew_stencil / learned_dissipative_stencil: offsets per axis"},
      {"model.stencil_keeps_mass", "bool", "false",
       "learned dissipative stencils sum to zero: R 1 = 0, the dissipation keeps the mass"},
      {"model.force", "string", "none",
       "external force beside the energy, du/dt = G grad H + f: none | learned (a constant field "
       "f(x)) | learned_xt (phlearn's network f(x, t), dgnet) | given (the data's system's f)"},
      {"model.force_hidden", "int", "100", "learned_xt: the force network's hidden width"},
      {"model.normalize", "string", "auto",
       "auto | pooled | per_coordinate | none (auto: pooled for data enflow did not generate)"},
      {"model.norm_shift", "[float]", "", "recorded by train: the normalization's shifts"},
      {"model.norm_scale", "[float]", "", "recorded by train: the normalization's scales"},
      {"model.angles", "[int]", "[]", "state components that are angles (energy sees cos, sin)"},
      {"model.entropy", "string", "learned", "ggd: entropy (learned | a named one)"},
      {"model.dissipation", "string", "learned", "ggd: dissipation potential"},
      {"model.entropy_hidden", "[int]", "[32, 32]", "ggd: entropy network widths"},
      {"model.dissipation_hidden", "[int]", "[32, 32]", "ggd: dissipation network widths"},
      {"model.entropy_output", "string", "linear", "ggd: entropy network output"},
      {"model.entropy_curvature", "float", "0", "ggd: added strict concavity"},
      {"model.entropy_basis", "string", "none", "ggd: entropy basis functions"},
      {"model.x_activation", "string", "softplus", "ggd: dissipation's activation in x"},
      {"model.x_features", "string", "identity", "ggd: dissipation's features of x"},
      {"model.xbar", "string", "start", "ggd: where the dissipation is centred"},
      {"model.system", "string", "", "ggd: a reference system's prescribed parts"},
      {"model.system_params", "string", "", "ggd: that system's parameters"},
      {"train.lr", "float", "1e-3", "Adam learning rate"},
      {"train.structure_lr", "float", "0 (= lr)", "Adam rate of the structure's parameters"},
      {"train.batch", "int", "200", "pairs (or rollout windows) per iteration (0: all)"},
      {"train.rollout", "int", "1",
       "steps of the multi-step loss through the training scheme (1: one-step)"},
      {"train.rollout_start", "int", "0",
       "with rollout > 1: one-step loss until this iteration, the rollout loss after"},
      {"train.iterations", "int", "1000", "Adam iterations"},
      {"train.weight_decay", "float", "0", "Adam weight decay"},
      {"train.validation", "float", "0",
       "fraction of training series held out; best parameters kept"},
      {"train.patience", "int", "0", "validations without improvement before stopping (0: never)"},
      {"train.integrator", "string", "", "training scheme (default: the model type's)"},
      {"train.rtol", "float", "1e-6", "dopri5 relative tolerance"},
      {"train.atol", "float", "1e-8", "dopri5 absolute tolerance"},
      {"train.checkpoint_every", "int", "iterations/10", "checkpoint interval"},
      {"train.log_every", "int", "iterations/100", "loss logging (and validation) interval"},
      {"train.derivative", "string", "", "observed rate: forward | central differences"},
      {"train.lbfgs_iterations", "int", "0", "L-BFGS refinement steps after Adam"},
      {"train.allreduce_overlap", "bool", "false",
       "many processes: sum gradient buckets during the backward pass"},
      {"train.allreduce_bucket_kb", "int", "25600", "many processes: kB per gradient bucket"},
      {"train.lbfgs_max_iter", "int", "20", "L-BFGS inner iterations per step"},
      {"train.lbfgs_lr", "float", "1", "L-BFGS step length"},
      {"train.lbfgs_history", "int", "20", "L-BFGS history"},
      {"train.lbfgs_batch", "int", "0", "L-BFGS fixed subset of pairs (0: all)"},
      {"predict.integrator", "string", "", "prediction scheme (default: the model type's)"},
      {"predict.linear_solver", "string", "auto",
       "discrete_gradient Newton's linear solves: auto | dense | gmres (auto: matrix-free "
       "GMRES above 256 state components)"},
      {"run.dtype", "string", "float64", "float32 | float64"},
      {"run.device", "string", "cpu", "cpu | cuda"},
      {"run.seed", "int", "0", "seed of initial weights and batches"},
      {"output.model", "string", "results/<config>.pt", "model file"},
  };
  return specs;
}

const std::vector<std::string>& experiment_config_keys() {
  static const std::vector<std::string> keys = io::keys_of(experiment_key_specs());
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
models::ForceKind force_key(const io::Config& c) {
  try {
    return models::parse_force_kind(c.get_string("model.force", "none"));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("config '" + c.source() + "': " + e.what());
  }
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
      .grid(c.get_ints("data.grid", {}))
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
      .stencil_radius(size_key(c, "model.stencil_radius", 1, 1))
      .stencil_keeps_mass(c.get_bool("model.stencil_keeps_mass", false))
      .force(force_key(c))
      .force_hidden(size_key(c, "model.force_hidden", 100, 1))
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
