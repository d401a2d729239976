#include "enflow/models/model.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "enflow/geometry/structure.h"
#include "enflow/models/model_registry.h"
#include "enflow/models/normalized_model.h"
#include "enflow/nn/energy_net.h"
#include "models/force_field.h"

namespace enflow::models {

ad::EnergyFn DynamicsModelImpl::energy_fn() {
  throw std::invalid_argument("model '" + type() + "' has no energy");
}
at::Tensor DynamicsModelImpl::structure_matrix() {
  throw std::invalid_argument("model '" + type() + "' has no structure operator");
}
at::Tensor DynamicsModelImpl::dV_dq(const at::Tensor&, bool) {
  throw std::invalid_argument("model '" + type() + "' is not separable (leapfrog needs srnn)");
}
at::Tensor DynamicsModelImpl::dT_dp(const at::Tensor&, bool) {
  throw std::invalid_argument("model '" + type() + "' is not separable (leapfrog needs srnn)");
}

at::Tensor DynamicsModelImpl::implicit_step(const at::Tensor&, double, double, int) { return {}; }

at::Tensor DynamicsModelImpl::apply_structure(const at::Tensor& g) {
  return torch::matmul(g, structure_matrix().t());
}

at::Tensor DynamicsModelImpl::discrete_time_derivative(const at::Tensor& u1, const at::Tensor& u0,
                                                       bool create_graph, const at::Tensor& t_mid) {
  auto g = energy_derivatives().discrete_gradient(u1, u0, create_graph).dgrad;
  const auto f = force(t_mid);
  return f.defined() ? apply_structure(g) + f : apply_structure(g);
}

namespace {

const EnergyNetworkRegistrar mlp_entry(
    "mlp",
    {"fully connected energy network on the state (model.hidden, activation, init)",
     [](const ModelOptions& o) {
       return nn::make_mlp_energy(
           nn::MlpOptions(o.dim()).hidden(o.hidden()).activation(o.activation()).init(o.init()));
     }});
const EnergyNetworkRegistrar periodic_conv_entry(
    "periodic_conv",
    {"translation-invariant convolutions on a periodic 1-D, 2-D or 3-D grid (model.channels, "
     "kernel, depth; data.grid)",
     [](const ModelOptions& o) {
       const auto axes = std::max<int64_t>(1, static_cast<int64_t>(o.grid().size()));
       return nn::make_periodic_conv_energy(nn::PeriodicConvOptions()
                                                .grid_axes(axes)
                                                .channels(o.channels())
                                                .kernel(o.kernel())
                                                .depth(o.depth())
                                                .activation(o.activation())
                                                .init(o.init()));
     },
     /*grid_shaped=*/true});

// The state as the energy network sees it: each angle θ replaced by (cos θ, sin θ). Built
// from Var operations, so the discrete gradient of H ∘ embed stays exact (the divided
// differences of cos and sin).
ad::Var embed_angles(const ad::Var& u, const std::vector<int64_t>& angles, int64_t dim) {
  std::vector<ad::Var> parts;
  for (int64_t i = 0; i < dim; ++i) {
    auto c = ad::narrow(u, 1, i, 1);
    if (std::find(angles.begin(), angles.end(), i) != angles.end()) {
      parts.push_back(ad::cos(c));
      parts.push_back(ad::sin(c));
    } else {
      parts.push_back(c);
    }
  }
  return ad::cat(parts, 1);
}

void check_angles(const ModelOptions& o) {
  if (o.angles().empty()) return;
  if (o.network() != "mlp")
    throw std::invalid_argument("model.angles needs the mlp energy network (states, not grids)");
  std::vector<int64_t> seen;
  for (const auto a : o.angles()) {
    if (a < 0 || a >= o.dim())
      throw std::invalid_argument("model.angles: component " + std::to_string(a) +
                                  " is out of range [0, " + std::to_string(o.dim() - 1) + "]");
    if (std::find(seen.begin(), seen.end(), a) != seen.end())
      throw std::invalid_argument("model.angles: component " + std::to_string(a) + " is repeated");
    seen.push_back(a);
  }
}

// A grid shape must describe the state; the 1-D difference matrices D, D2 would act on the
// flattened grid as if it were one long line.
void check_model_grid(const ModelOptions& o) {
  const auto& grid = o.grid();
  if (grid.empty()) return;
  if (grid.size() > 3)
    throw std::invalid_argument("data.grid has " + std::to_string(grid.size()) +
                                " axes; grids have 1, 2 or 3");
  int64_t points = 1;
  for (const auto n : grid) {
    if (n < 3) throw std::invalid_argument("data.grid: every axis needs at least 3 points");
    points *= n;
  }
  if (points != o.dim())
    throw std::invalid_argument("data.grid has " + std::to_string(points) +
                                " points, but the states have dimension " +
                                std::to_string(o.dim()));
  if (grid.size() > 1 && (o.structure() == "D" || o.structure() == "D2"))
    throw std::invalid_argument(
        "model.structure '" + o.structure() + "' is a 1-D difference; on a " +
        std::to_string(grid.size()) +
        "-D grid use grid_dx, grid_dy, grid_laplacian, ... (docs/grids.md)");
}

// DGNet, HNN and HNN++: du/dt = G ∇H(u). They differ in how they are trained and
// integrated (discrete gradient vs explicit integrators), not in what they are.
class EnergyModelImpl : public DynamicsModelImpl {
 public:
  EnergyModelImpl(const ModelOptions& o) : type_(o.type()), angles_(o.angles()), dim_(o.dim()) {
    check_angles(o);
    auto net_options = o;
    net_options.dim(o.dim() + static_cast<int64_t>(angles_.size()));  // cos and sin per angle
    const auto& net = EnergyNetworkRegistry::instance().at(o.network());
    if (net.grid_shaped && o.grid().size() > 1) grid_ = o.grid();
    H_ = register_module("energy", net.make(net_options));
    G_ = register_module(
        "structure",
        geometry::make_structure(o.structure(), geometry::StructureOptions()
                                                    .dim(o.dim())
                                                    .dx(o.dx())
                                                    .grid(o.grid())
                                                    .stencil_radius(o.stencil_radius())
                                                    .stencil_keeps_mass(o.stencil_keeps_mass())
                                                    .friction_init(o.friction_init())
                                                    .scale_init(o.scale_init())));
    switch (o.force()) {
      case ForceKind::kNone:
        break;
      case ForceKind::kConstant:
        force_ = register_parameter("force", torch::zeros({o.dim()}));  // dtype: the model's
        break;
      case ForceKind::kNetwork:
        force_net_ = register_module("force_field", detail::ForceField(o.dim(), o.force_hidden()));
        break;
      case ForceKind::kGiven:  // a buffer: saved with the model, not trained
        // float64 values (a float64 model keeps them exactly; .to(dtype) converts them).
        force_ =
            register_buffer("given_force", o.given_force().empty()
                                               ? torch::zeros({o.dim()}, torch::kFloat64)
                                               : torch::tensor(o.given_force(), torch::kFloat64));
        break;
    }
  }
  std::string type() const override { return type_; }
  bool has_energy() const override { return true; }
  ad::EnergyFn energy_fn() override {
    if (!grid_.empty())
      return [H = H_->fn(), grid = grid_](const ad::Var& u) {
        return H(ad::reshape(u, grid_shape(u.sizes()[0], grid)));
      };
    if (angles_.empty()) return H_->fn();
    return [H = H_->fn(), angles = angles_, dim = dim_](const ad::Var& u) {
      return H(embed_angles(u, angles, dim));
    };
  }
  ad::EnergyDerivatives energy_derivatives() override {
    if (!grid_.empty()) return grid_derivatives();
    return angles_.empty() ? H_->derivatives() : ad::derivatives_of(energy_fn());
  }
  at::Tensor structure_matrix() override { return G_->matrix(); }
  at::Tensor apply_structure(const at::Tensor& g) override { return G_->apply(g); }
  at::Tensor force(const at::Tensor& t = {}) override {
    return force_net_ ? force_net_->forward(t) : force_;
  }
  bool time_dependent_force() override { return static_cast<bool>(force_net_); }
  bool matrix_free_structure() override { return G_->matrix_free(); }
  std::vector<at::Tensor> structure_parameters() override { return G_->parameters(); }
  at::Tensor time_derivative(const at::Tensor& u, bool create_graph) override {
    at::Tensor grad;
    if (!grid_.empty())
      grad = H_->gradient(to_grid(u), create_graph).reshape(u.sizes());
    else
      grad = angles_.empty() ? H_->gradient(u, create_graph)
                             : energy_derivatives().gradient(u, create_graph);
    const auto f = force();  // at t = 0: explicit schemes carry no time (make_model)
    return f.defined() ? G_->apply(grad) + f : G_->apply(grad);
  }

 private:
  static std::vector<int64_t> grid_shape(int64_t batch, const std::vector<int64_t>& grid) {
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), grid.begin(), grid.end());
    return shape;
  }
  at::Tensor to_grid(const at::Tensor& u) const { return u.reshape(grid_shape(u.size(0), grid_)); }
  // The network's fast reverse passes on [B, *grid], flattened back to the model's [B, d].
  ad::EnergyDerivatives grid_derivatives() {
    auto d = H_->derivatives();
    auto self = this;
    return {[d, self](const at::Tensor& u, bool cg) {
              return d.gradient(self->to_grid(u), cg).reshape(u.sizes());
            },
            [d, self](const at::Tensor& u, const at::Tensor& v, bool cg) {
              auto r = d.discrete_gradient(self->to_grid(u), self->to_grid(v), cg);
              r.dgrad = r.dgrad.reshape(u.sizes());
              return r;
            }};
  }

  std::string type_;
  std::vector<int64_t> angles_;
  int64_t dim_;
  std::vector<int64_t> grid_;  ///< the network's grid shape (2-D/3-D grid-shaped networks)
  nn::EnergyNet H_{nullptr};
  geometry::Structure G_;
  at::Tensor force_;  ///< f [d] of du/dt = G∇H + f (learned or given), else undefined
  detail::ForceField force_net_{nullptr};  ///< f(x, t) (ForceKind::kNetwork)
};

// SRNN: H = T(p) + V(q), canonical structure, integrated by leapfrog.
class SeparableModelImpl : public DynamicsModelImpl {
 public:
  explicit SeparableModelImpl(const ModelOptions& o) : n_(o.dim() / 2) {
    if (o.dim() % 2) throw std::invalid_argument("srnn needs (q, p) states of even dimension");
    auto mlp = nn::MlpOptions(n_).hidden(o.hidden()).activation(o.activation()).init(o.init());
    T_ = register_module("kinetic", nn::make_mlp_energy(mlp));
    V_ = register_module("potential", nn::make_mlp_energy(mlp));
    S_ = register_buffer("S", geometry::canonical_symplectic(o.dim()));
  }
  std::string type() const override { return "srnn"; }
  bool has_energy() const override { return true; }
  bool separable() const override { return true; }
  ad::EnergyFn energy_fn() override {
    auto T = T_->fn(), V = V_->fn();
    const int64_t n = n_;
    return [T, V, n](const ad::Var& x) {
      return T(ad::narrow(x, 1, n, n)) + V(ad::narrow(x, 1, 0, n));
    };
  }
  at::Tensor structure_matrix() override { return S_; }
  at::Tensor time_derivative(const at::Tensor& u, bool create_graph) override {
    auto q = u.narrow(-1, 0, n_), p = u.narrow(-1, n_, n_);
    return torch::cat({dT_dp(p, create_graph), -dV_dq(q, create_graph)}, -1);
  }
  at::Tensor dV_dq(const at::Tensor& q, bool create_graph) override {
    return V_->gradient(q, create_graph);
  }
  at::Tensor dT_dp(const at::Tensor& p, bool create_graph) override {
    return T_->gradient(p, create_graph);
  }

 private:
  int64_t n_;
  nn::EnergyNet T_{nullptr}, V_{nullptr};
  at::Tensor S_;
};

// NODE: a network outputs du/dt directly; no structure, no energy.
class NodeModelImpl : public DynamicsModelImpl {
 public:
  explicit NodeModelImpl(const ModelOptions& o) {
    auto seq = std::make_shared<nn::SequentialImpl>();
    int64_t width = o.dim();
    for (auto h : o.hidden()) {
      seq->push_back(std::make_shared<nn::LinearImpl>(width, h, true, o.init()));
      seq->push_back(std::make_shared<nn::ActivationImpl>(o.activation()));
      width = h;
    }
    seq->push_back(std::make_shared<nn::LinearImpl>(width, o.dim(), true, o.init()));
    net_ = register_module("field", seq);
  }
  std::string type() const override { return "node"; }
  at::Tensor time_derivative(const at::Tensor& u, bool) override {
    return net_->forward(ad::Var(u)).a();
  }

 private:
  std::shared_ptr<nn::SequentialImpl> net_;
};

}  // namespace

namespace {

template <class Impl>
std::function<DynamicsModel(const ModelOptions&)> factory() {
  return [](const ModelOptions& o) -> DynamicsModel { return std::make_shared<Impl>(o); };
}

const ModelTypeRegistrar dgnet_entry(
    "dgnet", {"energy network and structure G, trained and predicted with the discrete "
              "gradient: keeps the learned energy law in discrete time (DGNet)",
              "discrete_gradient", "discrete_gradient", "forward", factory<EnergyModelImpl>()});
const ModelTypeRegistrar hnn_entry(
    "hnn", {"energy network and structure G, trained through an explicit step (HNN)", "rk2",
            "dopri5", "forward", factory<EnergyModelImpl>()});
const ModelTypeRegistrar hnnpp_entry("hnn++",
                                     {"HNN with a learned dissipative structure (HNN++)", "rk2",
                                      "dopri5", "forward", factory<EnergyModelImpl>()});
const ModelTypeRegistrar srnn_entry(
    "srnn", {"separable energy T(p) + V(q), trained and predicted with leapfrog (SRNN)", "leapfrog",
             "leapfrog", "forward", factory<SeparableModelImpl>()});
const ModelTypeRegistrar node_entry("node", {"plain vector-field network, no energy (neural ODE)",
                                             "rk2", "dopri5", "forward", factory<NodeModelImpl>()});

}  // namespace

namespace {

void check_force(const ModelOptions& o) {
  if (o.force() == ForceKind::kNone) return;
  const auto name = force_kind_name(o.force());
  if (o.type() != "dgnet" && o.type() != "hnn" && o.type() != "hnn++")
    throw std::invalid_argument("model.force = " + name +
                                " applies to energy models (dgnet, hnn, hnn++), not " + o.type());
  if (o.force() == ForceKind::kNetwork && o.type() != "dgnet")
    throw std::invalid_argument(
        "model.force = learned_xt needs dgnet: the time reaches the force through the "
        "discrete-gradient step, and " +
        o.type() + "'s explicit steps carry none");
  if (o.force() == ForceKind::kNetwork && o.grid().size() > 1)
    throw std::invalid_argument(
        "model.force = learned_xt is phlearn's 1-D force network; use "
        "learned on a 2-D/3-D grid");
  if (o.force() == ForceKind::kGiven && !o.given_force().empty() &&
      static_cast<int64_t>(o.given_force().size()) != o.dim())
    throw std::invalid_argument(
        "model.force = given: the system's force has " + std::to_string(o.given_force().size()) +
        " values, but the states have dimension " + std::to_string(o.dim()));
}

}  // namespace

DynamicsModel make_model(const ModelOptions& o) {
  if (!o.angles().empty() && o.type() != "dgnet" && o.type() != "hnn" && o.type() != "hnn++")
    throw std::invalid_argument("model.angles applies to energy models (dgnet, hnn, hnn++), not " +
                                o.type());
  if (o.grid().size() > 1 && o.type() != "dgnet" && o.type() != "hnn" && o.type() != "hnn++" &&
      o.type() != "node")
    throw std::invalid_argument("model type " + o.type() +
                                " does not take a 2-D/3-D grid (data.grid); dgnet, hnn, hnn++ and "
                                "node do");
  check_model_grid(o);
  check_force(o);
  if (o.norm_scale().empty() && o.norm_shift().empty()) return model_type(o.type()).make(o);
  auto inner = o;  // a given force in the user's units is scale ⊙ f_n
  if (o.force() == ForceKind::kGiven && o.given_force().size() == o.norm_scale().size()) {
    auto f = o.given_force();
    for (size_t i = 0; i < f.size(); ++i) f[i] /= o.norm_scale()[i];
    inner.given_force(f);
  }
  return normalized(model_type(o.type()).make(inner), o);
}

}  // namespace enflow::models
