#include "enflow/models/ggd.h"

#include <torch/torch.h>

#include <sstream>
#include <stdexcept>

#include "enflow/integrators/newton.h"
#include "enflow/models/model_registry.h"
#include "enflow/nn/icnn.h"
#include "enflow/systems/generate.h"

namespace enflow::models {

namespace {

void require_one_of(const std::string& value, const std::vector<std::string>& allowed,
                    const std::string& what) {
  for (const auto& a : allowed) {
    if (a == value) return;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw std::invalid_argument("ggd: unknown " + what + " '" + value + "' (known: " + list + ")");
}

// A system's tensors are float64 on the CPU; prescribed potentials evaluate there and
// return to the caller's dtype and device (differentiably).
at::Tensor on_host(const at::Tensor& t) { return t.to(torch::kCPU, torch::kFloat64); }

}  // namespace

std::shared_ptr<systems::GeneralizedGradientSystem> ggd_system(const GgdOptions& o) {
  if (o.system().empty()) {
    throw std::invalid_argument(
        "ggd: a prescribed entropy or dissipation needs model.system (enflow train records "
        "the dataset's system)");
  }
  std::vector<std::string> items;
  std::istringstream in(o.system_params());
  for (std::string item; in >> item;) items.push_back(item);
  std::shared_ptr<systems::System> s =
      systems::make_system(o.system(), systems::parse_param_overrides(items, o.system()));
  auto g = std::dynamic_pointer_cast<systems::GeneralizedGradientSystem>(s);
  if (!g) {
    throw std::invalid_argument("ggd: system '" + o.system() +
                                "' has no entropy and dissipation potential (use particle-1d, "
                                "particle-2d, chemical-kinetics or diffusion)");
  }
  return g;
}

GgdModelImpl::GgdModelImpl(const ModelOptions& o) : options_(o.ggd()), dim_(o.dim()) {
  const auto& g = options_;
  require_one_of(g.entropy(), {"learned", "system"}, "entropy");
  require_one_of(g.dissipation(), {"learned", "system"}, "dissipation");
  require_one_of(g.xbar(), {"midpoint", "start"}, "xbar");
  require_one_of(g.entropy_basis(), {"none", "ideal_mixture"}, "entropy_basis");
  require_one_of(g.x_features(), {"identity", "log"}, "x_features");
  if (g.entropy_basis() != "none" && g.entropy() != "learned") {
    throw std::invalid_argument("ggd: model.entropy_basis applies to a learned entropy only");
  }
  if (g.x_features() != "identity" && g.dissipation() != "learned") {
    throw std::invalid_argument("ggd: model.x_features applies to a learned dissipation only");
  }
  require_one_of(o.network(), {"mlp", "periodic_conv"}, "network");
  if (dim_ < 1) throw std::invalid_argument("ggd: dim must be >= 1");
  const bool grid = o.network() == "periodic_conv";
  const std::vector<std::int64_t> conv_widths(static_cast<size_t>(std::max<int64_t>(o.depth(), 1)),
                                              o.channels());
  if (g.entropy() == "system" || g.dissipation() == "system") {
    system_ = ggd_system(g);
    if (system_->dim() != dim_) {
      throw std::invalid_argument("ggd: system '" + g.system() + "' has dimension " +
                                  std::to_string(system_->dim()) + ", the data " +
                                  std::to_string(dim_));
    }
  }
  const double dx = system_ && system_->dx() > 0 ? system_->dx() : 1.0;
  if (g.entropy() == "learned") {
    auto io = nn::IcnnOptions(dim_)
                  .hidden(grid ? conv_widths : g.entropy_hidden())
                  .kernel(grid ? o.kernel() : 0);
    entropy_net_ = register_module(
        "entropy", nn::make_concave_energy(io, g.entropy_output(), g.entropy_curvature()));
    entropy_fn_ = entropy_net_->fn();
    if (g.entropy_basis() == "ideal_mixture") {
      // softplus(0.5413) = 1: the Boltzmann entropy's own weight at initialization.
      mixture_raw_ =
          register_parameter("mixture_raw", torch::full({grid ? 1 : dim_}, 0.5413248546129181));
      auto net_fn = entropy_fn_;
      auto raw = mixture_raw_;
      entropy_fn_ = [net_fn, raw](const ad::Var& x) {
        return net_fn(x) - ad::sum_per_sample(x * (ad::log(x) - 1.0) * torch::softplus(raw));
      };
    }
  } else {
    auto sys = system_;
    entropy_fn_ = [sys](const ad::Var& x) { return sys->entropy(x); };
    entropy_scale_ = 1.0 / dx;
  }
  if (g.dissipation() == "learned") {
    auto po = nn::PartiallyConvexOptions(dim_, dim_)
                  .hidden(grid ? conv_widths : g.dissipation_hidden())
                  .x_activation(g.x_activation())
                  .kernel(grid ? o.kernel() : 0);
    xi_ = register_module("dissipation", std::make_shared<geometry::LearnedDissipationImpl>(po));
  } else {
    auto sys = system_;
    xi_ = register_module(
        "dissipation",
        std::make_shared<geometry::AnalyticDissipationImpl>(
            sys->name(),
            [sys](const at::Tensor& x, const at::Tensor& xs) {
              return sys->dissipation(on_host(x), on_host(xs)).to(x.options());
            },
            [sys, dx](const at::Tensor& x, const at::Tensor& xs) {
              // The system returns the rate (1/Δx) ∂Ξ/∂x*; the potential's gradient is Δx times it.
              return (sys->dissipation_gradient(on_host(x), on_host(xs)) * dx).to(x.options());
            }));
    rate_scale_ = 1.0 / dx;
  }
}

at::Tensor GgdModelImpl::entropy(const at::Tensor& x) { return ad::energy(entropy_fn_, x); }

at::Tensor GgdModelImpl::conjugate(const at::Tensor& x, bool create_graph) {
  return ad::gradient(entropy_fn_, x, create_graph) * entropy_scale_;
}

at::Tensor GgdModelImpl::mixture_weights() const {
  return mixture_raw_.defined() ? torch::softplus(mixture_raw_.detach()) : at::Tensor();
}

at::Tensor GgdModelImpl::state_features(const at::Tensor& x) const {
  // Only a learned Ξ can read ln x (the constructor checks). The floor keeps a Newton
  // iterate that strays to x ≤ 0 finite; data must be positive (checked by enflow train).
  return options_.x_features() == "log" ? torch::log(torch::clamp_min(x, 1e-300)) : x;
}

at::Tensor GgdModelImpl::dissipation(const at::Tensor& x, const at::Tensor& xs, bool create_graph) {
  return xi_->potential(state_features(x), xs, create_graph);
}

at::Tensor GgdModelImpl::dissipation_gradient(const at::Tensor& x, const at::Tensor& xs,
                                              bool create_graph) {
  return xi_->gradient(state_features(x), xs, create_graph) * rate_scale_;
}

at::Tensor GgdModelImpl::time_derivative(const at::Tensor& x, bool create_graph) {
  return dissipation_gradient(x, conjugate(x, create_graph), create_graph);
}

at::Tensor GgdModelImpl::discrete_time_derivative(const at::Tensor& x1, const at::Tensor& x0,
                                                  bool create_graph, const at::Tensor&) {
  auto g = ad::discrete_gradient(entropy_fn_, x1, x0, create_graph).dgrad * entropy_scale_;
  auto xbar = options_.xbar() == "midpoint" ? 0.5 * (x0 + x1) : x0;
  return dissipation_gradient(xbar, g, create_graph);
}

at::Tensor GgdModelImpl::implicit_step(const at::Tensor& x, double dt, double newton_tol,
                                       int max_iterations) {
  auto x0 = x.detach();
  auto residual = [&](const at::Tensor& x1) {
    return x1 - x0 - dt * discrete_time_derivative(x1, x0, /*create_graph=*/true);
  };
  // Starting at x₀ makes the first Newton step a linearly implicit Euler step, which stays
  // in the entropy's domain (e.g. positive concentrations) more often than explicit Euler.
  return integrators::newton_solve(residual, x0,
                                   integrators::NewtonOptions()
                                       .tol(newton_tol > 0 ? newton_tol : 1e-12)
                                       .max_iterations(max_iterations),
                                   nullptr, "ggd discrete-time step");
}

namespace {

// Trained on the rate f(x_k) fitted to central differences (explicit Euler is pointwise),
// predicted with its own entropy-keeping implicit step.
const ModelTypeRegistrar ggd_entry(
    "ggd", {"generalized gradient dynamics: concave entropy, convex dissipation potential", "euler",
            "discrete_gradient", "central", [](const ModelOptions& o) -> DynamicsModel {
              return std::make_shared<GgdModelImpl>(o);
            }});

}  // namespace

}  // namespace enflow::models
