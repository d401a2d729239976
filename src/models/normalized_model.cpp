#include "enflow/models/normalized_model.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace enflow::models {

namespace {

class NormalizedModelImpl : public DynamicsModelImpl {
 public:
  NormalizedModelImpl(DynamicsModel inner, const std::vector<double>& shift,
                      const std::vector<double>& scale)
      : inner_(register_module("inner", std::move(inner))) {
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    shift_ = register_buffer("norm_shift", torch::tensor(shift, f64));
    scale_ = register_buffer("norm_scale", torch::tensor(scale, f64));
  }

  std::string type() const override { return inner_->type(); }
  bool has_energy() const override { return inner_->has_energy(); }

  at::Tensor time_derivative(const at::Tensor& u, bool create_graph) override {
    return inner_->time_derivative(to_inner(u), create_graph) * scale_;
  }
  ad::EnergyFn energy_fn() override {
    auto H = inner_->energy_fn();
    const auto a = 1.0 / scale_, b = -shift_ / scale_;
    return [H, a, b](const ad::Var& u) { return H(u * a + b); };
  }
  ad::EnergyDerivatives energy_derivatives() override {
    auto d = inner_->energy_derivatives();
    auto self = this;
    return {[d, self](const at::Tensor& u, bool cg) {
              return d.gradient(self->to_inner(u), cg) / self->scale_;
            },
            [d, self](const at::Tensor& u, const at::Tensor& v, bool cg) {
              auto r = d.discrete_gradient(self->to_inner(u), self->to_inner(v), cg);
              r.dgrad = r.dgrad / self->scale_;
              return r;
            }};
  }
  std::vector<at::Tensor> structure_parameters() override { return inner_->structure_parameters(); }
  at::Tensor structure_matrix() override {
    return scale_.unsqueeze(1) * inner_->structure_matrix() * scale_.unsqueeze(0);
  }
  // g (diag(s) G diag(s))ᵀ = (G applied to g ⊙ s) ⊙ s, without the matrix for grid models.
  /// du/dt = scale ⊙ (G_n ∇H_n + f_n): the force in the user's units is scale ⊙ f_n.
  at::Tensor force(const at::Tensor& t = {}) override {
    const auto f = inner_->force(t);
    return f.defined() ? f * scale_ : f;
  }
  bool time_dependent_force() override { return inner_->time_dependent_force(); }
  at::Tensor apply_structure(const at::Tensor& g) override {
    if (!inner_->matrix_free_structure()) return DynamicsModelImpl::apply_structure(g);
    return inner_->apply_structure(g * scale_) * scale_;
  }
  bool matrix_free_structure() override { return inner_->matrix_free_structure(); }

 private:
  at::Tensor to_inner(const at::Tensor& u) const { return (u - shift_) / scale_; }

  DynamicsModel inner_;
  at::Tensor shift_, scale_;
};

}  // namespace

DynamicsModel normalized(DynamicsModel inner, const ModelOptions& o) {
  const auto n = static_cast<size_t>(o.dim());
  if (o.type() == "srnn" || o.type() == "ggd")
    throw std::invalid_argument("model.normalize: a " + o.type() +
                                " model cannot be normalized (set model.normalize = \"none\")");
  if (o.norm_shift().size() != n || o.norm_scale().size() != n)
    throw std::invalid_argument("normalization needs " + std::to_string(n) +
                                " shifts and scales (one per state component), got " +
                                std::to_string(o.norm_shift().size()) + " and " +
                                std::to_string(o.norm_scale().size()));
  for (size_t i = 0; i < n; ++i)
    if (!(o.norm_scale()[i] > 0) || !std::isfinite(o.norm_scale()[i]) ||
        !std::isfinite(o.norm_shift()[i]))
      throw std::invalid_argument("normalization scale " + std::to_string(i) +
                                  " must be positive and finite");
  return std::make_shared<NormalizedModelImpl>(std::move(inner), o.norm_shift(), o.norm_scale());
}

}  // namespace enflow::models
