// The planar double pendulum: two point masses m1, m2 on massless rods l1, l2 under gravity g,
// state (θ1, θ2, p1, p2) with the canonical momenta conjugate to the angles. This file is the
// whole system: its energy, structure, initial states, reference solver and protocol, and
// its registration (docs/architecture.md, "Adding a system").
#include <torch/torch.h>

#include <cmath>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/geometry/structure.h"
#include "enflow/systems/system_registry.h"
#include "systems/common.h"

namespace enflow::systems::detail {

namespace {

class DoublePendulum : public EnergySystem {
 public:
  explicit DoublePendulum(const Params& overrides)
      : p_(merge_params("double-pendulum",
                        {{"m1", 1.0},
                         {"m2", 1.0},
                         {"l1", 1.0},
                         {"l2", 1.0},
                         {"g", 9.81},
                         {"max_angle", 1.0},
                         {"max_momentum", 0.5},
                         {"substeps", 10}},
                        overrides)) {
    for (const char* k : {"m1", "m2", "l1", "l2", "g"})
      if (!(p_.at(k) > 0) || !std::isfinite(p_.at(k)))
        throw std::invalid_argument(std::string("system 'double-pendulum': ") + k +
                                    " must be positive");
    if (!(p_.at("max_angle") >= 0) || !(p_.at("max_momentum") >= 0))
      throw std::invalid_argument(
          "system 'double-pendulum': max_angle and max_momentum must be >= 0");
    substeps_ = positive_int_param(p_, "substeps", "double-pendulum");
  }

  std::string name() const override { return "double-pendulum"; }
  int64_t dim() const override { return 4; }
  Params parameters() const override { return p_; }
  at::Tensor structure() const override { return geometry::canonical_symplectic(4); }

  // H = T + V with T = ½ pᵀ M(θ)⁻¹ p, M the mass matrix, written out:
  //   T = [m2 l2² p1² + (m1+m2) l1² p2² − 2 m2 l1 l2 p1 p2 cos Δ] / [2 m2 l1² l2² (m1 + m2 sin² Δ)]
  //   V = −(m1+m2) g l1 cos θ1 − m2 g l2 cos θ2,   Δ = θ1 − θ2.
  // The division is exp(−log(·)) of a positive denominator, so every operation has a
  // discrete rule and the reference solver's discrete gradient is exact.
  ad::Var energy(const ad::Var& u) const override {
    const double m1 = p_.at("m1"), m2 = p_.at("m2"), l1 = p_.at("l1"), l2 = p_.at("l2");
    const double g = p_.at("g");
    const auto t1 = ad::narrow(u, 1, 0, 1), t2 = ad::narrow(u, 1, 1, 1);
    const auto p1 = ad::narrow(u, 1, 2, 1), p2 = ad::narrow(u, 1, 3, 1);
    const auto delta = t1 - t2;
    const auto numerator = (m2 * l2 * l2) * ad::square(p1) +
                           ((m1 + m2) * l1 * l1) * ad::square(p2) -
                           (2 * m2 * l1 * l2) * (p1 * p2 * ad::cos(delta));
    const auto denominator = (2 * m2 * l1 * l1 * l2 * l2) * (m1 + m2 * ad::square(ad::sin(delta)));
    const auto kinetic = numerator * ad::exp(-ad::log(denominator));
    const auto potential = (-(m1 + m2) * g * l1) * ad::cos(t1) + (-m2 * g * l2) * ad::cos(t2);
    return ad::sum_per_sample(kinetic + potential);
  }

  // du/dt = S ∇H: the gradient of the same energy, through autograd.
  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, 4, name());
    const auto grad = ad::gradient([this](const ad::Var& x) { return energy(x); }, u);
    return torch::matmul(grad, structure().t());
  }

  // Angles uniform in [−max_angle, max_angle], momenta uniform in [−max_momentum,
  // max_momentum]: from near-linear swinging to chaotic motion as the ranges grow.
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    auto out = torch::empty({n, 4}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    const double angle = p_.at("max_angle"), momentum = p_.at("max_momentum");
    for (int64_t i = 0; i < n; ++i) {
      a[i][0] = rng.uniform(-angle, angle);
      a[i][1] = rng.uniform(-angle, angle);
      a[i][2] = rng.uniform(-momentum, momentum);
      a[i][3] = rng.uniform(-momentum, momentum);
    }
    return out;
  }

  // Energy-conserving: the discrete-gradient scheme composed to fourth order.
  at::Tensor reference_step(const at::Tensor& u, double dt) const override {
    check_state(u, 4, name());
    return composed_discrete_gradient_step(*this, u, dt, substeps_);
  }

  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    check_state(u, 4, name());
    return {{"energy", energy(ad::Var(u)).a()}};
  }

 private:
  Params p_;
  int64_t substeps_ = 10;
};

const SystemRegistrar registrar(
    "double-pendulum",
    {"planar double pendulum, state (theta1, theta2, p1, p2) with canonical momenta",
     [](const Params& o) { return std::make_unique<DoublePendulum>(o); },
     {{"", {50, 200, 0.05, 0.0, 0.8, "enflow choice: t in [0, 10], 201 points"}}}});

}  // namespace

}  // namespace enflow::systems::detail
