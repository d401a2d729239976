// Canonical Hamiltonian ODEs: mass-spring, pendulum (Hamiltonian Neural Networks and DGNet
// settings) and the gravitational 2-body problem (HNN's near-circular orbits).
#include <torch/torch.h>

#include <cmath>

#include "enflow/geometry/structure.h"
#include "enflow/systems/system_registry.h"
#include "systems/common.h"

namespace enflow::systems::detail {

namespace {

/// H(q, p) = k_q·V(q) + p² style 1-degree-of-freedom systems with initial states on a
/// random circle of radius ~ U(min_radius, max_radius) in the (q, p) plane (HNN).
class OneDof : public EnergySystem {
 public:
  OneDof(std::string name, Params p) : name_(std::move(name)), p_(std::move(p)) {
    substeps_ = positive_int_param(p_, "substeps", name_);
    if (!(p_.at("min_radius") > 0) || !(p_.at("max_radius") >= p_.at("min_radius")))
      throw std::invalid_argument("system '" + name_ + "': need 0 < min_radius <= max_radius");
  }
  std::string name() const override { return name_; }
  int64_t dim() const override { return 2; }
  Params parameters() const override { return p_; }
  at::Tensor structure() const override { return geometry::canonical_symplectic(2); }
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    auto out = torch::empty({n, 2}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
      double y0 = rng.uniform(-1, 1), y1 = rng.uniform(-1, 1);
      const double r = rng.uniform(p_.at("min_radius"), p_.at("max_radius"));
      double norm = std::hypot(y0, y1);
      if (norm == 0) y0 = norm = 1;
      a[i][0] = y0 / norm * r;
      a[i][1] = y1 / norm * r;
    }
    return out;
  }
  at::Tensor reference_step(const at::Tensor& u, double dt) const override {
    check_state(u, 2, name_);
    return composed_discrete_gradient_step(*this, u, dt, substeps_);
  }
  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    check_state(u, 2, name_);
    return {{"energy", energy(ad::Var(u)).a()}};
  }

 protected:
  std::string name_;
  Params p_;
  int64_t substeps_;
};

class MassSpring : public OneDof {
 public:
  explicit MassSpring(const Params& o)
      : OneDof("mass-spring",
               merge_params("mass-spring",
                            {{"min_radius", 0.1}, {"max_radius", 1.0}, {"substeps", 10}}, o)) {}
  ad::Var energy(const ad::Var& u) const override { return ad::sum_per_sample(ad::square(u)); }
  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, 2, name_);
    return torch::stack({2.0 * u.select(1, 1), -2.0 * u.select(1, 0)}, 1);
  }
};

class Pendulum : public OneDof {
 public:
  explicit Pendulum(const Params& o)
      : OneDof("pendulum",
               merge_params(
                   "pendulum",
                   {{"k", 3.0}, {"min_radius", 1.3}, {"max_radius", 2.3}, {"substeps", 10}}, o)) {}
  ad::Var energy(const ad::Var& u) const override {
    auto q = ad::narrow(u, 1, 0, 1), p = ad::narrow(u, 1, 1, 1);
    return ad::sum_per_sample(p_.at("k") * (1.0 - ad::cos(q)) + ad::square(p));
  }
  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, 2, name_);
    return torch::stack({2.0 * u.select(1, 1), -p_.at("k") * torch::sin(u.select(1, 0))}, 1);
  }
};

/// Two unit masses, G = 1. State [qx1, qx2, qy1, qy2, px1, px2, py1, py2] (HNN's order).
class TwoBody : public EnergySystem {
 public:
  explicit TwoBody(const Params& o)
      : p_(merge_params(
            "two-body",
            {{"min_radius", 0.5}, {"max_radius", 1.5}, {"orbit_noise", 0.05}, {"substeps", 10}},
            o)) {
    substeps_ = positive_int_param(p_, "substeps", "two-body");
    if (!(p_.at("min_radius") > 0) || !(p_.at("max_radius") >= p_.at("min_radius")))
      throw std::invalid_argument("system 'two-body': need 0 < min_radius <= max_radius");
    rel_ = torch::zeros({8, 2}, torch::kFloat64);  // q1 − q2 per axis
    rel_.index_put_({0, 0}, 1.0);
    rel_.index_put_({1, 0}, -1.0);
    rel_.index_put_({2, 1}, 1.0);
    rel_.index_put_({3, 1}, -1.0);
  }
  std::string name() const override { return "two-body"; }
  int64_t dim() const override { return 8; }
  Params parameters() const override { return p_; }
  at::Tensor structure() const override { return geometry::canonical_symplectic(8); }
  ad::Var energy(const ad::Var& u) const override {
    auto p = ad::narrow(u, 1, 4, 4);
    auto s = ad::sum(ad::square(ad::matmul(u, rel_)), {1});  // |q1 − q2|², [B]
    auto inv_r = ad::elementwise(
        s, [](const at::Tensor& x) { return torch::rsqrt(x); },
        [](const at::Tensor& x) { return -0.5 * torch::rsqrt(x) / x; });
    return 0.5 * ad::sum_per_sample(ad::square(p)) - inv_r;
  }
  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, 8, "two-body");
    auto d = torch::matmul(u, rel_);  // [B, 2]
    auto r3 = d.pow(2).sum(1, true).pow(1.5);
    auto f = -d / r3;  // force on body 1
    auto fx = f.select(1, 0), fy = f.select(1, 1);
    return torch::cat({u.narrow(1, 4, 4), torch::stack({fx, -fx, fy, -fy}, 1)}, 1);
  }
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    const double lo = p_.at("min_radius"), hi = p_.at("max_radius");
    auto out = torch::empty({n, 8}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
      const double x = rng.uniform(lo, hi), y = rng.uniform(lo, hi);
      const double r = std::hypot(x, y);
      // Circular-orbit velocity of each body about the centre of mass, then perturbed.
      const double scale = (1.0 + p_.at("orbit_noise") * rng.normal()) / (2.0 * std::pow(r, 1.5));
      const double vx = -y * scale, vy = x * scale;
      const double row[8] = {x, -x, y, -y, vx, -vx, vy, -vy};
      for (int j = 0; j < 8; ++j) a[i][j] = row[j];
    }
    return out;
  }
  at::Tensor reference_step(const at::Tensor& u, double dt) const override {
    check_state(u, 8, "two-body");
    return composed_discrete_gradient_step(*this, u, dt, substeps_);
  }
  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    check_state(u, 8, "two-body");
    auto q = u.narrow(1, 0, 4), p = u.narrow(1, 4, 4);
    auto L = (q.narrow(1, 0, 2) * p.narrow(1, 6 - 4, 2)).sum(1) -
             (q.narrow(1, 2, 2) * p.narrow(1, 0, 2)).sum(1);
    return {{"energy", energy(ad::Var(u)).a()},
            {"angular_momentum", L},
            {"momentum_x", p.narrow(1, 0, 2).sum(1)},
            {"momentum_y", p.narrow(1, 2, 2).sum(1)}};
  }

 private:
  Params p_;
  int64_t substeps_;
  at::Tensor rel_;
};

// HNN: t_eval = linspace(0, 3, timescale·3) with timescale 10 (spring), 15 (pendulum);
// DGNet: t in [0, 20], 100 points.
const Protocol kDgnetOneDof{50, 99, 20.0 / 99.0, 0.1, 0.5, "DGNet: t in [0, 20], 100 points"};

const SystemRegistrar mass_spring_reg(
    "mass-spring", {"H = q^2 + p^2, state (q, p) (HNN, DGNet)",
                    [](const Params& o) { return std::make_unique<MassSpring>(o); },
                    {{"hnn", {50, 29, 3.0 / 29.0, 0.1, 0.5, "HNN: linspace(0, 3, 30)"}},
                     {"dgnet", kDgnetOneDof}}});

const SystemRegistrar pendulum_reg(
    "pendulum", {"H = k (1 - cos q) + p^2, state (q, p) (HNN, DGNet)",
                 [](const Params& o) { return std::make_unique<Pendulum>(o); },
                 {{"hnn", {50, 44, 3.0 / 44.0, 0.1, 0.5, "HNN: linspace(0, 3, 45)"}},
                  {"dgnet", kDgnetOneDof}}});

// DGNet: the HNN orbits at 500 points over t in [0, 25] (the authors' training script).
const SystemRegistrar two_body_reg(
    "two-body",
    {"two unit masses under gravity, state (qx1, qx2, qy1, qy2, px1, px2, py1, py2) (HNN)",
     [](const Params& o) { return std::make_unique<TwoBody>(o); },
     {{"hnn", {1000, 49, 20.0 / 49.0, 0.0, 0.8, "HNN: linspace(0, 20, 50)"}},
      {"dgnet", {1000, 499, 25.0 / 499.0, 0.0, 0.8, "DGNet: linspace(0, 25, 500)"}}}});

}  // namespace

}  // namespace enflow::systems::detail
