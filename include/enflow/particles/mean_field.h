// Mean-field training of a wide two-layer network (Mei, Montanari & Nguyen 2018; Chizat &
// Bach 2018): f(x) = 1/m Σⱼ aⱼ σ(wⱼ·x), the m neurons θⱼ = (aⱼ, wⱼ) are particles of a
// measure ρ, and gradient descent on the square loss R(ρ) is the Wasserstein gradient flow
//   dθⱼ/dt = −∇_θ Ψ(θⱼ; ρ) − λ θⱼ + √(2T) dBⱼ/dt,   Ψ(θ; ρ) = δR/δρ = E[(f(x) − y) a σ(w·x)],
// whose drift is −m ∂R/∂θⱼ. λ (weight decay) and the temperature T (noise, an entropy term
// T ∫ρ log ρ in the free energy) are optional; with both zero and small steps the loss
// decreases monotonically.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

#include "enflow/particles/common.h"

namespace enflow::particles {

/// f(x) for particles [m, 1 + d] (column 0: a, columns 1..d: w) at inputs x [N, d]: [N].
/// activation: "relu", "tanh" or "softplus".
at::Tensor two_layer(const at::Tensor& particles, const at::Tensor& x,
                     const std::string& activation);

/// Inputs x ~ N(0, I_d) labelled by a teacher network (particles [k, 1 + d], the same f).
struct TeacherStudent {
  at::Tensor teacher;
  std::string activation;
  at::Tensor x_train, y_train, x_test, y_test;
};
/// Draws the inputs with the global generator; y = teacher(x) + noise·N(0, 1).
TeacherStudent teacher_student(const at::Tensor& teacher, const std::string& activation,
                               int64_t n_train, int64_t n_test, double noise = 0);

/// R = ½ mean (f(x) − y)² of particles on (x, y).
double square_loss(const at::Tensor& particles, const at::Tensor& x, const at::Tensor& y,
                   const std::string& activation);

/// The velocity −∇_θ Ψ(θⱼ; ρ) = −m ∂R/∂θⱼ of every particle [m, 1 + d] on the training set
/// (no weight decay, no noise).
at::Tensor mean_field_velocity(const TeacherStudent& problem, const at::Tensor& particles);

struct MeanFieldOptions {
  TORCH_ARG(double, step) = 0.05;  ///< τ in the time of the flow (one step advances t by τ)
  TORCH_ARG(int64_t, steps) = 2000;
  TORCH_ARG(double, temperature) = 0;   ///< T: noise √(2Tτ) ξ per step
  TORCH_ARG(double, weight_decay) = 0;  ///< λ
  /// Steps after which the particles are recorded (0 = the initial particles).
  TORCH_ARG(std::vector<int64_t>, snapshots) = std::vector<int64_t>{};
  TORCH_ARG(int64_t, test_every) = 10;  ///< test loss every this many steps
  TORCH_ARG(int64_t, progress_every) = 100;
  /// Progress: loss = training loss, metric = test loss.
  TORCH_ARG(ProgressFn, on_progress) = nullptr;
};

struct MeanFieldResult {
  at::Tensor particles;                  ///< [m, 1 + d] at the end
  std::vector<double> time, train_loss;  ///< t = kτ and R at every step k = 0..steps
  std::vector<double> test_time, test_loss;
  std::vector<int64_t> snapshot_steps;
  std::vector<at::Tensor> snapshots;
  double seconds = 0;
};

/// Runs the particle flow from `init` [m, 1 + d] on the problem's training set (full batch,
/// so the deterministic flow's loss is a Lyapunov function). Noise uses the global generator.
MeanFieldResult mean_field_flow(const TeacherStudent& problem, const at::Tensor& init,
                                const MeanFieldOptions& options);

}  // namespace enflow::particles
