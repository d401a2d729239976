#include "enflow/particles/mean_field.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace enflow::particles {
namespace {

torch::Tensor activate(const torch::Tensor& z, const std::string& name) {
  if (name == "relu") return torch::relu(z);
  if (name == "tanh") return torch::tanh(z);
  if (name == "softplus") return torch::softplus(z);
  throw std::invalid_argument(
      "two-layer network: activation must be relu, tanh or softplus, got '" + name + "'");
}

void check_shapes(const torch::Tensor& particles, const torch::Tensor& x) {
  if (particles.dim() != 2 || x.dim() != 2 || particles.size(1) != x.size(1) + 1)
    throw std::invalid_argument(
        "two-layer network: expected particles [m, 1 + d] and inputs [N, d]");
}

}  // namespace

at::Tensor two_layer(const at::Tensor& particles, const at::Tensor& x,
                     const std::string& activation) {
  check_shapes(particles, x);
  auto a = particles.select(1, 0);
  auto w = particles.narrow(1, 1, x.size(1));
  return torch::matmul(activate(torch::matmul(x, w.t()), activation), a) /
         static_cast<double>(particles.size(0));
}

TeacherStudent teacher_student(const at::Tensor& teacher, const std::string& activation,
                               int64_t n_train, int64_t n_test, double noise) {
  if (teacher.dim() != 2 || teacher.size(1) < 2)
    throw std::invalid_argument("teacher-student: teacher must be [k, 1 + d]");
  if (n_train < 1 || n_test < 1 || !(noise >= 0))
    throw std::invalid_argument("teacher-student: needs n_train, n_test >= 1 and noise >= 0");
  TeacherStudent p;
  p.teacher = teacher;
  p.activation = activation;
  const int64_t d = teacher.size(1) - 1;
  auto label = [&](const torch::Tensor& x) {
    return two_layer(teacher, x, activation) + noise * torch::randn({x.size(0)}, x.options());
  };
  p.x_train = torch::randn({n_train, d}, teacher.options());
  p.y_train = label(p.x_train);
  p.x_test = torch::randn({n_test, d}, teacher.options());
  p.y_test = label(p.x_test);
  return p;
}

double square_loss(const at::Tensor& particles, const at::Tensor& x, const at::Tensor& y,
                   const std::string& activation) {
  return 0.5 * (two_layer(particles, x, activation) - y).pow(2).mean().item<double>();
}

namespace {

/// R on the training set at particles that require grad, and −m ∂R/∂θ.
std::pair<double, torch::Tensor> loss_and_velocity(const TeacherStudent& p,
                                                   const torch::Tensor& theta) {
  torch::AutoGradMode on(true);
  auto th = theta.detach().requires_grad_(true);
  auto loss = 0.5 * (two_layer(th, p.x_train, p.activation) - p.y_train).pow(2).mean();
  // The Wasserstein gradient of R at each particle is m times the Euclidean one.
  auto v = -static_cast<double>(theta.size(0)) * torch::autograd::grad({loss}, {th})[0];
  return {loss.item<double>(), v};
}

}  // namespace

at::Tensor mean_field_velocity(const TeacherStudent& problem, const at::Tensor& particles) {
  check_shapes(particles, problem.x_train);
  return loss_and_velocity(problem, particles).second;
}

MeanFieldResult mean_field_flow(const TeacherStudent& p, const at::Tensor& init,
                                const MeanFieldOptions& o) {
  check_shapes(init, p.x_train);
  if (!(o.step() > 0) || o.steps() < 0 || !(o.temperature() >= 0) || !(o.weight_decay() >= 0) ||
      o.test_every() < 1)
    throw std::invalid_argument(
        "mean-field flow: needs step > 0, steps >= 0, temperature >= 0, weight_decay >= 0, "
        "test_every >= 1");
  if (!torch::isfinite(init).all().item<bool>())
    throw std::invalid_argument("mean-field flow: initial particles are not finite");
  const auto start = std::chrono::steady_clock::now();
  MeanFieldResult r;
  torch::Tensor theta = init.detach().clone();
  auto test_loss = [&](int64_t k) {
    r.test_time.push_back(k * o.step());
    r.test_loss.push_back(square_loss(theta, p.x_test, p.y_test, p.activation));
  };
  auto record = [&](int64_t k) {
    if (std::find(o.snapshots().begin(), o.snapshots().end(), k) == o.snapshots().end()) return;
    r.snapshot_steps.push_back(k);
    r.snapshots.push_back(theta.clone());
  };
  for (int64_t k = 0;; ++k) {
    auto [loss, velocity] = loss_and_velocity(p, theta);
    r.time.push_back(k * o.step());
    r.train_loss.push_back(loss);
    if (!std::isfinite(r.train_loss.back()))
      throw std::runtime_error("mean-field flow: the loss became non-finite at step " +
                               std::to_string(k) + " (reduce the step)");
    if (k % o.test_every() == 0 || k == o.steps()) test_loss(k);
    record(k);
    if (o.on_progress() && k > 0 &&
        (k % std::max<int64_t>(1, o.progress_every()) == 0 || k == o.steps()))
      o.on_progress()({k, o.steps(), r.train_loss.back(), r.test_loss.back()});
    if (k == o.steps()) break;
    theta = theta + o.step() * (velocity - o.weight_decay() * theta);
    if (o.temperature() > 0)
      theta = theta + std::sqrt(2 * o.temperature() * o.step()) * torch::randn_like(theta);
  }
  r.particles = theta;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace enflow::particles
